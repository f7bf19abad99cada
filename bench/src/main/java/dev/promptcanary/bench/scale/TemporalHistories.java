package dev.promptcanary.bench.scale;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every run of a rollout's workflow, read from Temporal: the latest, then back along
 * continue-as-new.
 */
final class TemporalHistories {
  private final WorkflowServiceStubs stubs;

  TemporalHistories(String target) {
    this.stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
  }

  /** The runs of {@code workflowId}, oldest first. */
  List<LookHistory.Run> runs(String workflowId) {
    List<LookHistory.Run> runs = new ArrayList<>();
    String runId = "";
    for (int guard = 0; guard < 1000; guard++) {
      List<HistoryEvent> events = new ArrayList<>();
      ByteString token = ByteString.EMPTY;
      do {
        GetWorkflowExecutionHistoryResponse page =
            stubs
                .blockingStub()
                .getWorkflowExecutionHistory(
                    GetWorkflowExecutionHistoryRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(
                            WorkflowExecution.newBuilder()
                                .setWorkflowId(workflowId)
                                .setRunId(runId))
                        .setMaximumPageSize(1000)
                        .setNextPageToken(token)
                        .build());
        events.addAll(page.getHistory().getEventsList());
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      LookHistory.Run run = LookHistory.read(runId, events);
      runs.add(run);
      if (run.previousRunId().isEmpty()) {
        break;
      }
      runId = run.previousRunId();
    }
    Collections.reverse(runs);
    return runs;
  }
}
