package dev.promptcanary.workflows.domain;

/**
 * An invalid gate setting, naming the setting: {@code field} is its path inside the gate record
 * that rejected it (e.g. {@code margin}, {@code quantiles[1]}, {@code metrics[0].name}), so the API
 * can answer 422 naming {@code gates.latency.quantiles[1]}.
 */
public final class GateConfigException extends IllegalArgumentException {
  private final String field;

  public GateConfigException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The rejected setting's path inside the record that rejected it. */
  public String field() {
    return field;
  }

  /** The reason alone, without the field. */
  public String reason() {
    String message = getMessage();
    return message.substring(field.length() + 2);
  }
}
