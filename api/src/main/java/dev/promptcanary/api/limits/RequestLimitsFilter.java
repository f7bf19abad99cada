package dev.promptcanary.api.limits;

import dev.promptcanary.api.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.PathSegment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Checks every request before it is matched to a resource: the body fits {@code maxRequestBytes}
 * (413 otherwise, whether the size is declared or the body is streamed), and neither the path nor a
 * query parameter holds a NUL character (422 naming the parameter), which PostgreSQL cannot store
 * or compare.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class RequestLimitsFilter implements ContainerRequestFilter {
  private final long maxRequestBytes;

  public RequestLimitsFilter(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    checkUri(request);
    if (request.getLength() > maxRequestBytes) {
      throw tooLarge(request.getLength() + " bytes");
    }
    if (request.hasEntity()) {
      // Read the body here, bounded, so an oversize chunked body is refused before a parser or a
      // resource sees any of it. The limit keeps the buffer small.
      request.setEntityStream(new ByteArrayInputStream(readBounded(request.getEntityStream())));
    }
  }

  private byte[] readBounded(InputStream in) throws IOException {
    byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
    if (body.length > maxRequestBytes) {
      throw tooLarge("more than " + maxRequestBytes + " bytes");
    }
    return body;
  }

  private ApiException tooLarge(String size) {
    return new ApiException(
        413,
        "body",
        "request body is "
            + size
            + "; the limit is "
            + maxRequestBytes
            + " bytes (limits.maxRequestBytes)");
  }

  private static void checkUri(ContainerRequestContext request) {
    List<PathSegment> segments;
    MultivaluedMap<String, String> query;
    try {
      segments = request.getUriInfo().getPathSegments(true);
      query = request.getUriInfo().getQueryParameters(true);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "path", "the request URI cannot be decoded: " + e.getMessage());
    }
    for (PathSegment segment : segments) {
      if (hasNul(segment.getPath())) {
        throw ApiException.invalid("path", "path " + StrictJson.NUL_MESSAGE);
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

  private static boolean hasNul(String text) {
    return text != null && text.indexOf('\u0000') >= 0;
  }
}
