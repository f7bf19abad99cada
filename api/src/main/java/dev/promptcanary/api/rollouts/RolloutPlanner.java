package dev.promptcanary.api.rollouts;

import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.PlanRequest;
import dev.promptcanary.activities.stats.SamplePlan;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.Stage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tells the person starting a rollout, from the prompt's recent traffic, whether its stages can be expected to
 * decide within their bake windows ("at 5% of 200 requests/hour this needs ~9 h"), and what weight would fit.
 */
final class RolloutPlanner {
  /** Judge-score spread assumed when the stable version has too few scores to measure it. */
  static final double DEFAULT_SIGMA = 0.2;
  private static final double POWER = 0.95;
  private final TrafficDao traffic;
  private final Clock clock;

  RolloutPlanner(TrafficDao traffic, Clock clock) {
    this.traffic = traffic;
    this.clock = clock;
  }

  List<String> notes(RolloutSpec spec) {
    if (!spec.gates().quality().enabled()) {
      return List.of();
    }
    Instant now = clock.instant();
    long lastHour = traffic.requestsSince(spec.prompt(), now.minus(Duration.ofHours(1)));
    if (lastHour == 0) {
      return List.of("no traffic for " + spec.prompt() + " in the last hour: the stages cannot decide until"
          + " requests arrive (no data is not a failure; the inconclusive policy applies at each maximum bake)");
    }
    Double measured = traffic.scoreStandardDeviation(spec.prompt(), spec.baselineVersion(), now.minus(Duration.ofDays(1)));
    double sigma = measured == null || measured <= 0 ? DEFAULT_SIGMA : measured;
    double alpha = CanaryAnalysis.gateAlphas(spec.gates()).get(GateKind.QUALITY) / spec.stages().size();
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < spec.stages().size(); i++) {
      Stage stage = spec.stages().get(i);
      PlanRequest request = new PlanRequest(spec.gates().quality().margin(), sigma, alpha, 0, POWER,
          stage.weightBp(), lastHour);
      SamplePlan plan = SamplePlanner.plan(request);
      double bakeHours = stage.maxBakeSeconds() / 3600.0;
      String note = "stage " + (i + 1) + ": " + plan.summary();
      if (plan.hoursForPower() > bakeHours) {
        int needed = SamplePlanner.requiredWeightBasisPoints(request, bakeHours);
        String bake = stage.maxBakeSeconds() >= 3600
            ? String.format(Locale.ROOT, "%.1f h", bakeHours)
            : Math.max(1, stage.maxBakeSeconds() / 60) + " min";
        note += String.format(Locale.ROOT, "; more than its %s maximum bake: %s", bake,
            needed < 0 ? "even a 50% split is too slow, so expect the inconclusive policy"
                : "a weight of " + String.format(Locale.ROOT, "%.2f%%", needed / 100.0) + " would fit");
      }
      notes.add(note);
    }
    return notes;
  }
}
