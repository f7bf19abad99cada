package dev.promptcanary.activities.eval;

import dev.promptcanary.activities.store.EvalDao;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The stored report of a rollout's offline eval: the run, each arm's figures and every case result.
 * Built from the per-case rows, so it is the same while the run is going, after it, and after a
 * resumed run.
 */
public record EvalReport(
    String rolloutId,
    String suite,
    int suiteVersion,
    String prompt,
    String state,
    String reason,
    Instant startedAt,
    Instant finishedAt,
    ArmStats candidate,
    ArmStats baseline,
    List<CaseResult> cases) {

  public static EvalReport of(EvalRun run, List<CaseResult> results) {
    List<CaseResult> candidate =
        results.stream().filter(r -> r.arm().equals(CaseResult.CANDIDATE)).toList();
    List<CaseResult> baseline =
        results.stream().filter(r -> r.arm().equals(CaseResult.BASELINE)).toList();
    return new EvalReport(
        run.rolloutId(),
        run.suite(),
        run.suiteVersion(),
        run.prompt(),
        run.state(),
        run.reason(),
        run.startedAt(),
        run.finishedAt(),
        ArmStats.of(run.candidateVersion(), candidate),
        run.baselineVersion() == null ? null : ArmStats.of(run.baselineVersion(), baseline),
        results);
  }

  /** The report of the rollout's latest eval run, if it has one. */
  public static Optional<EvalReport> latest(EvalDao evals, String rolloutId) {
    return evals.latestRun(rolloutId).map(run -> of(run, evals.results(run.id())));
  }
}
