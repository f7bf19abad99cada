package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.CostGate;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GateMode;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.LatencyGate;
import dev.promptcanary.workflows.domain.MetricGate;
import dev.promptcanary.workflows.domain.RateGate;
import dev.promptcanary.workflows.domain.SrmGate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
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
    long stable = (long) Math.ceil(forPower * (1 - w) / w);
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
    return new SamplePlan(expected, forPower, stable, expectedHours, hoursForPower, summary);
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
   * {@code weightBp} for an identical canary, slowest first: the canary samples by which it stops
   * holding the promotion in half the runs ({@link #releaseModels}). Gates that never hold a
   * promotion (harm detection without a minimum power or a latency promotion guard, feedback) are
   * left out; so are custom MEAN metrics, whose spread the planner does not know. Variances include
   * the design effect of the sessions first exposed in the stage as far as they have gone by the
   * time n canary samples take ({@link TrafficProfile#designEffectAt}). The stage as a whole needs
   * more than its slowest gate: {@link #medianCanarySamples}.
   */
  public static List<GateNeed> gateNeeds(GatesConfig gates, int weightBp, TrafficProfile t) {
    List<GateNeed> needs = new ArrayList<>();
    for (Release r : releaseModels(gates, weightBp, t)) {
      needs.add(new GateNeed(r.gate(), smallestOrNever(n -> r.released(n) >= 0.5)));
    }
    needs.sort(Comparator.comparingLong(GateNeed::canarySamples).reversed());
    return List.copyOf(needs);
  }

  /**
   * The canary samples by which an identical canary is promoted in half the runs: the smallest n at
   * which every holding gate has let go with probability 1/2, {@code prod_g P(gate g released by n)
   * >= 1/2}, the gates taken as independent. This is the median of the slowest gate's stopping
   * time, not the slowest gate's median: two gates that each release by n in half the runs release
   * together by n in a quarter. 0 when no gate holds a promotion.
   */
  public static long medianCanarySamples(GatesConfig gates, int weightBp, TrafficProfile t) {
    List<Release> models = releaseModels(gates, weightBp, t);
    if (models.isEmpty()) {
      return 0;
    }
    return smallestOrNever(
        n -> {
          double all = 1;
          for (Release r : models) {
            all *= r.released(n);
          }
          return all >= 0.5;
        });
  }

  /**
   * One gate's chance of no longer holding the promotion at canary sample count n, for an identical
   * canary (a single look at n: a sequential test that looks continuously lets go a little
   * earlier).
   */
  interface Release {
    String gate();

    double released(long canarySamples);
  }

  private record Model(String gate, java.util.function.LongToDoubleFunction p) implements Release {
    @Override
    public double released(long canarySamples) {
      return p.applyAsDouble(canarySamples);
    }
  }

  /**
   * The release model of every holding gate, each built on the gate's own {@link Comparison} (same
   * alpha split, boundaries, mixing scale and power rule as the look):
   *
   * <ul>
   *   <li>a non-inferiority bound on an estimate D ~ N(0, V) clears the margin m when {@code D +
   *       radius(V) < m}: probability {@code Phi((m - radius(V)) / sqrt(V))}; for a relative rate
   *       margin also on {@code rate_c - (1 + r) rate_b}, with variance {@code V_c + (1 + r)^2
   *       V_b};
   *   <li>a harm-detection gate with a minimum power lets go once its power rule holds (at the true
   *       rates that is a fixed n), or earlier if it clears the margin;
   *   <li>the sample ratio check verifies the split when the share's always-valid bounds,
   *       half-width h(N) around an estimate of sd s(N), lie within w +/- tol: {@code 2 Phi((tol -
   *       h) / s) - 1}.
   * </ul>
   */
  static List<Release> releaseModels(GatesConfig gates, int weightBp, TrafficProfile t) {
    Map<GateKind, Double> alphas = CanaryAnalysis.gateAlphas(gates);
    Map<String, Double> metricAlphas = CanaryAnalysis.metricAlphas(gates);
    double w = weightBp / 10_000.0;
    // the design effect of the units first exposed in the stage, at the time n canary samples take
    LongToDoubleFunction deff = n -> t.designEffectAt(stageHours(n, w, t));
    int min = gates.minimumSamples();
    List<Release> models = new ArrayList<>();
    if (gates.quality().enabled()) {
      Comparison c =
          new QualityCheck(gates.quality(), alphas.get(GateKind.QUALITY), min).comparison();
      double perRequest = t.scoreSd() * t.scoreSd();
      models.add(meanModel("quality", c, c.margin(), differenceVariance(perRequest, deff, w)));
    }
    rateModel(
        models,
        "error_rate",
        GateKind.ERROR_RATE,
        gates.errorRate(),
        t.errorRate(),
        alphas,
        min,
        deff,
        w);
    rateModel(
        models,
        "safety_rate",
        GateKind.SAFETY_RATE,
        gates.safety(),
        t.safetyRate(),
        alphas,
        min,
        deff,
        w);
    LatencyGate latency = gates.latency();
    boolean powered = holds(latency.mode(), latency.minimumPower());
    boolean guarded =
        latency.promotionConfidence() > 0 && latency.mode() == GateMode.HARM_DETECTION;
    if (latency.enabled() && (powered || guarded)) {
      double alpha = alphas.get(GateKind.LATENCY) / latency.quantiles().size();
      for (int i = 0; i < latency.quantiles().size(); i++) {
        double q = latency.quantiles().get(i);
        String name = "latency " + LatencyGate.label(q);
        Comparison c = new LatencyCheck(latency, i, alpha, min).comparison();
        double perRequest = q * (1 - q);
        LongToDoubleFunction variance = differenceVariance(perRequest, deff, w);
        Release power = powered ? meanModel(name, c, c.margin(), variance) : null;
        Release guard = guarded ? guardModel(name, c, c.margin(), variance) : null;
        models.add(
            power == null
                ? guard
                : guard == null
                    ? power
                    : new Model(name, n -> power.released(n) * guard.released(n)));
      }
    }
    CostGate cost = gates.cost();
    if (cost.settings().enabled()
        && holds(cost.settings().mode(), cost.settings().minimumPower())) {
      Comparison c = new CostCheck(cost, alphas.get(GateKind.COST), min).comparison();
      models.add(
          meanModel("cost", c, c.margin(), differenceVariance(t.costCv() * t.costCv(), deff, w)));
    }
    for (MetricGate metric : gates.metrics()) {
      if (metric.kind() == MetricGate.Kind.PROPORTION
          && holds(metric.mode(), metric.minimumPower())) {
        // Without its base rate, a proportion at 0.5: the widest spread, a conservative plan.
        Comparison c = new RateCheck(metric, metricAlphas.get(metric.name()), min).difference();
        models.add(
            rateRelease(
                "metric " + metric.name(),
                c,
                metric.margin(),
                metric.relativeMargin(),
                0.5,
                deff,
                w));
      }
    }
    if (gates.sampleRatio().enabled()) {
      SrmGate srm = gates.sampleRatio();
      // units so far: the canary's requests over the partial sessions' mean length, over w
      models.add(
          new Model(
              "sample_ratio",
              n -> srmEntered(srm, w, n / t.requestsPerUnitAt(stageHours(n, w, t)) / w)));
    }
    return models;
  }

  private static void rateModel(
      List<Release> models,
      String name,
      GateKind kind,
      RateGate gate,
      double baseRate,
      Map<GateKind, Double> alphas,
      int min,
      LongToDoubleFunction deff,
      double w) {
    if (!gate.enabled() || !holds(gate.mode(), gate.minimumPower())) {
      return;
    }
    Comparison c =
        new RateCheck(kind, name, gate, ArmSummary::errors, alphas.get(kind), min).difference();
    models.add(
        rateRelease(
            name, c, gate.margin(), gate.relativeMargin(), Math.max(baseRate, 1e-4), deff, w));
  }

  /**
   * The stage's running time when its canary has {@code n} samples at weight {@code w}; NaN when
   * the request rate is unknown (then the profile's complete-session values apply).
   */
  static double stageHours(long canarySamples, double w, TrafficProfile t) {
    return t.requestsPerHour() > 0 ? t.stageHours(canarySamples, w) : Double.NaN;
  }

  /**
   * A gate on a mean or an exceedance share, with the variance of the arms' difference at n canary
   * requests ({@link #differenceVariance}).
   */
  private static Release meanModel(
      String name, Comparison c, double margin, LongToDoubleFunction variance) {
    return new Model(
        name,
        n -> {
          if (c.mode() != GateMode.NON_INFERIORITY
              && c.minimumPower() > 0
              && c.powered(margin, variance.applyAsDouble(n), 0)) {
            return 1;
          }
          return passage(k -> margin - c.radius(variance.applyAsDouble(k), margin), variance, n);
        });
  }

  /**
   * The variance of the arms' difference at n canary requests: per-request variance times the
   * design effect, over the canary's n and the stable arm's {@code n (1 - w) / w}.
   */
  private static LongToDoubleFunction differenceVariance(
      double perRequest, LongToDoubleFunction deff, double w) {
    return k -> perRequest * deff.applyAsDouble(k) * (1.0 / k + w / ((1 - w) * k));
  }

  /**
   * A latency quantile's promotion guard (harm detection): an identical canary's estimate D ~ N(0,
   * V) lets the promotion through once it is below the sequential probability ratio test's limit
   * {@code d/2 - V ln(1/(1 - c)) / d} ({@link Comparison#guardLimit}).
   */
  private static Release guardModel(
      String name, Comparison c, double margin, LongToDoubleFunction variance) {
    return new Model(
        name, n -> passage(k -> c.guardLimit(variance.applyAsDouble(k), margin), variance, n));
  }

  /**
   * A rate gate at base rate p: per-request variance {@code p (1 - p) deff} in each arm, margin
   * {@code max(floor, r p)}, the relative margin's test and the power rule as {@link RateCheck}
   * computes them.
   */
  private static Release rateRelease(
      String name,
      Comparison c,
      double floor,
      double relative,
      double p,
      LongToDoubleFunction deff,
      double w) {
    double margin = Math.max(floor, relative * p);
    double harmed = Math.min(1, p + margin);
    boolean relativeBinds = relative * p > floor;
    return new Model(
        name,
        n -> {
          double d = deff.applyAsDouble(n);
          double perRequest = p * (1 - p) * d;
          double harmedPerRequest = harmed * (1 - harmed) * d;
          double vc = perRequest / n;
          double vb = perRequest * w / ((1 - w) * n);
          double v = vc + vb;
          if (c.mode() != GateMode.NON_INFERIORITY && c.minimumPower() > 0) {
            double vAlt = Math.max(vc, harmedPerRequest / n) + vb;
            if (c.powered(margin, vAlt, relativeBinds ? relative * relative * vb : 0)) {
              return 1;
            }
          }
          LongToDoubleFunction vAt = differenceVariance(p * (1 - p), deff, w);
          double absolute = passage(k -> floor - c.radius(vAt.applyAsDouble(k), margin), vAt, n);
          if (!(relative > 0)) {
            return passage(k -> margin - c.radius(vAt.applyAsDouble(k), margin), vAt, n);
          }
          LongToDoubleFunction vRelAt =
              k ->
                  p
                      * (1 - p)
                      * deff.applyAsDouble(k)
                      * (1.0 / k + (1 + relative) * (1 + relative) * w / ((1 - w) * k));
          return Math.max(
              absolute,
              passage(k -> relative * p - c.radius(vRelAt.applyAsDouble(k), margin), vRelAt, n));
        });
  }

  /**
   * The chance that a gate has let an identical canary through by n when it looks continuously: its
   * estimate D ~ N(0, V(k)) at k samples must come below {@code limit(k)} (the margin less the
   * radius, or the guard's limit) at some k <= n. In sums, {@code Z(k) = k D(k)} is a driftless
   * Gaussian walk with variance {@code s^2 = n V(n)} per sample, and the gate lets go when it first
   * falls below {@code b(k) = k limit(k)}. Replacing b by its tangent at n, the line {@code -a +
   * beta k}, the first passage has a closed form (Brownian motion with drift beta reaching a):
   * {@code Phi((beta n - a) / (s sqrt n)) + exp(2 beta a / s^2) Phi((-a - beta n) / (s sqrt n))}.
   * The first term is the chance at the single look n ({@code Phi(limit(n) / sqrt(V(n)))}); the
   * second the paths that crossed before and came back. The boundaries are convex (the radius grows
   * like {@code sqrt(k log k)}), so the tangent lies below b. A look comes after a whole sample,
   * not continuously, so a walk that crosses between looks is only seen if it is still across:
   * Siegmund's corrected diffusion approximation moves the line out by {@link #OVERSHOOT} {@code s}
   * (a look after every sample; looks further apart let go a little later still). For the guard's
   * exact line, {@code 2 beta a / s^2 = ln(1 / (1 - c))} before that correction.
   */
  static double passage(LongToDoubleFunction limit, LongToDoubleFunction variance, long n) {
    return passage(limit, variance, n, OVERSHOOT);
  }

  /**
   * Siegmund's constant: a Gaussian random walk looked at after every step behaves like Brownian
   * motion against a boundary moved out by {@code -zeta(1/2) / sqrt(2 pi) = 0.5826} step standard
   * deviations.
   */
  static final double OVERSHOOT = 0.5826;

  static double passage(
      LongToDoubleFunction limit, LongToDoubleFunction variance, long n, double overshoot) {
    double v = variance.applyAsDouble(n);
    double l = limit.applyAsDouble(n);
    double single = NORMAL.cumulativeProbability(l / Math.sqrt(v));
    long h = Math.max(1, n / 50);
    long lo = Math.max(1, n - h);
    long hi = n + h;
    double beta = (hi * limit.applyAsDouble(hi) - lo * limit.applyAsDouble(lo)) / (hi - lo);
    double s2 = n * v;
    double a = n * beta - n * l + overshoot * Math.sqrt(s2);
    if (!(beta > 0) || !(a > 0) || !(s2 > 0)) {
      return single;
    }
    double root = Math.sqrt(s2 * n);
    return Math.min(
        1,
        NORMAL.cumulativeProbability((beta * n - a) / root)
            + Math.exp(2 * beta * a / s2 + logPhi((-a - beta * n) / root)));
  }

  /** {@code ln Phi(x)}, by the Mills-ratio series far in the lower tail where Phi underflows. */
  static double logPhi(double x) {
    if (x > -30) {
      return Math.log(NORMAL.cumulativeProbability(x));
    }
    return -x * x / 2 - Math.log(-x * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (x * x));
  }

  /**
   * The chance that the sample ratio check has verified a right split at {@code units} units: its
   * always-valid bounds, half-width about {@code z sqrt(w (1 - w) / N)} with {@code z^2 ~ 2
   * ln(1/alpha) + ln(1 + N tol^2 / (w (1 - w)))}, around a share of sd {@code sqrt(w (1 - w) / N)}
   * must lie within {@code w +/- tol}.
   */
  static double srmVerified(SrmGate srm, double w, double units) {
    if (!(units > 1)) {
      return 0;
    }
    double tol = srm.relativeTolerance() * Math.min(w, 1 - w);
    double sd = Math.sqrt(w * (1 - w) / units);
    double z2 = 2 * Math.log(1 / srm.alpha()) + Math.log(1 + units * tol * tol / (w * (1 - w)));
    double slack = tol - Math.sqrt(z2) * sd;
    return slack <= 0 ? 0 : 2 * NORMAL.cumulativeProbability(slack / sd) - 1;
  }

  /**
   * The chance that the sample ratio check, looking continuously, has verified a right split by
   * {@code units} units: the first entry of {@code Z(N) = N (share - w)}, a driftless walk with
   * variance {@code sigma^2 = w (1 - w)} per unit, into the corridor {@code |Z| < b(N) = N (tol -
   * h(N))} that opens as the bounds narrow ({@link #srmVerified} is the chance at the single look
   * N). With b replaced by its tangent at N, {@code -a + beta k}, the corridor opens at {@code k0 =
   * a / beta}; a path not yet in has stayed on one side since, so by symmetry {@code P(not in) = 2
   * int_0^inf phi(z; sigma^2 k0) P(a walk from z with drift -beta stays above 0 for N - k0) dz},
   * the last factor {@code Phi((z - beta u) / (sigma sqrt u)) - exp(2 beta z / sigma^2) Phi((-z -
   * beta u) / (sigma sqrt u))}. Never below the single look's chance.
   */
  static double srmEntered(SrmGate srm, double w, double units) {
    double single = srmVerified(srm, w, units);
    if (!(units > 2)) {
      return single;
    }
    java.util.function.DoubleUnaryOperator b =
        k -> {
          double tol = srm.relativeTolerance() * Math.min(w, 1 - w);
          double z2 = 2 * Math.log(1 / srm.alpha()) + Math.log(1 + k * tol * tol / (w * (1 - w)));
          // the corridor less the overshoot of a look after every unit (see passage)
          return k * tol - Math.sqrt(z2 * w * (1 - w) * k) - OVERSHOOT * Math.sqrt(w * (1 - w));
        };
    double h = Math.max(0.5, units / 50);
    double beta = (b.applyAsDouble(units + h) - b.applyAsDouble(units - h)) / (2 * h);
    double a = units * beta - b.applyAsDouble(units);
    if (!(beta > 0) || !(a > 0) || b.applyAsDouble(units) <= 0) {
      return single;
    }
    double sigma = Math.sqrt(w * (1 - w));
    double k0 = a / beta;
    double u = units - k0;
    double spread = sigma * Math.sqrt(k0);
    int steps = 200;
    double top = 8 * spread;
    double dz = top / steps;
    double outside = 0;
    for (int i = 0; i <= steps; i++) {
      double z = i * dz;
      double weight = (i == 0 || i == steps) ? 1 : (i % 2 == 1 ? 4 : 2);
      double density = Math.exp(-z * z / (2 * spread * spread)) / (spread * Math.sqrt(2 * Math.PI));
      double su = sigma * Math.sqrt(u);
      double stays =
          NORMAL.cumulativeProbability((z - beta * u) / su)
              - Math.exp(2 * beta * z / (sigma * sigma) + logPhi((-z - beta * u) / su));
      outside += weight * density * Math.max(0, stays);
    }
    outside *= 2 * dz / 3;
    return Math.max(single, Math.min(1, 1 - outside));
  }

  /**
   * Canary units by which the sample ratio check's bounds reach its tolerance for a split that is
   * right (the half-width alone, before the share's own noise: {@link #srmVerified} gives the
   * chance).
   */
  static double srmCanaryUnits(SrmGate srm, int weightBp) {
    double w = weightBp / 10_000.0;
    double tol = srm.relativeTolerance() * Math.min(w, 1 - w);
    double units = 100;
    for (int i = 0; i < 30; i++) {
      double z2 = 2 * Math.log(1 / srm.alpha()) + Math.log(1 + units * tol * tol / (w * (1 - w)));
      units = z2 * w * (1 - w) / (tol * tol);
    }
    return units * w;
  }

  private static boolean holds(GateMode mode, double power) {
    return mode == GateMode.NON_INFERIORITY || power > 0;
  }

  /**
   * The smallest weight (basis points, up to 5000) at which the stage's median need ({@link
   * #medianCanarySamples}) fits in {@code hoursAvailable} at the profile's request rate; -1 if even
   * an even split is too slow.
   */
  public static int requiredWeightBasisPoints(
      GatesConfig gates, TrafficProfile t, double hoursAvailable) {
    java.util.function.IntPredicate fits =
        bp -> hoursFor(medianCanarySamples(gates, bp, t), bp, t) <= hoursAvailable;
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

  /**
   * Hours until a stage at weight {@code weightBp} has {@code canarySamples} canary samples of the
   * units first exposed in it ({@link TrafficProfile#stageHours}).
   */
  public static double hoursFor(long canarySamples, int weightBp, TrafficProfile t) {
    return t.stageHours(canarySamples, weightBp / 10_000.0);
  }

  /** Never: more than any stage can wait for, so plans and weights treat it as too slow. */
  static final long NEVER = MAX_SAMPLES;

  private static long smallestOrNever(java.util.function.LongPredicate ok) {
    try {
      return smallest(ok);
    } catch (IllegalArgumentException e) {
      return NEVER;
    }
  }

  private static double variance(PlanRequest r, double w, long canary) {
    double stable = canary * (1 - w) / w;
    return r.sigma() * r.sigma() * (1.0 / canary + 1.0 / stable);
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
