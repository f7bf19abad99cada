package dev.promptcanary.workflows.eval;

/**
 * An eval suite run for a prompt version outside any rollout.
 *
 * @param evalId the run's id, also its workflow id and the eval runner's run key (stored results
 *     are found again by it)
 * @param prompt the prompt's name
 * @param candidateVersion the version under test
 * @param baselineVersion the version it is compared with; 0 for none
 * @param suite the suite as {@code name@version} (the API pins the version when it starts the run)
 * @param requestedBy the actor who asked for it
 */
public record EvalRunInput(
    String evalId,
    String prompt,
    int candidateVersion,
    int baselineVersion,
    String suite,
    String requestedBy) {}
