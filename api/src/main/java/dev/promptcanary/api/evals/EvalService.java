package dev.promptcanary.api.evals;

import dev.promptcanary.activities.eval.ArmStats;
import dev.promptcanary.activities.eval.CaseResult;
import dev.promptcanary.activities.eval.EvalCase;
import dev.promptcanary.activities.eval.EvalRun;
import dev.promptcanary.activities.eval.StoredEvalSuite;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.rollouts.CandidateCheck;
import dev.promptcanary.api.rollouts.TemporalErrors;
import dev.promptcanary.workflows.eval.EvalRunInput;
import dev.promptcanary.workflows.eval.EvalRunResult;
import dev.promptcanary.workflows.eval.EvalRunWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Eval runs without a rollout: each is one {@link EvalRunWorkflow} whose id is the eval id, running
 * the rollout's eval activity with that id as its run key. What the run is (suite version,
 * versions, who asked) is the workflow's memo; how far it got and its verdict are the eval store's
 * rows, so an ended run reads the same after Temporal has forgotten it.
 */
public class EvalService {
  /** Eval ids start so; rollout ids, the other run keys of the eval store, never do. */
  static final String ID_PREFIX = "eval-";

  static final String MEMO_REQUEST = "request";
  static final String MEMO_PROMPT = "prompt";
  static final String MEMO_CANDIDATE = "candidateVersion";
  static final String MEMO_BASELINE = "baselineVersion";
  static final String MEMO_SUITE = "suite";
  static final String MEMO_SUITE_VERSION = "suiteVersion";
  static final String MEMO_REQUESTED_BY = "requestedBy";

  private final PromptDao prompts;
  private final RoutingDao routing;
  private final EvalDao evals;
  private final AuditDao audit;
  private final WorkflowClient client;
  private final String taskQueue;

  public EvalService(
      PromptDao prompts,
      RoutingDao routing,
      EvalDao evals,
      AuditDao audit,
      WorkflowClient client,
      String taskQueue) {
    this.prompts = prompts;
    this.routing = routing;
    this.evals = evals;
    this.audit = audit;
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** A started eval, or the one an earlier request with the same request id started. */
  public record Started(EvalView eval, boolean created) {}

  public Started start(StartEvalRequest request, Caller caller) {
    String prompt = request.prompt();
    int candidate = request.candidateVersion();
    RoutingState current = CandidateCheck.routingOf(routing, prompts, prompt, candidate);
    int baseline = baseline(request, current, candidate);
    StoredEvalSuite suite = SuiteRef.resolve(evals, "suite", request.suite());

    String id =
        ID_PREFIX
            + (request.requestId() == null ? UUID.randomUUID().toString() : request.requestId());
    String fingerprint = fingerprint(request);
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put(MEMO_REQUEST, fingerprint);
    memo.put(MEMO_PROMPT, prompt);
    memo.put(MEMO_CANDIDATE, candidate);
    memo.put(MEMO_BASELINE, baseline);
    memo.put(MEMO_SUITE, suite.name());
    memo.put(MEMO_SUITE_VERSION, suite.version());
    memo.put(MEMO_REQUESTED_BY, caller.name());
    EvalRunWorkflow workflow =
        client.newWorkflowStub(
            EvalRunWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(taskQueue)
                .setMemo(memo)
                // An id is one eval for ever: a retried request finds it, ended or not.
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary(
                    "Eval of "
                        + prompt
                        + " v"
                        + candidate
                        + (baseline == 0 ? "" : " against v" + baseline)
                        + " on "
                        + suite.name()
                        + " v"
                        + suite.version())
                .build());
    try {
      WorkflowClient.start(
          workflow::run,
          new EvalRunInput(
              id,
              prompt,
              candidate,
              baseline,
              suite.name() + "@" + suite.version(),
              caller.name()));
    } catch (WorkflowExecutionAlreadyStarted e) {
      Object earlier = describe(id).map(d -> d.getMemo(MEMO_REQUEST, String.class)).orElse(null);
      if (!fingerprint.equals(earlier)) {
        throw ApiException.conflict(
            "requestId",
            "requestId '"
                + request.requestId()
                + "' was used for a different eval: "
                + (earlier == null ? "unknown" : earlier));
      }
      return new Started(view(id), false);
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        throw unavailable(e);
      }
      throw e;
    }
    Map<String, Object> after = new LinkedHashMap<>(memo);
    after.remove(MEMO_REQUEST);
    after.remove(MEMO_REQUESTED_BY);
    after.put("id", id);
    audit.record(caller.actor(), "eval.start", prompt, null, null, null, after);
    return new Started(view(id), true);
  }

  /**
   * The baseline the request names (which must exist and differ from the candidate), else the
   * stable version unless the candidate is the stable version; 0 for none.
   */
  private int baseline(StartEvalRequest request, RoutingState current, int candidate) {
    Integer asked = request.baselineVersion();
    if (asked == null) {
      return current.stableVersion() == candidate ? 0 : current.stableVersion();
    }
    if (asked == candidate) {
      throw ApiException.invalid(
          "baselineVersion", "baselineVersion " + asked + " is the candidate itself");
    }
    if (!prompts.versionExists(request.prompt(), asked)) {
      throw ApiException.invalid(
          "baselineVersion", "prompt '" + request.prompt() + "' has no version " + asked);
    }
    return asked;
  }

  /** What a request asked for, as the request (not as resolved: a later suite version is fine). */
  private static String fingerprint(StartEvalRequest request) {
    return "suite "
        + request.suite()
        + ", prompt "
        + request.prompt()
        + "@"
        + request.candidateVersion()
        + ", baseline "
        + (request.baselineVersion() == null ? "default" : request.baselineVersion());
  }

  /** The eval {@code id}: 404 when there is none. */
  public EvalView view(String id) {
    if (!id.startsWith(ID_PREFIX)) {
      throw notFound(id);
    }
    Optional<WorkflowExecutionDescription> described;
    try {
      described = describe(id);
    } catch (ApiException unavailable) {
      // An ended run is all in the store; only a running one needs Temporal.
      Optional<EvalRun> stored = evals.findRun(id).filter(r -> !"RUNNING".equals(r.state()));
      if (stored.isEmpty()) {
        throw unavailable;
      }
      described = Optional.empty();
    }
    // Read after the workflow: a run the workflow saw end has its final row by now.
    Optional<EvalRun> run = evals.findRun(id);
    if (described.isEmpty() && run.isEmpty()) {
      throw notFound(id);
    }
    WorkflowExecutionDescription d = described.orElse(null);
    String prompt = run.map(EvalRun::prompt).orElseGet(() -> memo(d, MEMO_PROMPT, String.class));
    int candidate =
        run.map(EvalRun::candidateVersion).orElseGet(() -> memo(d, MEMO_CANDIDATE, Integer.class));
    Integer baseline =
        run.isPresent()
            ? run.get().baselineVersion()
            : nullIfZero(memo(d, MEMO_BASELINE, Integer.class));
    String suiteName = run.map(EvalRun::suite).orElseGet(() -> memo(d, MEMO_SUITE, String.class));
    int suiteVersion =
        run.map(EvalRun::suiteVersion).orElseGet(() -> memo(d, MEMO_SUITE_VERSION, Integer.class));
    StoredEvalSuite suite = evals.findSuite(suiteName, suiteVersion).orElseThrow();
    List<CaseResult> results = run.map(r -> evals.results(r.id())).orElse(List.of());

    EvalRunState state;
    String reason;
    if (run.isPresent() && "PASSED".equals(run.get().state())) {
      state = EvalRunState.PASSED;
      reason = run.get().reason();
    } else if (run.isPresent() && "BLOCKED".equals(run.get().state())) {
      // A run blocked by its gate has a stored summary; one that could not finish has none.
      state =
          evals.storedSummary(run.get().id()).isPresent()
              ? EvalRunState.FAILED
              : EvalRunState.ERROR;
      reason = run.get().reason();
    } else if (d == null) {
      state = EvalRunState.ERROR;
      reason = "the eval's workflow no longer exists and the run never finished";
    } else if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      state = EvalRunState.RUNNING;
      reason = null;
    } else if (d.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      // Ended without a verdict in the store: the runner refused before it started (no model
      // endpoint on the worker) or the eval step kept failing.
      state = EvalRunState.ERROR;
      reason = result(id).map(r -> r.summary().reason()).orElse("the eval ended without a verdict");
    } else {
      state = EvalRunState.ERROR;
      reason =
          "the eval's workflow ended "
              + d.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "")
              + " without a verdict";
    }

    List<CaseResult> candidateResults = arm(results, CaseResult.CANDIDATE);
    List<CaseResult> baselineResults = arm(results, CaseResult.BASELINE);
    List<EvalView.CaseView> cases = new ArrayList<>();
    for (EvalCase c : suite.definition().cases()) {
      CaseResult onCandidate = find(candidateResults, c.id());
      cases.add(
          new EvalView.CaseView(
              c.id(),
              onCandidate == null ? null : onCandidate.passed(),
              onCandidate,
              find(baselineResults, c.id())));
    }
    int total = suite.definition().cases().size() * (baseline == null ? 1 : 2);
    Boolean passed =
        switch (state) {
          case PASSED -> true;
          case FAILED -> false;
          default -> null;
        };
    Instant startedAt = d != null ? d.getStartTime() : run.map(EvalRun::startedAt).orElse(null);
    Instant finishedAt =
        run.map(EvalRun::finishedAt).orElse(d != null && state.isFinal() ? d.getCloseTime() : null);
    return new EvalView(
        id,
        state,
        reason,
        prompt,
        candidate,
        baseline,
        suite.name(),
        suite.version(),
        d == null ? null : d.getMemo(MEMO_REQUESTED_BY, String.class, String.class),
        startedAt,
        state.isFinal() ? finishedAt : null,
        new EvalView.Progress(results.size(), total),
        new EvalView.Gate(suite.definition().gate(), passed, passed == null ? null : reason),
        ArmStats.of(candidate, candidateResults),
        baseline == null ? null : ArmStats.of(baseline, baselineResults),
        cases);
  }

  /** The workflow's description; empty when Temporal has no such workflow; 503 when unreachable. */
  private Optional<WorkflowExecutionDescription> describe(String id) {
    try {
      return Optional.of(client.newUntypedWorkflowStub(id).describe());
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        throw unavailable(e);
      }
      if (TemporalErrors.isFinished(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private Optional<EvalRunResult> result(String id) {
    try {
      return Optional.of(
          client.newUntypedWorkflowStub(id).getResult(5, TimeUnit.SECONDS, EvalRunResult.class));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private static <T> T memo(WorkflowExecutionDescription d, String key, Class<T> type) {
    T value = d == null ? null : d.getMemo(key, type, type);
    if (value == null) {
      throw new IllegalStateException("eval workflow " + d + " has no memo " + key);
    }
    return value;
  }

  private static Integer nullIfZero(Integer version) {
    return version == null || version == 0 ? null : version;
  }

  private static List<CaseResult> arm(List<CaseResult> results, String arm) {
    return results.stream().filter(r -> r.arm().equals(arm)).toList();
  }

  private static CaseResult find(List<CaseResult> results, String caseId) {
    return results.stream().filter(r -> r.caseId().equals(caseId)).findFirst().orElse(null);
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("id", "no eval with id '" + id + "'");
  }

  private static ApiException unavailable(Throwable e) {
    return new ApiException(
        503,
        null,
        "Temporal is unreachable, so evals cannot be started or followed right now: "
            + TemporalErrors.rootMessage(e));
  }
}
