package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statistics engine: one call per look at a running canary, deterministic for the same input,
 * no I/O. See docs/statistics.md for the method and its guarantees.
 *
 * <p>Combining the gates: a sample ratio mismatch blocks everything (the arms are not comparable);
 * otherwise any regression rolls back; promotion needs every enabled gate non-inferior, the sample
 * ratio check included (the split verified within its tolerance); anything else keeps waiting. The
 * family-wise false-rollback rate is at most {@link GatesConfig#alpha()} because each gate's bounds
 * use its Bonferroni share of it ({@link #gateAlphas}).
 *
 * <p>Use {@link #analyse(AnalysisInput)} for a one-off verdict, or {@link #of(GatesConfig)} once
 * per rollout and then {@link #verdicts} or {@link #decision} per look (the simulation benchmark
 * does the latter: same arithmetic, no text).
 */
public final class CanaryAnalysis {
  private final GatesConfig gates;
  private final SampleRatioCheck sampleRatio;
  private final List<GateCheck> checks;

  private CanaryAnalysis(GatesConfig gates) {
    this.gates = gates;
    this.sampleRatio =
        gates.sampleRatio().enabled() ? new SampleRatioCheck(gates.sampleRatio()) : null;
    Map<GateKind, Double> alphas = gateAlphas(gates);
    int min = gates.minimumSamples();
    List<GateCheck> list = new ArrayList<>();
    if (gates.quality().enabled()) {
      list.add(new QualityCheck(gates.quality(), alphas.get(GateKind.QUALITY), min));
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
    }
    if (gates.latency().enabled()) {
      list.add(new LatencyCheck(gates.latency(), alphas.get(GateKind.LATENCY), min));
    }
    if (gates.cost().enabled()) {
      list.add(new CostCheck(gates.cost(), alphas.get(GateKind.COST), min));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("at least one comparison gate must be enabled");
    }
    this.checks = List.copyOf(list);
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
   * Each enabled comparison gate's one-sided alpha: {@code alpha * share / sum of enabled shares}.
   * The shares sum to 1 by default, so quality gets 0.045 and the four guardrails 0.00125 each.
   */
  public static Map<GateKind, Double> gateAlphas(GatesConfig gates) {
    double total = 0;
    Map<GateKind, Double> shares = new java.util.EnumMap<>(GateKind.class);
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
    if (gates.cost().enabled()) {
      shares.put(GateKind.COST, gates.cost().alphaShare());
    }
    for (double share : shares.values()) {
      total += share;
    }
    Map<GateKind, Double> alphas = new java.util.EnumMap<>(GateKind.class);
    for (Map.Entry<GateKind, Double> e : shares.entrySet()) {
      alphas.put(e.getKey(), gates.alpha() * e.getValue() / total);
    }
    return Map.copyOf(alphas);
  }

  public GatesConfig gates() {
    return gates;
  }

  /** The overall decision only: what the workflow acts on. */
  public Decision decision(AnalysisInput input) {
    requireSameGates(input);
    int offset = sampleRatio == null ? 0 : 1;
    Decision[] decisions = new Decision[checks.size() + offset];
    if (sampleRatio != null) {
      decisions[0] = sampleRatio.decide(input);
      if (decisions[0] == Decision.SAMPLE_RATIO_MISMATCH) {
        return Decision.SAMPLE_RATIO_MISMATCH;
      }
    }
    for (int i = 0; i < checks.size(); i++) {
      decisions[i + offset] = checks.get(i).decide(input);
    }
    return combine(decisions);
  }

  /** Every gate's verdict and the overall one. */
  public AnalysisResult verdicts(AnalysisInput input) {
    requireSameGates(input);
    List<Verdict> verdicts = new ArrayList<>();
    if (sampleRatio != null) {
      GateOutcome outcome = sampleRatio.evaluate(input);
      verdicts.add(outcome.toVerdict(sampleRatio.reason(outcome)));
    }
    for (GateCheck check : checks) {
      GateOutcome outcome = check.evaluate(input);
      verdicts.add(outcome.toVerdict(check.reason(outcome)));
    }
    Decision[] decisions = new Decision[verdicts.size()];
    for (int i = 0; i < decisions.length; i++) {
      decisions[i] = verdicts.get(i).decision();
    }
    Decision overall =
        sampleRatio != null && decisions[0] == Decision.SAMPLE_RATIO_MISMATCH
            ? Decision.SAMPLE_RATIO_MISMATCH
            : combine(decisions);
    return new AnalysisResult(overallVerdict(overall, verdicts, input), verdicts);
  }

  /** Any regression rolls back; all non-inferior promotes; otherwise keep waiting. */
  static Decision combine(Decision[] decisions) {
    boolean allNonInferior = true;
    boolean anyInsufficient = false;
    for (Decision d : decisions) {
      if (d == Decision.REGRESSION) {
        return Decision.REGRESSION;
      }
      allNonInferior &= d == Decision.NON_INFERIOR;
      anyInsufficient |= d == Decision.INSUFFICIENT_DATA;
    }
    if (allNonInferior) {
      return Decision.NON_INFERIOR;
    }
    return anyInsufficient ? Decision.INSUFFICIENT_DATA : Decision.INCONCLUSIVE;
  }

  private Verdict overallVerdict(Decision overall, List<Verdict> verdicts, AnalysisInput input) {
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
        reason = "promote: all " + verdicts.size() + " gates clear; " + basis.reason();
      }
      default -> {
        basis = first(verdicts, overall);
        List<String> waiting = new ArrayList<>();
        for (Verdict v : verdicts) {
          if (v.decision() != Decision.NON_INFERIOR) {
            waiting.add(v.gate().name().toLowerCase(java.util.Locale.ROOT));
          }
        }
        reason = "keep waiting on " + String.join(", ", waiting) + "; " + basis.reason();
      }
    }
    return new Verdict(
        GateKind.OVERALL,
        overall,
        input.canary().observations(),
        input.baseline().observations(),
        basis.estimate(),
        basis.lower(),
        basis.upper(),
        basis.threshold(),
        reason);
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
