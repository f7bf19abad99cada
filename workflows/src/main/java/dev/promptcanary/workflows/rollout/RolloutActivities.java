package dev.promptcanary.workflows.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Everything a rollout does to the world. Each method is idempotent: Temporal may run it more than
 * once.
 */
@ActivityInterface
public interface RolloutActivities {
  /** The look's activity type, as the history names it (an activity, or a local activity). */
  String ANALYSE = "AnalyseCanary";

  @ActivityMethod(name = "RunOfflineEval")
  EvalSummary runOfflineEval(EvalRequest request);

  @ActivityMethod(name = "SetRouting")
  RoutingReceipt setRouting(RoutingCommand command);

  @ActivityMethod(name = ANALYSE)
  AnalysisReport analyse(AnalysisRequest request);

  @ActivityMethod(name = "PlanStage")
  StagePlan planStage(StagePlanRequest request);

  @ActivityMethod(name = "RecordProgress")
  void recordProgress(RolloutRecord record);

  @ActivityMethod(name = "SendAlert")
  void sendAlert(AlertEvent event);

  @ActivityMethod(name = "RecordAudit")
  void recordAudit(AuditEntry entry);
}
