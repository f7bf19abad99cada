package dev.promptcanary.api.errors;

/**
 * One thing wrong with a request: where ({@code field}, a JSON path such as {@code
 * observations[3].latencyMs}) and why.
 */
public record FieldError(String field, String message) {}
