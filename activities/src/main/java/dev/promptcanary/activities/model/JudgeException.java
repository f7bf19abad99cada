package dev.promptcanary.activities.model;

/**
 * The judge failed (call failed, timed out, or answered something that is not a score): counted,
 * never a zero.
 */
public class JudgeException extends Exception {
  public JudgeException(String message, Throwable cause) {
    super(message, cause);
  }
}
