package dev.promptcanary.activities.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How one assertion fared on one answer: {@code detail} says why it failed; {@code score} is a
 * judge's score.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssertionResult(String type, boolean passed, String detail, Double score) {}
