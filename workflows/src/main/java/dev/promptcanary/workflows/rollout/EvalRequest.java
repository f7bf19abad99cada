package dev.promptcanary.workflows.rollout;

/** Run the offline eval suite against the candidate, with the stable version as baseline. */
public record EvalRequest(
    String rolloutId, String prompt, int candidateVersion, int baselineVersion, String suite) {}
