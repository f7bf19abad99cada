package dev.promptcanary.workflows.rollout;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Whether a rollout's regressions roll it back ({@link #ENFORCE}, the default) or only alert
 * ({@link #NOTIFY_ONLY}). Written in JSON as {@code enforce} and {@code notify-only}.
 */
public enum RolloutMode {
  /** A regression on any deciding gate rolls back. */
  @JsonProperty("enforce")
  ENFORCE,
  /**
   * A regression alerts ({@code regression_notified}) and is recorded instead of rolling back: the
   * regressing gate then neither rolls back nor lets the stage pass (it holds the promotion, as a
   * gate showing harm does), so the rollout waits at its weight until the stage's inconclusive
   * policy applies, or a person bypasses or aborts it.
   */
  @JsonProperty("notify-only")
  NOTIFY_ONLY
}
