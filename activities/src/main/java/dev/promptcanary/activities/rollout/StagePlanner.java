package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.stats.CanaryAnalysis;
import dev.promptcanary.activities.stats.PlanRequest;
import dev.promptcanary.activities.stats.SamplePlan;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.Stage;
import dev.promptcanary.workflows.rollout.StagePlan;
import dev.promptcanary.workflows.rollout.StagePlanRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sample planner applied to a prompt's recent traffic (requests in the last hour, the stable version's judge
 * score spread): at the start it tells people whether each stage can be expected to decide within its bake window
 * ("at 5% of 200 requests/hour ... needs ~9 h"), and before an extension it says what weight would let the stage
 * decide.
 */
public final class StagePlanner {
  /** Judge-score spread assumed when the stable version has no scores to measure it from. */
  static final double DEFAULT_SIGMA = 0.2;
  private static final double POWER = 0.95;
  private final TrafficDao traffic;
  private final Clock clock;

  public StagePlanner(TrafficDao traffic, Clock clock) {
    this.traffic = traffic;
    this.clock = clock;
  }

  private record Traffic(long requestsPerHour, double sigma) {}

  private Traffic traffic(String prompt, int baselineVersion) {
    Instant now = clock.instant();
    long lastHour = traffic.requestsSince(prompt, now.minus(Duration.ofHours(1)));
    Double measured = traffic.scoreStandardDeviation(prompt, baselineVersion, now.minus(Duration.ofDays(1)));
    return new Traffic(lastHour, measured == null || measured <= 0 ? DEFAULT_SIGMA : measured);
  }

  private static PlanRequest request(GatesConfig gates, int stageCount, Traffic t, int weightBp) {
    double alpha = CanaryAnalysis.gateAlphas(gates).get(GateKind.QUALITY) / stageCount;
    return new PlanRequest(gates.quality().margin(), t.sigma(), alpha, 0, POWER, weightBp, t.requestsPerHour());
  }

  public List<String> startNotes(RolloutSpec spec) {
    if (!spec.gates().quality().enabled()) {
      return List.of();
    }
    Traffic t = traffic(spec.prompt(), spec.baselineVersion());
    if (t.requestsPerHour() == 0) {
      return List.of(noTraffic(spec.prompt()));
    }
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < spec.stages().size(); i++) {
      Stage stage = spec.stages().get(i);
      PlanRequest request = request(spec.gates(), spec.stages().size(), t, stage.weightBp());
      SamplePlan plan = SamplePlanner.plan(request);
      String note = "stage " + (i + 1) + ": " + plan.summary();
      double bakeHours = stage.maxBakeSeconds() / 3600.0;
      if (plan.hoursForPower() > bakeHours) {
        int needed = SamplePlanner.requiredWeightBasisPoints(request, bakeHours);
        note += "; more than its " + duration(stage.maxBakeSeconds()) + " maximum bake: "
            + (needed < 0 ? "even a 50% split is too slow, so expect the inconclusive policy"
                : "a weight of " + percent(needed) + " would fit");
      }
      notes.add(note);
    }
    return notes;
  }

  public StagePlan planStage(StagePlanRequest r) {
    if (!r.gates().quality().enabled()) {
      return new StagePlan(r.currentWeightBp(), "the quality gate is off: no plan");
    }
    Traffic t = traffic(r.prompt(), r.baselineVersion());
    if (t.requestsPerHour() == 0) {
      return new StagePlan(r.currentWeightBp(), noTraffic(r.prompt()) + "; more weight would not help");
    }
    PlanRequest request = request(r.gates(), r.stageCount(), t, Math.min(9_999, Math.max(1, r.currentWeightBp())));
    int needed = SamplePlanner.requiredWeightBasisPoints(request, r.hoursAvailable());
    int weight = needed < 0 ? r.maxWeightBp() : Math.min(r.maxWeightBp(), Math.max(r.currentWeightBp(), needed));
    String note = String.format(Locale.ROOT, "at %d requests/hour (judge sd %.2f), deciding within %s needs %s",
        t.requestsPerHour(), t.sigma(), duration((long) (r.hoursAvailable() * 3600)),
        needed < 0 ? "more than a 50% split" : "a weight of " + percent(needed));
    if (weight == r.currentWeightBp()) {
      note += "; staying at " + percent(weight);
    }
    return new StagePlan(weight, note);
  }

  private static String noTraffic(String prompt) {
    return "no traffic for " + prompt + " in the last hour: the stages cannot decide until requests arrive"
        + " (no data is not a failure; the inconclusive policy applies at each maximum bake)";
  }

  private static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%.2f%%", basisPoints / 100.0);
  }

  private static String duration(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%.1f h", seconds / 3600.0)
        : Math.max(1, seconds / 60) + " min";
  }
}
