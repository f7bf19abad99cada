package dev.promptcanary.bench.decision;

/**
 * One simulated rollout setting.
 *
 * @param name short id used in the table and the JSON
 * @param description one line
 * @param truth how outcomes are scored
 * @param weightBasisPoints configured canary weight
 * @param actualCanaryShare the share of requests that actually reach the canary (differs from the
 *     weight only in the SRM scenario)
 * @param horizon canary samples after which the rollout stops waiting (the bake window)
 * @param stable baseline data model
 * @param canary canary data model
 */
record Scenario(
    String name,
    String description,
    Truth truth,
    int weightBasisPoints,
    double actualCanaryShare,
    int horizon,
    ArmModel stable,
    ArmModel canary) {}
