package dev.promptcanary.cli;

/**
 * What went wrong talking to the API, as one line: the server's {@code message} and {@code field}
 * when it answered with its error shape, else what the client saw (no answer, not JSON).
 *
 * @param status the HTTP status, or 0 when there was no answer
 * @param field the server's {@code field} (a JSON path, a parameter, {@code Authorization}), or
 *     null
 */
public final class ApiError extends Exception {
  private final int status;
  private final String field;

  public ApiError(int status, String message, String field) {
    super(message);
    this.status = status;
    this.field = field;
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }

  /** The one line the CLI prints: {@code error: MESSAGE (field F, HTTP 422)}. */
  public String line() {
    StringBuilder line = new StringBuilder("error: ").append(oneLine(getMessage()));
    if (field != null || status > 0) {
      line.append(" (");
      if (field != null) {
        line.append("field ").append(field);
      }
      if (status > 0) {
        line.append(field != null ? ", " : "").append("HTTP ").append(status);
      }
      line.append(')');
    }
    return line.toString();
  }

  static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").trim();
  }
}
