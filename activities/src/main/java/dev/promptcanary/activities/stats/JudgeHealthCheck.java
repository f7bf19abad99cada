package dev.promptcanary.activities.stats;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.JudgeHealthGate;
import dev.promptcanary.workflows.domain.Verdict;
import java.util.List;
import java.util.Locale;

/**
 * Whether the judge's scores can be trusted as a sample of both arms. Two always-valid checks, each
 * at the gate's alpha, so looking at every batch does not inflate false holds:
 *
 * <ul>
 *   <li>failures: the share of judge attempts that failed (or came from another judge) is shown
 *       above {@code maxFailureShare}, over all attempts or over either arm's, once there are
 *       {@code minimumAttempts} (the three share the alpha);
 *   <li>balance: the canary's share of the units (sessions) the judge scored is shown outside its
 *       traffic weight {@code w} by more than {@code maxImbalance * min(w, 1 - w)}, e.g. the judge
 *       times out on the canary's longer answers, or the app sends transcripts of one version only.
 *       Units, not scores: routing randomises units, so their split is binomial under a healthy
 *       judge, while the split of scores swings with a few long sessions.
 * </ul>
 *
 * Either one is {@link Decision#JUDGE_UNHEALTHY}; otherwise {@link Decision#NON_INFERIOR}
 * ("healthy"). It never says INSUFFICIENT_DATA: completeness (minimum judgements per arm) already
 * gates promotion.
 */
public final class JudgeHealthCheck {
  private final JudgeHealthGate gate;
  private final AnytimeProportion failures;

  public JudgeHealthCheck(JudgeHealthGate gate) {
    this.gate = gate;
    double target = Math.min(Math.max(gate.maxFailureShare(), 0.01), 0.5);
    // three failure checks (all attempts, each arm's) share the gate's alpha
    this.failures = new AnytimeProportion(target, target / 2, gate.alpha() / 3);
  }

  /** One failure check: which attempts, how many gave no score, how many did. */
  private record Attempts(String which, long misses, long scored) {
    long total() {
      return misses + scored;
    }
  }

  public Verdict evaluate(int canaryWeightBp, JudgeSample sample) {
    String judge = sample.judge() == null ? "no judge yet" : "judge " + sample.judge();
    long attempts = sample.attempts();
    double failureShare = attempts == 0 ? 0 : (double) sample.misses() / attempts;
    // Per arm too: a judge failing on 30% of a 50% canary's answers is only 16% of all attempts.
    List<Attempts> checks =
        List.of(
            new Attempts("all", sample.misses(), sample.scored()),
            new Attempts("the canary's", sample.canaryFailed(), sample.canaryScored()),
            new Attempts("the stable arm's", sample.stableFailed(), sample.stableScored()));
    AnytimeProportion.Bounds failureBounds = null;
    for (Attempts a : checks) {
      AnytimeProportion.Bounds bounds = failures.bounds(a.misses(), a.scored());
      if (failureBounds == null) {
        failureBounds = bounds; // all attempts': what a healthy verdict reports
      }
      if (a.total() >= gate.minimumAttempts() && bounds.above(gate.maxFailureShare())) {
        double share = (double) a.misses() / a.total();
        String failed = a == checks.get(0) ? failedParts(sample) : Long.toString(a.misses());
        return new Verdict(
            GateKind.JUDGE_HEALTH,
            Decision.JUDGE_UNHEALTHY,
            sample.canaryScored(),
            sample.stableScored(),
            share,
            bounds.lower(),
            bounds.upper(),
            gate.maxFailureShare(),
            String.format(
                Locale.ROOT,
                "%s is failing: %s of %s %d attempts this stage did not give a score"
                    + " (%.1f%%, at least %.1f%%) against a tolerated %.1f%%; the quality data would be biased",
                judge,
                failed,
                a.which(),
                a.total(),
                100 * share,
                100 * bounds.lower(),
                100 * gate.maxFailureShare()),
            null,
            false);
      }
    }
    double w = canaryWeightBp / 10_000.0;
    long scoredUnits = sample.canaryScoredUnits() + sample.stableScoredUnits();
    double canaryShare = scoredUnits == 0 ? w : (double) sample.canaryScoredUnits() / scoredUnits;
    if (w > 0 && w < 1 && scoredUnits > 0) {
      double tolerance = gate.maxImbalance() * Math.min(w, 1 - w);
      AnytimeProportion balance = new AnytimeProportion(w, tolerance, gate.alpha());
      AnytimeProportion.Bounds share =
          balance.bounds(sample.canaryScoredUnits(), sample.stableScoredUnits());
      if (share.below(w - tolerance) || share.above(w + tolerance)) {
        return new Verdict(
            GateKind.JUDGE_HEALTH,
            Decision.JUDGE_UNHEALTHY,
            sample.canaryScored(),
            sample.stableScored(),
            canaryShare,
            share.lower(),
            share.upper(),
            w,
            String.format(
                Locale.ROOT,
                "%s scores one arm more than the other: the canary has %.1f%% [%.1f%%,"
                    + " %.1f%%] of the %d sessions it scored but %.1f%% +/- %.1f%% of the traffic; the quality data"
                    + " would be biased",
                judge,
                100 * canaryShare,
                100 * share.lower(),
                100 * share.upper(),
                scoredUnits,
                100 * w,
                100 * tolerance),
            null,
            false);
      }
    }
    return new Verdict(
        GateKind.JUDGE_HEALTH,
        Decision.NON_INFERIOR,
        sample.canaryScored(),
        sample.stableScored(),
        failureShare,
        failureBounds.lower(),
        failureBounds.upper(),
        gate.maxFailureShare(),
        String.format(
            Locale.ROOT,
            "%s healthy: %d canary / %d stable scores, %s failed of %d attempts",
            judge,
            sample.canaryScored(),
            sample.stableScored(),
            failedParts(sample),
            attempts),
        null,
        false);
  }

  private static String failedParts(JudgeSample s) {
    String failed = Long.toString(s.canaryFailed() + s.stableFailed());
    return s.otherJudges() == 0
        ? failed
        : failed + " (+" + s.otherJudges() + " scored by another judge)";
  }
}
