package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.stats.GateNeed;
import dev.promptcanary.activities.stats.SamplePlanner;
import dev.promptcanary.activities.stats.StageWindow;
import dev.promptcanary.activities.stats.TrafficProfile;
import dev.promptcanary.activities.stats.UnitSums;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.activities.store.TrafficDao.OutcomeProfile;
import dev.promptcanary.activities.store.TrafficDao.RecentRequests;
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
import java.util.stream.Collectors;

/**
 * The sample planner applied to a prompt's recent traffic: at the start it tells people how long
 * each stage can be expected to take, gate by gate, and whether that fits its bake window ("stage
 * 1: at 5% of 200 requests/hour the slowest gate, error_rate, needs ~1,500 canary samples (~150 h)
 * ..."), and before an extension it says what weight would let the stage decide, raising it only
 * when that is enough.
 *
 * <p>Every gate that can hold a promotion is planned (quality, non-inferiority guardrails,
 * guardrails with a minimum power, primary metrics, the sample ratio check), each at its per-stage
 * alpha, with the variances inflated by the design effect measured on the baseline's sessions. The
 * request rate is the last hour's requests over the part of that hour that had traffic, so a prompt
 * whose traffic started ten minutes ago is not read as six times quieter than it is.
 */
public final class StagePlanner {
  /** Judge-score spread assumed when the stable version has no scores to measure it from. */
  static final double DEFAULT_SIGMA = 0.2;

  /**
   * The shortest span the request rate is measured over, so a first burst is not read as a flood.
   */
  static final Duration MIN_RATE_WINDOW = Duration.ofMinutes(1);

  private final TrafficDao traffic;
  private final Clock clock;

  public StagePlanner(TrafficDao traffic, Clock clock) {
    this.traffic = traffic;
    this.clock = clock;
  }

  /**
   * The prompt's recent traffic and the baseline's outcome profile (last day), or assumptions where
   * absent.
   */
  TrafficProfile profile(String prompt, int baselineVersion) {
    Instant now = clock.instant();
    Instant hourAgo = now.minus(Duration.ofHours(1));
    RecentRequests recent = traffic.recentRequests(prompt, hourAgo);
    double perHour = 0;
    if (recent.requests() > 0 && recent.first() != null) {
      Duration span = Duration.between(recent.first(), now);
      if (span.compareTo(MIN_RATE_WINDOW) < 0) {
        span = MIN_RATE_WINDOW;
      }
      perHour = recent.requests() * 3600.0 / span.toMillis() * 1000.0;
    }
    Instant dayAgo = now.minus(Duration.ofDays(1));
    Double sd = traffic.scoreStandardDeviation(prompt, baselineVersion, dayAgo);
    OutcomeProfile o = traffic.outcomeProfile(prompt, baselineVersion, dayAgo);
    TrafficProfile assumed = TrafficProfile.assumed(perHour);
    if (o == null || o.requests() < 100) {
      return new TrafficProfile(
          perHour,
          sd == null || sd <= 0 ? DEFAULT_SIGMA : sd,
          assumed.errorRate(),
          assumed.safetyRate(),
          assumed.costCv(),
          o == null || o.units() == 0 ? 1 : (double) o.requests() / o.units(),
          1,
          List.of());
    }
    double errorRate = (double) o.errors() / o.requests();
    UnitSums errors =
        new UnitSums(
            o.units(), o.requests(), o.errors(), o.requestsSq(), o.errorsSq(), o.requestsErrors());
    // The design effect needs some errors and units to be measured; below that it is taken as 1.
    double deff =
        o.errors() >= 10 && o.units() >= 30 ? errors.designEffect(errorRate * (1 - errorRate)) : 1;
    double costCv =
        o.costMean() != null && o.costMean() > 0 && o.costSd() != null && o.costSd() > 0
            ? o.costSd() / o.costMean()
            : assumed.costCv();
    return new TrafficProfile(
        perHour,
        sd == null || sd <= 0 ? DEFAULT_SIGMA : sd,
        Math.min(errorRate, 0.999),
        Math.min((double) o.safetyFlags() / o.requests(), 0.999),
        costCv,
        (double) o.requests() / o.units(),
        deff,
        windows(prompt, baselineVersion, dayAgo, now, deff, o));
  }

  /** Stage times the planner measures partial sessions at, in minutes. */
  static final double[] WINDOW_MINUTES = {1, 3, 10, 30, 60, 180, 480, 1_440};

  /** A window needs this many units to say anything about its sessions. */
  static final int MIN_WINDOW_UNITS = 30;

  /**
   * What a stage sees of its sessions after each of {@link #WINDOW_MINUTES}: the baseline's units
   * first exposed in the last window-length before now and their requests so far, at the
   * intra-session correlation behind the day's design effect ({@link StageWindow#rho}). A stage
   * that decides in minutes sees long sessions only part-way, so their design effect is lower than
   * the day's complete sessions show (benchmarks.md, the planner check).
   */
  private List<StageWindow> windows(
      String prompt,
      int baselineVersion,
      Instant since,
      Instant now,
      double deff,
      OutcomeProfile o) {
    double rho = StageWindow.rho(deff, o.requests(), o.requestsSq());
    double[] seconds = new double[WINDOW_MINUTES.length];
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = 60 * WINDOW_MINUTES[i];
    }
    List<StageWindow> windows = new ArrayList<>();
    for (TrafficDao.WindowLengths w :
        traffic.windowLengths(prompt, baselineVersion, since, now, seconds)) {
      if (w.units() >= MIN_WINDOW_UNITS) {
        windows.add(
            StageWindow.fromLengths(
                w.seconds() / 3600, w.units(), w.requests(), w.requestsSq(), rho));
      }
    }
    return windows;
  }

  public List<String> startNotes(RolloutSpec spec) {
    TrafficProfile t = profile(spec.prompt(), spec.baselineVersion());
    if (t.requestsPerHour() == 0) {
      return List.of(noTraffic(spec.prompt()));
    }
    List<String> notes = new ArrayList<>();
    GatesConfig gates = spec.gates().perStage(spec.stages().size());
    for (int i = 0; i < spec.stages().size(); i++) {
      Stage stage = spec.stages().get(i);
      List<GateNeed> needs = SamplePlanner.gateNeeds(gates, stage.weightBp(), t);
      long median = SamplePlanner.medianCanarySamples(gates, stage.weightBp(), t);
      double hours = SamplePlanner.hoursFor(median, stage.weightBp(), t);
      String note = "stage " + (i + 1) + ": " + describe(needs, median, stage.weightBp(), t, hours);
      double bakeHours = stage.maxBakeSeconds() / 3600.0;
      if (hours > bakeHours) {
        int needed = SamplePlanner.requiredWeightBasisPoints(gates, t, bakeHours);
        note +=
            "; more than its "
                + duration(stage.maxBakeSeconds())
                + " maximum bake: "
                + (needed < 0
                    ? "even a 50% split is too slow, so expect the inconclusive policy"
                    : "a weight of " + percent(needed) + " would fit");
      }
      notes.add(note);
    }
    return notes;
  }

  /**
   * The weight for the next window: the smallest that lets every gate decide within {@code
   * hoursAvailable}, if that is above the current weight and within {@code maxWeightBp}; otherwise
   * the current weight, since more weight that would still not be enough only exposes more users
   * without letting the stage decide.
   */
  public StagePlan planStage(StagePlanRequest r) {
    TrafficProfile t = profile(r.prompt(), r.baselineVersion());
    if (t.requestsPerHour() == 0) {
      return new StagePlan(
          r.currentWeightBp(), noTraffic(r.prompt()) + "; more weight would not help");
    }
    GatesConfig gates = r.gates().perStage(r.stageCount());
    int current = Math.min(9_999, Math.max(1, r.currentWeightBp()));
    int needed = SamplePlanner.requiredWeightBasisPoints(gates, t, r.hoursAvailable());
    List<GateNeed> needs = SamplePlanner.gateNeeds(gates, current, t);
    String note =
        String.format(
                Locale.ROOT,
                "at %s requests/hour (judge sd %.2f, design effect %.2f), deciding"
                    + " within %s needs %s",
                plain(t.requestsPerHour()),
                t.scoreSd(),
                t.designEffect(),
                duration((long) (r.hoursAvailable() * 3600)),
                needed < 0 ? "more than a 50% split" : "a weight of " + percent(needed))
            + (needs.isEmpty() ? "" : " (slowest gate " + needs.get(0).gate() + ")");
    if (needed < 0 || needed > r.maxWeightBp()) {
      return new StagePlan(
          r.currentWeightBp(),
          note
              + "; staying at "
              + percent(r.currentWeightBp())
              + (needed < 0
                  ? ""
                  : ", since " + percent(r.maxWeightBp()) + " is the most this stage may take")
              + ": more weight would not let the stage decide in time");
    }
    int weight = Math.max(r.currentWeightBp(), needed);
    if (weight == r.currentWeightBp()) {
      note += "; staying at " + percent(weight);
    }
    return new StagePlan(weight, note);
  }

  private static String describe(
      List<GateNeed> needs, long median, int weightBp, TrafficProfile t, double hours) {
    String head =
        String.format(
            Locale.ROOT,
            "at %s of %s requests/hour",
            percent(weightBp),
            plain(t.requestsPerHour()));
    if (needs.isEmpty()) {
      return head + ", no gate holds the promotion (harm detection only)";
    }
    GateNeed slowest = needs.get(0);
    String all =
        needs.stream()
            .map(n -> n.gate() + " " + n.canarySamples())
            .collect(Collectors.joining(", "));
    return head
        + String.format(
            Locale.ROOT,
            ", the slowest gate (%s) needs ~%d canary samples alone, and every gate together"
                + " ~%d (~%s, the median for an identical canary); each alone: %s%s",
            slowest.gate(),
            slowest.canarySamples(),
            median,
            hoursText(hours),
            all,
            t.designEffect() > 1.05
                ? String.format(Locale.ROOT, " (design effect %.2f)", t.designEffect())
                : "");
  }

  private static String noTraffic(String prompt) {
    return "no traffic for "
        + prompt
        + " in the last hour: the stages cannot decide until requests arrive"
        + " (no data is not a failure; the inconclusive policy applies at each maximum bake)";
  }

  private static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%.2f%%", basisPoints / 100.0);
  }

  private static String plain(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String hoursText(double h) {
    return h < 1
        ? String.format(Locale.ROOT, "%.0f min", Math.max(1, 60 * h))
        : h < 48
            ? String.format(Locale.ROOT, "%.1f h", h)
            : String.format(Locale.ROOT, "%.1f days", h / 24);
  }

  private static String duration(long seconds) {
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%.1f h", seconds / 3600.0)
        : Math.max(1, seconds / 60) + " min";
  }
}
