package dev.promptcanary.activities.stats;

import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Sample size and wall time for a canary comparison, using the same boundary as the gates.
 *
 * <p>With n_c canary and n_b = n_c (1 - w) / w baseline samples the estimate has variance V =
 * sigma^2 (1/n_c + 1/n_b). The engine rolls back once the estimate is past the boundary, so an
 * effect d is caught on average near the n where the radius c(V) equals d, and with probability at
 * least {@code power} by the n where d - c(V) >= z_power sqrt(V).
 */
public final class SamplePlanner {
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final long MAX_SAMPLES = 1L << 40;

  private SamplePlanner() {}

  public static SamplePlan plan(PlanRequest request) {
    double w = request.canaryWeightBasisPoints() / 10_000.0;
    double tau =
        request.tau() > 0
            ? request.tau()
            : OneSidedNormalMixture.tunedTau(request.alpha(), request.effect());
    double zPower = NORMAL.inverseCumulativeProbability(request.power());
    long expected = smallest(n -> radius(request, tau, w, n) <= request.effect());
    long forPower =
        smallest(
            n ->
                request.effect() - radius(request, tau, w, n)
                    >= zPower * Math.sqrt(variance(request, w, n)));
    double canaryPerHour = request.requestsPerHour() * w;
    double expectedHours = expected / canaryPerHour;
    double hoursForPower = forPower / canaryPerHour;
    long baseline = (long) Math.ceil(forPower * (1 - w) / w);
    String summary =
        String.format(
            Locale.ROOT,
            "at %s%% of %s requests/hour, catching a change of %s (sd %s) needs ~%d canary "
                + "samples (~%s) on average and %d (~%s) for %s%% power",
            plain(100 * w),
            plain(request.requestsPerHour()),
            plain(request.effect()),
            plain(request.sigma()),
            expected,
            hours(expectedHours),
            forPower,
            hours(hoursForPower),
            plain(100 * request.power()));
    return new SamplePlan(expected, forPower, baseline, expectedHours, hoursForPower, summary);
  }

  /**
   * The smallest canary weight (basis points, up to 5000) at which {@link
   * SamplePlan#hoursForPower()} fits in {@code hoursAvailable}; -1 if even an even split is too
   * slow. The rollout uses it to raise the canary weight when the bake window would expire without
   * enough data.
   */
  public static int requiredWeightBasisPoints(PlanRequest request, double hoursAvailable) {
    if (plan(request.withWeight(5_000)).hoursForPower() > hoursAvailable) {
      return -1;
    }
    int lo = 1;
    int hi = 5_000;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (plan(request.withWeight(mid)).hoursForPower() <= hoursAvailable) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * Canary samples of a classical fixed-horizon two-sample z-test (two-sided {@code alpha}) with
   * the given power; the comparator of the decision-quality benchmark. 336 per arm for effect 0.05,
   * sigma 0.2, alpha 0.05, power 0.9 and an even split.
   */
  public static long fixedHorizonCanarySamples(
      double effect, double sigma, double alpha, double power, int canaryWeightBasisPoints) {
    double w = canaryWeightBasisPoints / 10_000.0;
    double z =
        NORMAL.inverseCumulativeProbability(1 - alpha / 2)
            + NORMAL.inverseCumulativeProbability(power);
    double perCanary = sigma * sigma * (1 + w / (1 - w)); // n_c V
    return (long) Math.ceil(perCanary * z * z / (effect * effect));
  }

  /**
   * What each enabled gate of a stage's test (the per-stage gates: alphas already split) needs at
   * {@code weightBp} for an identical canary, slowest first. Gates that never hold a promotion
   * (harm detection without a minimum power or a latency promotion guard, feedback) are left out;
   * so are custom MEAN metrics, whose spread the planner does not know. Variances include the
   * traffic's design effect.
   */
  public static java.util.List<GateNeed> gateNeeds(
      dev.promptcanary.workflows.domain.GatesConfig gates, int weightBp, TrafficProfile t) {
    java.util.Map<dev.promptcanary.workflows.domain.GateKind, Double> alphas =
        CanaryAnalysis.gateAlphas(gates);
    java.util.Map<String, Double> metricAlphas = CanaryAnalysis.metricAlphas(gates);
    double rate = Math.max(1, t.requestsPerHour());
    double inflate = Math.sqrt(t.designEffect());
    java.util.List<GateNeed> needs = new java.util.ArrayList<>();
    var quality = gates.quality();
    if (quality.enabled()) {
      needs.add(
          need(
              "quality",
              gates.quality().margin(),
              t.scoreSd() * inflate,
              alphas.get(dev.promptcanary.workflows.domain.GateKind.QUALITY),
              0,
              weightBp,
              rate));
    }
    rateNeed(
        needs,
        "error_rate",
        gates.errorRate(),
        t.errorRate(),
        alphas.get(dev.promptcanary.workflows.domain.GateKind.ERROR_RATE),
        inflate,
        weightBp,
        rate);
    rateNeed(
        needs,
        "safety_rate",
        gates.safety(),
        t.safetyRate(),
        alphas.get(dev.promptcanary.workflows.domain.GateKind.SAFETY_RATE),
        inflate,
        weightBp,
        rate);
    var latency = gates.latency();
    boolean latencyGuard =
        latency.promotionConfidence() > 0
            && latency.mode() == dev.promptcanary.workflows.domain.GateMode.HARM_DETECTION;
    if (latency.enabled() && (holds(latency.mode(), latency.minimumPower()) || latencyGuard)) {
      double alpha =
          alphas.get(dev.promptcanary.workflows.domain.GateKind.LATENCY)
              / latency.quantiles().size();
      for (int i = 0; i < latency.quantiles().size(); i++) {
        double q = latency.quantiles().get(i);
        String name = "latency " + dev.promptcanary.workflows.domain.LatencyGate.label(q);
        double sigma = Math.sqrt(q * (1 - q)) * inflate;
        double margin = latency.margins().get(i);
        long canarySamples = 0;
        if (holds(latency.mode(), latency.minimumPower())) {
          canarySamples =
              need(
                      name,
                      margin - (latency.minimumPower() > 0 ? latency.minimumEffect() : 0),
                      sigma,
                      alpha,
                      latency.minimumPower(),
                      weightBp,
                      rate)
                  .canarySamples();
        }
        if (latencyGuard) {
          canarySamples =
              Math.max(
                  canarySamples,
                  guardCanarySamples(margin, sigma, latency.promotionConfidence(), weightBp));
        }
        needs.add(new GateNeed(name, canarySamples));
      }
    }
    var cost = gates.cost();
    if (cost.enabled() && holds(cost.mode(), cost.minimumPower())) {
      needs.add(
          need(
              "cost",
              cost.margin() - (cost.minimumPower() > 0 ? cost.minimumEffect() : 0),
              t.costCv() * inflate,
              alphas.get(dev.promptcanary.workflows.domain.GateKind.COST),
              cost.minimumPower(),
              weightBp,
              rate));
    }
    for (var metric : gates.metrics()) {
      if (metric.kind() == dev.promptcanary.workflows.domain.MetricGate.Kind.PROPORTION
          && holds(metric.mode(), metric.minimumPower())) {
        // The spread of a proportion is at most 0.5: a conservative plan without its base rate.
        needs.add(
            need(
                "metric " + metric.name(),
                metric.margin() - (metric.minimumPower() > 0 ? metric.minimumEffect() : 0),
                0.5 * inflate,
                metricAlphas.get(metric.name()),
                metric.minimumPower(),
                weightBp,
                rate));
      }
    }
    if (gates.sampleRatio().enabled()) {
      needs.add(
          new GateNeed(
              "sample_ratio",
              (long)
                  Math.ceil(srmCanaryUnits(gates.sampleRatio(), weightBp) * t.requestsPerUnit())));
    }
    needs.removeIf(n -> n.canarySamples() <= 0);
    needs.sort(java.util.Comparator.comparingLong(GateNeed::canarySamples).reversed());
    return java.util.List.copyOf(needs);
  }

  /**
   * Canary units by which the sample ratio check verifies the split within its tolerance, for a
   * split that is right: the always-valid bounds' half-width, about z sqrt(w (1 - w) / N) with z^2
   * ~ 2 ln(1/alpha) + ln(1 + N tol^2 / (w (1 - w))), must fall below tol = relativeTolerance min(w,
   * 1 - w); solved by iterating on N.
   */
  static double srmCanaryUnits(dev.promptcanary.workflows.domain.SrmGate srm, int weightBp) {
    double w = weightBp / 10_000.0;
    double tol = srm.relativeTolerance() * Math.min(w, 1 - w);
    double units = 100;
    for (int i = 0; i < 30; i++) {
      double z2 = 2 * Math.log(1 / srm.alpha()) + Math.log(1 + units * tol * tol / (w * (1 - w)));
      units = z2 * w * (1 - w) / (tol * tol);
    }
    return units * w;
  }

  private static boolean holds(dev.promptcanary.workflows.domain.GateMode mode, double power) {
    return mode == dev.promptcanary.workflows.domain.GateMode.NON_INFERIORITY || power > 0;
  }

  private static void rateNeed(
      java.util.List<GateNeed> needs,
      String name,
      dev.promptcanary.workflows.domain.RateGate gate,
      double baseRate,
      Double alpha,
      double inflate,
      int weightBp,
      double rate) {
    if (!gate.enabled() || !holds(gate.mode(), gate.minimumPower())) {
      return;
    }
    double p = Math.max(baseRate, 1e-4);
    double margin = gate.marginAt(p) - (gate.minimumPower() > 0 ? gate.minimumEffect() : 0);
    needs.add(
        need(
            name,
            margin,
            Math.sqrt(p * (1 - p)) * inflate,
            alpha,
            gate.minimumPower(),
            weightBp,
            rate));
  }

  /**
   * Non-inferiority (power 0): the n where the radius reaches the margin, the median time to clear
   * it for an identical canary. Harm detection with a power: the n where that power is reached.
   */
  private static GateNeed need(
      String name,
      double effect,
      double sigma,
      double alpha,
      double power,
      int weightBp,
      double rate) {
    if (!(effect > 0)) {
      return new GateNeed(name, Long.MAX_VALUE / 4);
    }
    PlanRequest request =
        new PlanRequest(effect, sigma, alpha, 0, power > 0 ? power : 0.95, weightBp, rate);
    SamplePlan plan = plan(request);
    return new GateNeed(
        name, power > 0 ? plan.canarySamplesForPower() : plan.expectedCanarySamples());
  }

  /**
   * Canary samples by which a promotion guard at {@code confidence} against a harm of {@code
   * margin} lets an identical canary through (its estimate at 0): the sequential probability ratio
   * test's limit {@code d/2 - V ln(1/(1 - c)) / d} reaches 0 when {@code V = d^2 / (2 ln(1/(1 -
   * c)))}, and {@code V = sigma^2 / (n_c (1 - w))}.
   */
  static long guardCanarySamples(double margin, double sigma, double confidence, int weightBp) {
    double w = weightBp / 10_000.0;
    double logRatio = Math.log(1 / (1 - confidence));
    return (long) Math.ceil(2 * logRatio * sigma * sigma / (margin * margin * (1 - w)));
  }

  /**
   * The smallest weight (basis points, up to 5000) at which every gate's need fits in {@code
   * hoursAvailable} at {@code requestsPerHour}; -1 if even an even split is too slow.
   */
  public static int requiredWeightBasisPoints(
      dev.promptcanary.workflows.domain.GatesConfig gates,
      TrafficProfile t,
      double hoursAvailable) {
    java.util.function.IntPredicate fits =
        bp -> hoursFor(gateNeeds(gates, bp, t), bp, t) <= hoursAvailable;
    if (!fits.test(5_000)) {
      return -1;
    }
    int lo = 1;
    int hi = 5_000;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (fits.test(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Hours until the slowest need is met at weight {@code weightBp}. */
  public static double hoursFor(java.util.List<GateNeed> needs, int weightBp, TrafficProfile t) {
    if (needs.isEmpty()) {
      return 0;
    }
    double canaryPerHour = t.requestsPerHour() * weightBp / 10_000.0;
    return canaryPerHour <= 0
        ? Double.POSITIVE_INFINITY
        : needs.get(0).canarySamples() / canaryPerHour;
  }

  private static double variance(PlanRequest r, double w, long canary) {
    double baseline = canary * (1 - w) / w;
    return r.sigma() * r.sigma() * (1.0 / canary + 1.0 / baseline);
  }

  private static double radius(PlanRequest r, double tau, double w, long canary) {
    return OneSidedNormalMixture.radius(variance(r, w, canary), tau, r.alpha());
  }

  /** Smallest n >= 2 satisfying a condition that, once true, stays true as n grows. */
  private static long smallest(java.util.function.LongPredicate ok) {
    long hi = 2;
    while (!ok.test(hi)) {
      hi *= 2;
      if (hi > MAX_SAMPLES) {
        throw new IllegalArgumentException("needs more than " + MAX_SAMPLES + " samples");
      }
    }
    long lo = Math.max(2, hi / 2);
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (ok.test(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  static String plain(double v) {
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(4))
        .stripTrailingZeros()
        .toPlainString();
  }

  static String hours(double h) {
    return h < 1
        ? String.format(Locale.ROOT, "%.0f min", 60 * h)
        : h < 48
            ? String.format(Locale.ROOT, "%.1f h", h)
            : String.format(Locale.ROOT, "%.1f days", h / 24);
  }
}
