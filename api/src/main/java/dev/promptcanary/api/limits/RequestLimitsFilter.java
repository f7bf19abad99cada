package dev.promptcanary.api.limits;

import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.errors.ErrorResponse;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Checks every request before it is matched to a resource: the body fits {@code maxRequestBytes}
 * (413 otherwise, whether the size is declared or the body is streamed); every path segment is an
 * unambiguous, valid UTF-8 name (400 naming {@code path} for a segment that decodes to {@code .} or
 * {@code ..}, holds a {@code /} or {@code \}, or is not UTF-8); and neither the path nor a query
 * parameter holds a NUL character (422 naming the parameter), which PostgreSQL cannot store or
 * compare.
 *
 * <p>The body is read before anything is refused. An HTTP/1.1 server that answers before reading
 * the body must close the connection, and a client still sending then sees a broken pipe instead of
 * the answer, or reuses the connection and gets nothing (what the 1,000-try fuzz saw). So the body
 * is always read to its end, up to the limit kept in memory and then discarded up to {@link
 * #DRAIN_FACTOR} times the limit; a body longer still is answered 413 with {@code Connection:
 * close}, so the client at least knows not to reuse the connection.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class RequestLimitsFilter implements ContainerRequestFilter {
  /** How much of an oversize body is read and thrown away so the connection stays usable. */
  static final int DRAIN_FACTOR = 4;

  private final long maxRequestBytes;

  public RequestLimitsFilter(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    long declared = request.getLength();
    if (declared > maxRequestBytes * DRAIN_FACTOR) {
      request.abortWith(closing(tooLarge(declared + " bytes")));
      return;
    }
    if (request.hasEntity()) {
      // Read the body here, bounded, so an oversize chunked body is refused before a parser or a
      // resource sees any of it. The limit keeps the buffer small.
      InputStream in = request.getEntityStream();
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
      if (body.length > maxRequestBytes) {
        String size =
            declared >= 0 ? declared + " bytes" : "more than " + maxRequestBytes + " bytes";
        if (drained(in, maxRequestBytes * DRAIN_FACTOR - body.length)) {
          throw new ApiException(413, "body", tooLarge(size));
        }
        request.abortWith(closing(tooLarge(size)));
        return;
      }
      request.setEntityStream(new ByteArrayInputStream(body));
    }
    checkUri(request);
  }

  /** Reads and discards up to {@code budget} bytes; whether the body ended within them. */
  private static boolean drained(InputStream in, long budget) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = budget;
    while (left >= 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left + 1));
      if (n < 0) {
        return true;
      }
      left -= n;
    }
    return false;
  }

  private String tooLarge(String size) {
    return "request body is "
        + size
        + "; the limit is "
        + maxRequestBytes
        + " bytes (limits.maxRequestBytes)";
  }

  private static Response closing(String message) {
    return Response.status(413)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .header("Connection", "close")
        .entity(ErrorResponse.of(413, message, "body"))
        .build();
  }

  private static void checkUri(ContainerRequestContext request) {
    List<PathSegment> segments;
    MultivaluedMap<String, String> query;
    try {
      checkRawPath(request.getUriInfo().getRequestUri().getRawPath());
      segments = request.getUriInfo().getPathSegments(true);
      query = request.getUriInfo().getQueryParameters(true);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "path", "the request URI cannot be decoded: " + e.getMessage());
    }
    for (PathSegment segment : segments) {
      String name = segment.getPath();
      if (hasNul(name)) {
        throw ApiException.invalid("path", "path " + StrictJson.NUL_MESSAGE);
      }
      if (name.equals(".")
          || name.equals("..")
          || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0) {
        throw new ApiException(
            400,
            "path",
            "a path segment must not be '.' or '..' or hold '/' or '\\', even percent-encoded");
      }
    }
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      String name = parameter.getKey();
      if (hasNul(name)) {
        throw ApiException.invalid("query", "query parameter names " + StrictJson.NUL_MESSAGE);
      }
      for (String value : parameter.getValue()) {
        if (hasNul(value)) {
          throw ApiException.invalid(name, name + " " + StrictJson.NUL_MESSAGE);
        }
      }
    }
  }

  /**
   * The path's percent-encoding must decode to valid UTF-8: a decoder that replaced bad bytes would
   * turn two different paths into one name.
   */
  private static void checkRawPath(String rawPath) {
    if (rawPath == null || rawPath.indexOf('%') < 0) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%') {
        if (i + 2 >= rawPath.length()
            || Character.digit(rawPath.charAt(i + 1), 16) < 0
            || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
          throw new ApiException(400, "path", "the path has a '%' not followed by two hex digits");
        }
        bytes.write(Integer.parseInt(rawPath.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
    } catch (CharacterCodingException e) {
      throw new ApiException(400, "path", "the path is not valid UTF-8 once percent-decoded");
    }
  }

  private static boolean hasNul(String text) {
    return text != null && text.indexOf('\u0000') >= 0;
  }
}
