package dev.promptcanary.activities.eval;

/**
 * One thing wrong with a suite definition: where (a JSON path such as {@code
 * cases[3].assertions[0].pattern}) and why.
 */
public record SuiteProblem(String field, String message) {}
