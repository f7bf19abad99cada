package dev.promptcanary.sdk;

/** A resolve that cannot be answered: no such prompt, or no routing known yet. */
public final class PromptCanaryException extends RuntimeException {
  public PromptCanaryException(String message) {
    super(message);
  }
}
