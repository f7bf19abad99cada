package dev.promptcanary.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RolloutPagesFormatTest {

  @Test
  void numbersKeepFourSignificantDigitsAndShowUnboundedAsInfinity() {
    assertThat(RolloutPages.number(0)).isEqualTo("0");
    assertThat(RolloutPages.number(-0.05)).isEqualTo("-0.05");
    assertThat(RolloutPages.number(0.123456)).isEqualTo("0.1235");
    assertThat(RolloutPages.number(1234.5678)).isEqualTo("1235");
    assertThat(RolloutPages.number(1.5e-6)).isEqualTo("1.500e-06");
    assertThat(RolloutPages.number(Double.MAX_VALUE)).isEqualTo("+∞");
    assertThat(RolloutPages.number(Double.NEGATIVE_INFINITY)).isEqualTo("−∞");
    assertThat(RolloutPages.number(Double.NaN)).isEqualTo("—");
  }

  @Test
  void weightsArePercentagesOfBasisPoints() {
    assertThat(RolloutPages.percent(500)).isEqualTo("5%");
    assertThat(RolloutPages.percent(1250)).isEqualTo("12.50%");
    assertThat(RolloutPages.percent(10_000)).isEqualTo("100%");
  }

  @Test
  void linksPercentEncodeTheirPathSegments() {
    assertThat(RolloutPages.rolloutHref("a b/c")).isEqualTo("/ui/rollouts/a%20b%2Fc");
  }
}
