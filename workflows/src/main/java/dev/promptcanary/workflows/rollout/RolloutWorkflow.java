package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One rollout of one prompt version: offline eval, then canary stages with sequential verdicts,
 * then promotion or rollback. Controls are Updates, so the caller gets an answer (or a validation
 * error) once they took effect.
 */
@WorkflowInterface
public interface RolloutWorkflow {

  @WorkflowMethod(name = RolloutMessages.WORKFLOW_TYPE)
  RolloutResult run(RolloutInput input);

  /** Promote to 100% now, skipping the remaining gates. Audited. */
  @UpdateMethod(name = RolloutMessages.BYPASS)
  ControlResult bypass(ControlRequest request);

  @UpdateValidatorMethod(updateName = RolloutMessages.BYPASS)
  void validateBypass(ControlRequest request);

  /** Roll back now. */
  @UpdateMethod(name = RolloutMessages.ABORT)
  ControlResult abort(ControlRequest request);

  @UpdateValidatorMethod(updateName = RolloutMessages.ABORT)
  void validateAbort(ControlRequest request);

  /** Hold the current weight and stop the stage clock. */
  @UpdateMethod(name = RolloutMessages.PAUSE)
  ControlResult pause(ControlRequest request);

  @UpdateValidatorMethod(updateName = RolloutMessages.PAUSE)
  void validatePause(ControlRequest request);

  @UpdateMethod(name = RolloutMessages.RESUME)
  ControlResult resume(ControlRequest request);

  @UpdateValidatorMethod(updateName = RolloutMessages.RESUME)
  void validateResume(ControlRequest request);

  /**
   * Lets a stage that requires approval go on once its gates passed (the rollout waits in {@code
   * AWAITING_APPROVAL}). Audited.
   */
  @UpdateMethod(name = RolloutMessages.APPROVE)
  ControlResult approve(ControlRequest request);

  @UpdateValidatorMethod(updateName = RolloutMessages.APPROVE)
  void validateApprove(ControlRequest request);

  /**
   * New outcomes were stored for this prompt (sent by the ingest path, at most about once a
   * second).
   */
  @SignalMethod(name = RolloutMessages.DATA_ARRIVED)
  void dataArrived(DataArrived signal);

  @QueryMethod
  RolloutProgress progress();
}
