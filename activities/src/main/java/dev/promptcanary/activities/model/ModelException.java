package dev.promptcanary.activities.model;

/**
 * A model call that failed after the client's own retries: {@code status} is the HTTP status (0 for
 * a timeout or a connection failure); {@code retryable} says whether trying again later could help.
 */
public class ModelException extends Exception {
  private final int status;
  private final boolean retryable;

  public ModelException(String message, int status, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retryable = retryable;
  }

  public int status() {
    return status;
  }

  public boolean retryable() {
    return retryable;
  }
}
