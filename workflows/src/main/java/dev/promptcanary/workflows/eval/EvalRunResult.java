package dev.promptcanary.workflows.eval;

import dev.promptcanary.workflows.rollout.EvalSummary;

/**
 * How an eval run ended.
 *
 * @param summary the eval runner's summary (the gate's answer, or why it could not decide)
 * @param failure null when the runner answered; else why the eval step failed after its attempts
 *     (the summary then says the same and is not passed)
 */
public record EvalRunResult(EvalSummary summary, String failure) {}
