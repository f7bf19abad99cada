package dev.promptcanary.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The route choice the server and the SDKs share: buckets, the canary's weight, pins. */
class StickySplitTest {
  private static final StickySplit HALF = new StickySplit("p", "rollout-1", 1, 2, 5000);

  @Test
  void aUnitIsInTheCanaryExactlyWhenItsBucketIsBelowTheWeight() {
    for (int i = 0; i < 2000; i++) {
      String unit = "session-" + i;
      StickySplit.Choice choice = HALF.choose(unit, null);
      assertThat(choice.bucket()).isEqualTo(Buckets.bucket("p", "rollout-1", unit));
      assertThat(choice.canary()).isEqualTo(choice.bucket() < 5000);
      assertThat(choice.version()).isEqualTo(choice.canary() ? 2 : 1);
      assertThat(choice.pinned()).isFalse();
      assertThat(choice.pinDropped()).isFalse();
    }
  }

  @Test
  void aServedPinIsHonouredWhateverTheBucket() {
    for (int i = 0; i < 200; i++) {
      assertThat(HALF.choose("s" + i, 1)).extracting("version", "pinned").containsExactly(1, true);
      assertThat(HALF.choose("s" + i, 2))
          .extracting("version", "canary", "pinned")
          .containsExactly(2, true, true);
    }
  }

  @Test
  void aPinNoLongerServedIsDroppedAndSaysWhy() {
    StickySplit rolledBack = new StickySplit("p", "", 1, null, 0);
    StickySplit.Choice choice = rolledBack.choose("s", 2);
    assertThat(choice.version()).isEqualTo(1);
    assertThat(choice.pinned()).isFalse();
    assertThat(choice.pinDropped()).isTrue();
    assertThat(choice.pinDroppedNote())
        .isEqualTo(
            "pinned version 2 is no longer served (rolled back or replaced); now serving version 1");
    // A canary at weight 0 serves nobody, so a pin to it is dropped too.
    assertThat(new StickySplit("p", "r", 1, 2, 0).choose("s", 2).pinDropped()).isTrue();
  }

  @Test
  void servesTheStableAndALiveCanaryOnly() {
    assertThat(HALF.serves(1)).isTrue();
    assertThat(HALF.serves(2)).isTrue();
    assertThat(HALF.serves(3)).isFalse();
    assertThat(new StickySplit("p", "r", 1, 2, 0).serves(2)).isFalse();
  }
}
