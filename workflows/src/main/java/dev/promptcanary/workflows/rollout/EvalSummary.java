package dev.promptcanary.workflows.rollout;

/**
 * The outcome of the offline eval step.
 *
 * @param passed whether the candidate may take live traffic
 * @param reason one line for people: what passed or what blocked it
 * @param cases cases run (0 when no suite was configured)
 * @param candidatePassRate share of cases the candidate passed
 * @param baselinePassRate share of cases the baseline passed
 */
public record EvalSummary(
    boolean passed, String reason, int cases, double candidatePassRate, double baselinePassRate) {}
