package dev.promptcanary.api.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches Jersey (a malformed URI or header, a header
 * or URI too long, a request Jetty could not parse), in the API's JSON error shape instead of
 * Jetty's HTML page. Set on the server and on the application context.
 */
public class JsonErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";

  /**
   * Every error, whatever the client accepts: Jetty's own negotiation would answer HTML, plain text
   * or nothing.
   */
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int code = response.getStatus();
    String message = null;
    if (request.getAttribute(ERROR_STATUS) instanceof Integer status) {
      code = status;
    }
    if (request.getAttribute(ERROR_MESSAGE) instanceof String text) {
      message = text;
    }
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
      code = http.getCode();
      message = http.getReason();
    }
    response.setStatus(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
    // Jetty closes the connection after an error it answers itself (the request's body is unread,
    // or its parser refused the request), so the answer says so: without it a client puts the
    // connection back in its pool and its next request there gets no answer at all (what the
    // 1,000-try fuzz saw after a NUL in a path).
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    return true;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, JSON_TYPE));
    fields.put(new HttpField(HttpHeader.CONNECTION, "close"));
    return ByteBuffer.wrap(body(status, reason));
  }

  static byte[] body(int code, String reason) {
    boolean generic =
        reason == null || reason.isBlank() || reason.equalsIgnoreCase(HttpStatus.getMessage(code));
    String message =
        !generic
            ? reason
            : code == 400
                // Jetty's parser says no more; the commonest cause the fuzz found is named.
                ? "the request line or headers cannot be parsed (an encoded NUL, %00, in the path"
                    + " is one cause)"
                : String.valueOf(HttpStatus.getMessage(code)).toLowerCase(java.util.Locale.ROOT);
    try {
      return JSON.writeValueAsBytes(ErrorResponse.of(code, message, fieldOf(code)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a transport-level error is about: the URI, the headers or the body. */
  private static String fieldOf(int code) {
    return switch (code) {
      case 404, 414 -> "path";
      case 405 -> "method";
      case 413 -> "body";
      case 431 -> "headers";
      case 415 -> "Content-Type";
      default -> code < 500 ? "request" : null;
    };
  }
}
