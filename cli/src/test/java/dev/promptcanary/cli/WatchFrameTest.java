package dev.promptcanary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchFrameTest {

  @Test
  void aStageShortOfJudgeScoresShowsEachArmAgainstWhatTheStageNeedsAndThePlan() {
    List<String> frame = WatchFrame.render(Fixtures.rollout("canary-stage1-insufficient"), 200);
    String all = String.join("\n", frame);
    System.out.println(all);

    assertThat(frame.get(0))
        .isEqualTo("rollout-support-demo-2  support-demo: v2 (canary) against v1 (stable)  CANARY");
    assertThat(frame.get(1)).startsWith("stage 1/2 at 10%   (stages 10% -> 50%)");
    // 29 of the 40 judge scores the stage needs: 14 of 20 marks (floor), 115 requests.
    assertThat(all).contains("judged   canary [##############......]    29/40    requests 115");
    assertThat(frame).anyMatch(l -> l.startsWith("judged   stable [####################]"));
    // The planner saw no traffic at the start (the demo's users had only just begun).
    assertThat(all).contains("plan     01:07:55 no traffic for support-demo in the last hour");
    assertThat(all).contains("decision INSUFFICIENT_DATA: ");
  }

  @Test
  void everyGateShowsItsEstimateBoundsAndMarginAsRecorded() {
    ObjectNode rollout = Fixtures.rollout("canary-stage2-passing");
    List<String> frame = WatchFrame.render(rollout, 300);
    String all = String.join("\n", frame);
    System.out.println(all);
    for (var v : rollout.path("live").path("lastVerdicts")) {
      if (v.path("gate").asText().equals("OVERALL")) {
        assertThat(all).contains("decision " + v.path("decision").asText() + ": ");
        continue;
      }
      String gate =
          v.path("gate").asText() + (v.hasNonNull("metric") ? " " + v.path("metric").asText() : "");
      String row =
          frame.stream().filter(l -> l.startsWith("  " + gate + " ")).findFirst().orElseThrow();
      assertThat(row)
          .contains(Text.signed(v.path("estimate").asDouble()))
          .contains(
              "["
                  + Text.signed(v.path("lower").asDouble())
                  + ", "
                  + Text.signed(v.path("upper").asDouble())
                  + "]")
          .contains(Text.signed(v.path("threshold").asDouble()))
          .endsWith(v.path("decision").asText());
    }
  }

  @Test
  void theArmsNewNamesReadAsTheOldOnes() throws Exception {
    // Recorded before the API renamed baselineN/baselineJudgements/... to stable...: the same
    // answer under the new names draws the same frame.
    String old = Fixtures.text(Fixtures.rollout("canary-stage2-passing"));
    String renamed =
        old.replace("\"baselineN\"", "\"stableN\"")
            .replace("\"baselineJudgements\"", "\"stableJudgements\"")
            .replace("\"baselineObservations\"", "\"stableObservations\"");
    assertThat(renamed).doesNotContain("\"baselineN\"").contains("\"stableN\"");
    assertThat(WatchFrame.render(ApiClient.JSON.readTree(renamed), 200))
        .isEqualTo(WatchFrame.render(ApiClient.JSON.readTree(old), 200))
        .anyMatch(l -> l.startsWith("judged   stable [###############.....]    30/40 "));
  }

  @Test
  void aFinishedRolloutShowsItsEndingFromTheCheckpoint() {
    ObjectNode rollout = Fixtures.rollout("promoted");
    List<String> frame = WatchFrame.render(rollout, 200);
    System.out.println(String.join("\n", frame));
    assertThat(frame.get(0)).endsWith("  PROMOTED");
    assertThat(frame.get(1)).startsWith("ended at 100% after stage 2/2");
    assertThat(frame).contains("decision PROMOTED: " + rollout.path("reason").asText());
    assertThat(frame).anyMatch(l -> l.startsWith("  QUALITY "));
    assertThat(frame).noneMatch(l -> l.startsWith("judged"));
  }

  @Test
  void aControlsEndingTakesItsReasonFromTheTimeline() {
    ObjectNode bypassed = Fixtures.rollout("promoted").put("state", "BYPASSED");
    bypassed.putNull("reason");
    var timeline =
        (com.fasterxml.jackson.databind.node.ArrayNode)
            bypassed.path("checkpoint").path("timeline");
    timeline
        .addObject()
        .put("atMillis", 1_796_000_000_000L)
        .put("event", "bypassed")
        .put("detail", "emergency bypass by dev-admin: incident 42");
    assertThat(WatchFrame.render(bypassed, 200))
        .contains("decision BYPASSED: emergency bypass by dev-admin: incident 42");
  }

  @Test
  void linesAreCutToTheWidth() {
    List<String> frame = WatchFrame.render(Fixtures.rollout("canary-stage2-passing"), 60);
    assertThat(frame).allMatch(l -> l.length() <= 60);
    assertThat(frame).anyMatch(l -> l.endsWith("..."));
  }

  @Test
  void exitCodesFollowTheState() {
    assertThat(WatchFrame.outcome(Fixtures.rollout("promoted")).exitCode).isZero();
    assertThat(WatchFrame.outcome(Fixtures.rollout("canary-stage2-passing")))
        .isEqualTo(WatchFrame.Outcome.RUNNING);
    ObjectNode rolledBack = Fixtures.rollout("promoted").put("state", "ROLLED_BACK");
    assertThat(WatchFrame.outcome(rolledBack).exitCode).isEqualTo(1);
    assertThat(WatchFrame.outcome(Fixtures.rollout("promoted").put("state", "ABORTED")).exitCode)
        .isEqualTo(1);
    assertThat(
            WatchFrame.outcome(Fixtures.rollout("promoted").put("state", "EVAL_BLOCKED")).exitCode)
        .isEqualTo(1);
    assertThat(WatchFrame.outcome(Fixtures.rollout("promoted").put("state", "BYPASSED")).exitCode)
        .isZero();
    // Held by the system: a person must look. Paused by a person: that person resumes it.
    ObjectNode held =
        Fixtures.withLiveState("canary-stage2-passing", "PAUSED", "SAMPLE_RATIO_MISMATCH");
    assertThat(WatchFrame.outcome(held).exitCode).isEqualTo(2);
    assertThat(String.join("\n", WatchFrame.render(held, 200)))
        .contains("PAUSED (SAMPLE_RATIO_MISMATCH)");
    assertThat(
            WatchFrame.outcome(Fixtures.withLiveState("canary-stage2-passing", "PAUSED", "USER")))
        .isEqualTo(WatchFrame.Outcome.RUNNING);
    assertThat(
            WatchFrame.outcome(
                    Fixtures.withLiveState("canary-stage2-passing", "AWAITING_APPROVAL", null))
                .exitCode)
        .isEqualTo(2);
  }

  @Test
  void aLiveEndingAheadOfTheRowIsTheEndingWithItsTimelineReason() {
    // The row is written when the rollout ends; the live answer can be final a look earlier.
    ObjectNode rollout = Fixtures.withLiveState("canary-stage2-passing", "PROMOTED", null);
    rollout.put("state", "CANARY").put("reason", "stage 1 passed");
    ((com.fasterxml.jackson.databind.node.ArrayNode) rollout.path("live").path("timeline"))
        .addObject()
        .put("atMillis", 1L)
        .put("event", "promoted")
        .put("detail", "every gate passed at 50%");

    assertThat(WatchFrame.state(rollout)).isEqualTo("PROMOTED");
    assertThat(WatchFrame.isFinal(WatchFrame.state(rollout))).isTrue();
    assertThat(WatchFrame.outcome(rollout)).isEqualTo(WatchFrame.Outcome.PROMOTED);
    assertThat(WatchFrame.endingReason(rollout)).isEqualTo("every gate passed at 50%");
    assertThat(WatchFrame.render(rollout, 200))
        .contains("decision PROMOTED: every gate passed at 50%");
    // Once the row is final its own reason is the ending's.
    rollout.put("state", "PROMOTED").put("reason", "all stages passed");
    assertThat(WatchFrame.endingReason(rollout)).isEqualTo("all stages passed");
  }

  @Test
  void theAxisPlacesBoundsEstimateMarginAndZero() {
    // bounds [-0.1, 0.3], estimate 0.1, margin -0.2, zero: span -0.2..0.3 over 21 places.
    String axis = WatchFrame.axis(0.1, -0.1, 0.3, -0.2);
    assertThat(axis).hasSize(WatchFrame.AXIS);
    assertThat(axis.indexOf('|')).isZero();
    assertThat(axis.indexOf('[')).isEqualTo(4);
    assertThat(axis.indexOf('0')).isEqualTo(8);
    assertThat(axis.indexOf('*')).isEqualTo(12);
    assertThat(axis.indexOf(']')).isEqualTo(20);
    // A bound the test could not compute (infinite) runs to the axis's edge: here the interval
    // covers all of it, up to the upper bound at the right end.
    String open = WatchFrame.axis(0.1, Double.NEGATIVE_INFINITY, 0.5, 0.2);
    assertThat(open).doesNotContain(".").endsWith("]");
    // So does Double.MAX_VALUE, the statistics' other way of writing an unbounded side.
    assertThat(WatchFrame.axis(0.0, -1, Double.MAX_VALUE, 0.1)).startsWith("[").doesNotContain(".");
    assertThat(Text.signed(Double.MAX_VALUE)).isEqualTo("+inf");
    assertThat(Text.signed(-0.05)).isEqualTo("-0.0500");
  }
}
