package dev.promptcanary.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which requests count against the controls limit: starting an eval does, reading one does not. */
class RateLimitKindTest {
  @Test
  void startingAnEvalIsAControlAndReadingOneIsNot() {
    assertThat(RateLimitFilter.kindOf("POST", "v1/evals")).isEqualTo(RateLimitFilter.Kind.CONTROLS);
    assertThat(RateLimitFilter.kindOf("POST", "/v1/evals/"))
        .isEqualTo(RateLimitFilter.Kind.CONTROLS);
    assertThat(RateLimitFilter.kindOf("GET", "v1/evals/eval-1")).isNull();
    assertThat(RateLimitFilter.kindOf("POST", "v1/rollouts"))
        .isEqualTo(RateLimitFilter.Kind.CONTROLS);
    assertThat(RateLimitFilter.kindOf("POST", "v1/observations"))
        .isEqualTo(RateLimitFilter.Kind.INGEST);
  }
}
