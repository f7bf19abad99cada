package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.LatencyGate;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics engine: one call per look at a running canary, deterministic for the same input,
 * no I/O. See docs/statistics.md for the method and its guarantees.
 *
 * <p>Combining the gates: a sample ratio mismatch blocks everything (the arms are not comparable);
 * otherwise any regression rolls back; promotion needs no gate holding it: every non-inferiority
 * gate shown within its margin, every harm-detection gate with a minimum power at that power, the
 * sample ratio check verified within its tolerance; anything else keeps waiting. The family-wise
 * false-rollback rate is at most {@link GatesConfig#alpha()} because each gate's bounds use its
 * Bonferroni share of it ({@link #gateAlphas}).
 *
 * <p>Use {@link #analyse(AnalysisInput)} for a one-off verdict, or {@link #of(GatesConfig)} once
 * per rollout and then {@link #verdicts} or {@link #decision} per look (the simulation benchmark
 * does the latter: same arithmetic, no text).
 */
public final class CanaryAnalysis {
  private final GatesConfig gates;
  private final SampleRatioCheck sampleRatio;
  private final List<GateCheck> checks;

  /** Per check, whether its gate is a dry run: evaluated and shown, never deciding. */
  private final List<Boolean> dryRun;

  private CanaryAnalysis(GatesConfig gates) {
    this.gates = gates;
    this.sampleRatio =
        gates.sampleRatio().enabled() ? new SampleRatioCheck(gates.sampleRatio()) : null;
    Map<GateKind, Double> alphas = gateAlphas(gates);
    Map<String, Double> metricAlphas = metricAlphas(gates);
    int min = gates.minimumSamples();
    List<GateCheck> list = new ArrayList<>();
    List<Boolean> dry = new ArrayList<>();
    if (gates.quality().enabled()) {
      list.add(new QualityCheck(gates.quality(), alphas.get(GateKind.QUALITY), min));
      dry.add(gates.quality().dryRun());
    }
    if (gates.errorRate().enabled()) {
      list.add(
          new RateCheck(
              GateKind.ERROR_RATE,
              "error rate",
              gates.errorRate(),
              ArmSummary::errors,
              alphas.get(GateKind.ERROR_RATE),
              min));
      dry.add(gates.errorRate().dryRun());
    }
    if (gates.safety().enabled()) {
      list.add(
          new RateCheck(
              GateKind.SAFETY_RATE,
              "safety-flag rate",
              gates.safety(),
              ArmSummary::safetyFlags,
              alphas.get(GateKind.SAFETY_RATE),
              min));
      dry.add(gates.safety().dryRun());
    }
    if (gates.latency().enabled()) {
      LatencyGate latency = gates.latency();
      double perQuantile = alphas.get(GateKind.LATENCY) / latency.quantiles().size();
      for (int i = 0; i < latency.quantiles().size(); i++) {
        list.add(new LatencyCheck(latency, i, perQuantile, min));
        dry.add(latency.dryRun());
      }
    }
    if (gates.cost().settings().enabled()) {
      list.add(new CostCheck(gates.cost(), alphas.get(GateKind.COST), min));
      dry.add(gates.cost().settings().dryRun());
    }
    if (gates.feedback().settings().enabled()) {
      list.add(new MeanCheck(gates.feedback(), alphas.get(GateKind.FEEDBACK), min));
      dry.add(gates.feedback().settings().dryRun());
    }
    for (MetricGate metric : gates.metrics()) {
      double alpha = metricAlphas.get(metric.name());
      list.add(
          metric.kind() == MetricGate.Kind.PROPORTION
              ? new RateCheck(metric, alpha, min)
              : new MeanCheck(metric, alpha, min));
      dry.add(metric.dryRun());
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("at least one comparison gate must be enabled");
    }
    if (!dry.contains(false)) {
      throw new IllegalArgumentException("at least one comparison gate must decide (not dryRun)");
    }
    this.checks = List.copyOf(list);
    this.dryRun = List.copyOf(dry);
  }

  /** Prepares the gates of one configuration (tuned mixing scales, alpha split) for many looks. */
  public static CanaryAnalysis of(GatesConfig gates) {
    return new CanaryAnalysis(gates);
  }

  /** One-off verdict for one look. */
  public static AnalysisResult analyse(AnalysisInput input) {
    return of(input.gates()).verdicts(input);
  }

  /**
   * One-off verdict for one look of a rollout that enforces its gates or, with {@code notifyOnly},
   * only alerts on a regression ({@link #verdicts(AnalysisInput, boolean)}).
   */
  public static AnalysisResult analyse(AnalysisInput input, boolean notifyOnly) {
    return of(input.gates()).verdicts(input, notifyOnly);
  }

  /**
   * Each enabled comparison gate's one-sided alpha: {@code alpha * share / sum of enabled shares}.
   * The default shares sum to 1, so quality gets 0.045 and the five guardrails (errors, safety,
   * latency, cost, feedback) 0.001 each; latency splits its share evenly over its quantiles. {@link
   * GateKind#METRIC} is the custom metrics' total ({@link #metricAlphas} has each one's).
   */
  public static Map<GateKind, Double> gateAlphas(GatesConfig gates) {
    Map<GateKind, Double> shares = new EnumMap<>(GateKind.class);
    if (gates.quality().enabled()) {
      shares.put(GateKind.QUALITY, gates.quality().alphaShare());
    }
    if (gates.errorRate().enabled()) {
      shares.put(GateKind.ERROR_RATE, gates.errorRate().alphaShare());
    }
    if (gates.safety().enabled()) {
      shares.put(GateKind.SAFETY_RATE, gates.safety().alphaShare());
    }
    if (gates.latency().enabled()) {
      shares.put(GateKind.LATENCY, gates.latency().alphaShare());
    }
    if (gates.cost().settings().enabled()) {
      shares.put(GateKind.COST, gates.cost().settings().alphaShare());
    }
    if (gates.feedback().settings().enabled()) {
      shares.put(GateKind.FEEDBACK, gates.feedback().settings().alphaShare());
    }
    double metrics = 0;
    for (MetricGate m : gates.metrics()) {
      metrics += m.alphaShare();
    }
    if (!gates.metrics().isEmpty()) {
      shares.put(GateKind.METRIC, metrics);
    }
    double total = totalShare(gates);
    Map<GateKind, Double> alphas = new EnumMap<>(GateKind.class);
    for (Map.Entry<GateKind, Double> e : shares.entrySet()) {
      alphas.put(e.getKey(), gates.alpha() * e.getValue() / total);
    }
    return Map.copyOf(alphas);
  }

  /** Each custom metric's one-sided alpha, by name. */
  public static Map<String, Double> metricAlphas(GatesConfig gates) {
    double total = totalShare(gates);
    Map<String, Double> alphas = new java.util.HashMap<>();
    for (MetricGate m : gates.metrics()) {
      alphas.put(m.name(), gates.alpha() * m.alphaShare() / total);
    }
    return Map.copyOf(alphas);
  }

  private static double totalShare(GatesConfig gates) {
    double total = 0;
    total += gates.quality().enabled() ? gates.quality().alphaShare() : 0;
    total += gates.errorRate().enabled() ? gates.errorRate().alphaShare() : 0;
    total += gates.safety().enabled() ? gates.safety().alphaShare() : 0;
    total += gates.latency().enabled() ? gates.latency().alphaShare() : 0;
    total += gates.cost().settings().enabled() ? gates.cost().settings().alphaShare() : 0;
    total += gates.feedback().settings().enabled() ? gates.feedback().settings().alphaShare() : 0;
    for (MetricGate m : gates.metrics()) {
      total += m.alphaShare();
    }
    return total;
  }

  public GatesConfig gates() {
    return gates;
  }

  /** The overall decision only: what the workflow acts on. */
  public Decision decision(AnalysisInput input) {
    requireSameGates(input);
    boolean srmHolds = false;
    if (sampleRatio != null) {
      Decision srm = sampleRatio.decide(input);
      if (srm == Decision.SAMPLE_RATIO_MISMATCH) {
        return Decision.SAMPLE_RATIO_MISMATCH;
      }
      srmHolds = srm != Decision.NON_INFERIOR;
    }
    boolean anyHolds = srmHolds;
    boolean anyInsufficient = false;
    for (int i = 0; i < checks.size(); i++) {
      if (dryRun.get(i)) {
        continue;
      }
      GateOutcome o = checks.get(i).evaluate(input);
      if (o.decision() == Decision.REGRESSION) {
        return Decision.REGRESSION;
      }
      anyHolds |= o.holds();
      anyInsufficient |= o.holds() && o.decision() == Decision.INSUFFICIENT_DATA;
    }
    return !anyHolds
        ? Decision.NON_INFERIOR
        : anyInsufficient ? Decision.INSUFFICIENT_DATA : Decision.INCONCLUSIVE;
  }

  /** Every gate's verdict and the overall one. */
  public AnalysisResult verdicts(AnalysisInput input) {
    return verdicts(input, false);
  }

  /**
   * Every gate's verdict and the overall one. A dry-run gate's verdict is in the list (marked
   * {@link Verdict#dryRun()}) and takes no part in the overall one. With {@code notifyOnly}, a
   * deciding gate's regression is not the overall verdict: that gate counts as undecided and
   * holding the promotion (as a regressing gate does), so the stage neither rolls back nor passes
   * on it; its own verdict still says REGRESSION.
   */
  public AnalysisResult verdicts(AnalysisInput input, boolean notifyOnly) {
    requireSameGates(input);
    List<Verdict> all = new ArrayList<>();
    List<Verdict> verdicts = new ArrayList<>();
    List<GateOutcome> outcomes = new ArrayList<>();
    if (sampleRatio != null) {
      GateOutcome outcome = sampleRatio.evaluate(input);
      outcomes.add(outcome);
      verdicts.add(outcome.toVerdict(sampleRatio.reason(outcome), false));
      all.add(verdicts.get(0));
    }
    List<String> notified = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      GateCheck check = checks.get(i);
      GateOutcome outcome = check.evaluate(input);
      Verdict verdict = outcome.toVerdict(check.reason(outcome), dryRun.get(i));
      if (verdict.dryRun()) {
        all.add(verdict);
        continue;
      }
      all.add(verdict);
      if (notifyOnly && outcome.decision() == Decision.REGRESSION) {
        notified.add(name(verdict));
        outcome = outcome.with(Decision.INCONCLUSIVE, outcome.ceilingBreached(), true);
      }
      outcomes.add(outcome);
      verdicts.add(verdict);
    }
    Decision overall =
        sampleRatio != null && outcomes.get(0).decision() == Decision.SAMPLE_RATIO_MISMATCH
            ? Decision.SAMPLE_RATIO_MISMATCH
            : combine(outcomes);
    Verdict summary = overallVerdict(overall, outcomes, verdicts, input);
    if (!notified.isEmpty()) {
      summary =
          new Verdict(
              summary.gate(),
              summary.decision(),
              summary.canaryN(),
              summary.stableN(),
              summary.estimate(),
              summary.lower(),
              summary.upper(),
              summary.threshold(),
              "notify-only, regression not acted on ("
                  + String.join(", ", notified)
                  + "); "
                  + summary.reason(),
              null,
              false);
    }
    return new AnalysisResult(summary, List.copyOf(all));
  }

  /**
   * Any regression rolls back; no gate holding promotes; otherwise keep waiting, on missing data if
   * a holding gate lacks it.
   */
  static Decision combine(List<GateOutcome> outcomes) {
    boolean anyHolds = false;
    boolean anyInsufficient = false;
    for (GateOutcome o : outcomes) {
      if (o.decision() == Decision.REGRESSION) {
        return Decision.REGRESSION;
      }
      anyHolds |= o.holds();
      anyInsufficient |= o.holds() && o.decision() == Decision.INSUFFICIENT_DATA;
    }
    if (!anyHolds) {
      return Decision.NON_INFERIOR;
    }
    return anyInsufficient ? Decision.INSUFFICIENT_DATA : Decision.INCONCLUSIVE;
  }

  private static final GateOutcome.Numbers NO_NUMBERS =
      new GateOutcome.Numbers(0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN);

  /** {@link #combine(List)} for gates that all hold until NON_INFERIOR. */
  static Decision combine(Decision[] decisions) {
    List<GateOutcome> outcomes = new ArrayList<>();
    for (Decision d : decisions) {
      outcomes.add(
          new GateOutcome(
              GateKind.OVERALL, null, d, NO_NUMBERS, false, d != Decision.NON_INFERIOR));
    }
    return combine(outcomes);
  }

  private Verdict overallVerdict(
      Decision overall, List<GateOutcome> outcomes, List<Verdict> verdicts, AnalysisInput input) {
    Verdict basis;
    String reason;
    switch (overall) {
      case SAMPLE_RATIO_MISMATCH -> {
        basis = first(verdicts, Decision.SAMPLE_RATIO_MISMATCH);
        reason = "blocked, " + basis.reason();
      }
      case REGRESSION -> {
        basis = first(verdicts, Decision.REGRESSION);
        reason = "roll back, " + basis.reason();
      }
      case NON_INFERIOR -> {
        basis = firstComparison(verdicts);
        List<String> notShown = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
          GateOutcome o = outcomes.get(i);
          if (o.decision() != Decision.NON_INFERIOR) {
            notShown.add(
                name(verdicts.get(i))
                    + (Double.isNaN(o.numbers().mde())
                        ? " (no data)"
                        : " " + Reasons.num(o.numbers().mde())));
          }
        }
        reason =
            "promote: no gate holds ("
                + verdicts.size()
                + " gates)"
                + (notShown.isEmpty()
                    ? ", all shown within their margins"
                    : "; harm-detection gates not shown within their margins, smallest harm each"
                        + " could detect with 80% power: "
                        + String.join(", ", notShown))
                + "; "
                + basis.reason();
      }
      default -> {
        basis = first(verdicts, overall);
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
          if (outcomes.get(i).holds()) {
            waiting.add(name(verdicts.get(i)));
          }
        }
        reason = "keep waiting on " + String.join(", ", waiting) + "; " + basis.reason();
      }
    }
    return new Verdict(
        GateKind.OVERALL,
        overall,
        input.canary().observations(),
        input.stable().observations(),
        basis.estimate(),
        basis.lower(),
        basis.upper(),
        basis.threshold(),
        reason,
        null,
        false);
  }

  /** "error_rate", "latency p95", "metric resolution". */
  private static String name(Verdict v) {
    String gate = v.gate().name().toLowerCase(java.util.Locale.ROOT);
    return v.metric() == null ? gate : gate + " " + v.metric();
  }

  /** The first comparison gate (quality when enabled): the headline numbers of a promotion. */
  private static Verdict firstComparison(List<Verdict> verdicts) {
    for (Verdict v : verdicts) {
      if (v.gate() != GateKind.SAMPLE_RATIO) {
        return v;
      }
    }
    return verdicts.get(0);
  }

  private static Verdict first(List<Verdict> verdicts, Decision decision) {
    for (Verdict v : verdicts) {
      if (v.decision() == decision) {
        return v;
      }
    }
    return firstComparison(verdicts);
  }

  private void requireSameGates(AnalysisInput input) {
    if (input.gates() != gates && !input.gates().equals(gates)) {
      throw new IllegalArgumentException("input carries a different gate configuration");
    }
  }
}
