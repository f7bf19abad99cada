package dev.promptcanary.workflows.rollout;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One rollout of one prompt version: offline eval, then canary stages with sequential verdicts, then promotion or
 * rollback. Controls are Updates, so the caller gets an answer (or a validation error) once they took effect.
 */
@WorkflowInterface
public interface RolloutWorkflow {

  @WorkflowMethod(name = "PromptRollout")
  RolloutResult run(RolloutInput input);

  /** Promote to 100% now, skipping the remaining gates. Audited. */
  @UpdateMethod
  ControlResult bypass(ControlRequest request);

  @UpdateValidatorMethod(updateName = "bypass")
  void validateBypass(ControlRequest request);

  /** Roll back now. */
  @UpdateMethod
  ControlResult abort(ControlRequest request);

  @UpdateValidatorMethod(updateName = "abort")
  void validateAbort(ControlRequest request);

  /** Hold the current weight and stop the stage clock. */
  @UpdateMethod
  ControlResult pause(ControlRequest request);

  @UpdateValidatorMethod(updateName = "pause")
  void validatePause(ControlRequest request);

  @UpdateMethod
  ControlResult resume(ControlRequest request);

  @UpdateValidatorMethod(updateName = "resume")
  void validateResume(ControlRequest request);

  /** New outcomes were stored for this prompt (sent by the ingest path, at most about once a second). */
  @SignalMethod
  void dataArrived(DataArrived signal);

  @QueryMethod
  RolloutProgress progress();
}
