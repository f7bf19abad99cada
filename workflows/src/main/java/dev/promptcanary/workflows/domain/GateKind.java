package dev.promptcanary.workflows.domain;

/**
 * The gates a canary must pass; {@link #OVERALL} labels the combined verdict. A gate with several
 * verdicts (latency per quantile, one per custom metric) tells them apart by {@link
 * Verdict#metric()}.
 */
public enum GateKind {
  OVERALL,
  /** LLM-as-judge score in [0, 1]: difference of means, canary minus baseline. */
  QUALITY,
  /** Share of requests that errored: difference of rates, canary minus baseline. */
  ERROR_RATE,
  /** Share of responses carrying a safety flag: difference of rates plus an absolute ceiling. */
  SAFETY_RATE,
  /**
   * Share of canary requests slower than a baseline latency quantile (frozen for the stage), minus
   * the baseline's share; one verdict per quantile, {@code metric} "p50", "p95", ….
   */
  LATENCY,
  /** Cost per request: relative difference of means, canary / baseline - 1. */
  COST,
  /** Observed canary share of the traffic against the configured canary weight. */
  SAMPLE_RATIO,
  /**
   * Judge failures and sampling balance: share of judge attempts that failed, and the canary's
   * share of judge scores against its share of traffic. Holds the rollout when unhealthy, never
   * rolls it back.
   */
  JUDGE_HEALTH,
  /** User feedback (-1, 0, 1): difference of mean feedback per request, canary minus baseline. */
  FEEDBACK,
  /** A custom outcome metric of {@link GatesConfig#metrics()}: {@code metric} is its name. */
  METRIC
}
