package dev.promptcanary.api.evals;

import dev.promptcanary.activities.eval.ArmStats;
import dev.promptcanary.activities.eval.CaseResult;
import dev.promptcanary.activities.eval.EvalGate;
import java.time.Instant;
import java.util.List;

/**
 * An eval run without a rollout, as {@code GET /v1/evals/{id}} answers it.
 *
 * @param state {@code RUNNING}, {@code PASSED} (the gate passed), {@code FAILED} (the gate blocked
 *     the candidate) or {@code ERROR} (the run could not reach a verdict: a model or judge failure,
 *     no model endpoint on the worker, a workflow that ended otherwise)
 * @param reason the gate's reason, or what went wrong; null while running
 * @param baselineVersion the version the candidate is compared with; null for none
 * @param requestedBy the key that started it (null once Temporal has forgotten the run)
 * @param progress case runs stored so far, of all (cases times arms)
 * @param candidate the candidate's figures over the cases it finished
 * @param baseline the baseline's, or null without a baseline
 * @param cases every case of the suite in its order, with each arm's result once it has one
 */
public record EvalView(
    String id,
    EvalRunState state,
    String reason,
    String prompt,
    int candidateVersion,
    Integer baselineVersion,
    String suite,
    int suiteVersion,
    String requestedBy,
    Instant startedAt,
    Instant finishedAt,
    Progress progress,
    Gate gate,
    ArmStats candidate,
    ArmStats baseline,
    List<CaseView> cases) {

  /** Case runs done of the total; a case with a baseline runs twice. */
  public record Progress(int done, int total) {}

  /**
   * The suite's gate: its rules, and once decided whether it passed and why ({@code passed} null
   * while running and when the run could not decide).
   */
  public record Gate(EvalGate rules, Boolean passed, String reason) {}

  /**
   * One case of the suite: whether the candidate passed it (null until it ran), and each arm's
   * stored result (null until it has one).
   */
  public record CaseView(String id, Boolean passed, CaseResult candidate, CaseResult baseline) {}
}
