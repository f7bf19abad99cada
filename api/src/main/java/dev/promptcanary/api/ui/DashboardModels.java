package dev.promptcanary.api.ui;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.promptcanary.api.ui.PageModels.RolloutRow;
import dev.promptcanary.api.ui.PageModels.TimelineRow;
import dev.promptcanary.api.ui.PageModels.VerdictRow;
import java.util.List;

/**
 * What {@code GET /v1/rollouts/{id}/dashboard} answers: one rollout's page as data, display-ready
 * text for the tables and numeric series for the charts (times in epoch seconds, as the charts take
 * them; a bound the statistics call unbounded is null). The page's script only lays it out.
 */
public final class DashboardModels {
  private DashboardModels() {}

  /**
   * @param actions the controls this caller may use on the rollout now ({@code pause}, {@code
   *     resume}, {@code abort}, {@code approve}, {@code bypass}), none once it ended
   */
  public record RolloutDashboard(
      RolloutRow rollout,
      boolean running,
      String pausedBecause,
      String liveUnavailable,
      List<StageBox> stages,
      Series weight,
      SampleSeries samples,
      List<GateSeries> gates,
      List<VerdictRow> verdicts,
      List<LedgerRow> ledger,
      int ledgerTotal,
      List<TimelineRow> timeline,
      EvalSummary eval,
      List<AuditRow> audit,
      HistorySummary history,
      String temporalHref,
      List<String> actions) {}

  /**
   * One stage of the rollout's plan and where it is ({@code done}, {@code current}, {@code
   * pending}; {@code stopped} for the stage a rollout ended in without promotion).
   */
  public record StageBox(
      int number,
      String weight,
      int minJudgements,
      boolean requireApproval,
      String status,
      String started) {}

  /** Points over time: {@code t} in epoch seconds, {@code y} the values. */
  public record Series(List<Long> t, List<Double> y) {}

  /**
   * Judge scores and requests per arm at each look, against what the look's stage needs ({@code
   * required}: its {@code minJudgements}).
   */
  public record SampleSeries(
      List<Long> t,
      List<Long> canaryJudged,
      List<Long> stableJudged,
      List<Long> required,
      List<Long> canaryRequests,
      List<Long> stableRequests) {}

  /**
   * One gate's verdicts over the looks: the estimate and its always-valid bounds, against the
   * gate's margin ({@code threshold}) and zero.
   */
  public record GateSeries(
      String key,
      String label,
      boolean dryRun,
      String lastDecision,
      String lastReason,
      List<Long> t,
      List<Double> estimate,
      List<Double> lower,
      List<Double> upper,
      List<Double> threshold) {}

  /**
   * One verdict of one look: the decision ledger's line, the verdicts table's row with the look's
   * time and stage (unwrapped: the dashboard script reads {@code gate}, {@code decision}, ...
   * beside {@code at} and {@code stage}).
   */
  public record LedgerRow(String at, int stage, @JsonUnwrapped VerdictRow verdict) {}

  /** The offline eval: its state and reason, each arm's pass rate and mean judge score. */
  public record EvalSummary(
      String suite, String state, String reason, List<EvalArm> arms, int cases, String href) {}

  public record EvalArm(String arm, String version, String passed, String meanJudgeScore) {}

  public record AuditRow(
      String at, String actor, String role, String action, String reason, String change) {}

  /**
   * The Temporal history: its newest events, how many runs and events it has, and why it could not
   * be read (empty when it was).
   */
  public record HistorySummary(
      int runs, long events, boolean truncated, String error, List<EventRow> newest) {}

  public record EventRow(String run, long id, String at, String type, String detail) {}
}
