package dev.promptcanary.workflows.eval;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * An eval suite run without a rollout ({@code POST /v1/evals}, the CLI's {@code eval run}): the
 * same eval runner activity and gate as a rollout's offline eval, nothing else (no routing, no
 * stages).
 */
@WorkflowInterface
public interface EvalRunWorkflow {
  /** The workflow type, as Temporal UI lists it. */
  String WORKFLOW_TYPE = "PromptEvalRun";

  @WorkflowMethod(name = WORKFLOW_TYPE)
  EvalRunResult run(EvalRunInput input);
}
