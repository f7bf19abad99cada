package dev.promptcanary.api.rollouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promptcanary.activities.rollout.StagePlanner;
import dev.promptcanary.activities.routing.RoutingState;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.errors.ApiException;
import dev.promptcanary.api.evals.SuiteRef;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.ControlRequest;
import dev.promptcanary.workflows.rollout.ControlResult;
import dev.promptcanary.workflows.rollout.RolloutInput;
import dev.promptcanary.workflows.rollout.RolloutMessages;
import dev.promptcanary.workflows.rollout.RolloutMode;
import dev.promptcanary.workflows.rollout.RolloutProgress;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RolloutWorkflow;
import dev.promptcanary.workflows.rollout.Stage;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Starts rollouts, reads them and passes people's controls on to their workflows. */
public class RolloutService {
  private final PromptDao prompts;
  private final RoutingDao routing;
  private final RolloutDao rollouts;
  private final WorkflowClient client;
  private final String taskQueue;
  private final ObjectMapper json;
  private final StagePlanner planner;
  private final String liveJudge;
  private final EvalDao evals;

  /** The memo key of the token that tells this API's start of a workflow from any other. */
  static final String START_TOKEN_MEMO = "startToken";

  private final AuditDao audit;

  /**
   * How long a start or a control waits for Temporal, from its arrival ({@code
   * temporal.answerWithin}): each Temporal call on its path gets what is left of it; past it the
   * request answers 503 with {@code Retry-After}.
   */
  private final Duration answerBound;

  public RolloutService(
      PromptDao prompts,
      RoutingDao routing,
      RolloutDao rollouts,
      TrafficDao traffic,
      EvalDao evals,
      WorkflowClient client,
      String taskQueue,
      ObjectMapper json,
      Clock clock,
      String liveJudge,
      AuditDao audit,
      Duration answerBound) {
    this.answerBound = answerBound;
    this.liveJudge = liveJudge;
    this.evals = evals;
    this.audit = audit;
    this.planner = new StagePlanner(traffic, clock);
    this.prompts = prompts;
    this.routing = routing;
    this.rollouts = rollouts;
    this.client = client;
    this.taskQueue = taskQueue;
    this.json = json;
  }

  /** A started rollout, or the one an earlier attempt of the same request started. */
  public record Started(RolloutView rollout, boolean created) {}

  /**
   * Starts the rollout within {@link #answerBound}; past it the start answers 503 with {@code
   * Retry-After}, and the client's retry with the same {@code requestId} answers as the first would
   * have (200 with the rollout when the first went through in Temporal).
   */
  public Started start(StartRolloutRequest request, Caller caller) {
    long answerBy = System.nanoTime() + answerBound.toNanos();
    String prompt = request.prompt();
    int candidate = request.candidateVersion();
    RoutingState current = CandidateCheck.routingOf(routing, prompts, prompt, candidate);
    StartRequestIdentity identity = StartRequestIdentity.of(request, caller.name(), json);
    // Before the checks of the prompt's state: the earlier attempt's rollout changed it.
    String latest = identity == null ? null : latestRolloutOf(prompt);
    if (startedBy(identity, latest, answerBy)) {
      return again(latest, request, current, caller, answerBy);
    }
    if (current.stableVersion() == candidate) {
      throw ApiException.invalid(
          "candidateVersion", "version " + candidate + " is already the stable version");
    }
    if (routing.ownedByLiveRollout(current)) {
      if (!current.rolloutId().equals(latest)
          && startedBy(identity, current.rolloutId(), answerBy)) {
        return again(current.rolloutId(), request, current, caller, answerBy);
      }
      throw ApiException.conflict(
          "prompt",
          "prompt '" + prompt + "' already has a running rollout: " + current.rolloutId());
    }
    checkEvalSuite(request.evalSuite());
    if (request.alertWebhookSecret() != null && request.alertWebhook() == null) {
      throw ApiException.invalid(
          "alertWebhookSecret",
          "signs alerts to alertWebhook, which is not set (the default webhook has its own)");
    }
    RolloutSpec spec =
        spec(request, caller.name(), current.stableVersion(), gates(request.gates()));
    List<String> planNotes = new ArrayList<>(planner.startNotes(spec));
    planNotes.add(judgeNote(spec.judge()));
    int earlier = rollouts.countFor(prompt, candidate);
    String id = "rollout-" + prompt + "-" + candidate + (earlier == 0 ? "" : "-" + (earlier + 1));
    try {
      rollouts.insertPending(id, prompt, candidate, current.stableVersion(), spec);
    } catch (UnableToExecuteStatementException e) {
      String active = latestRolloutOf(prompt);
      if (startedBy(identity, active, answerBy)) {
        return again(active, request, current, caller, answerBy);
      }
      throw ApiException.conflict(
          "prompt", "prompt '" + prompt + "' already has a running rollout");
    }
    String startToken = UUID.randomUUID().toString();
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put(START_TOKEN_MEMO, startToken);
    if (identity != null) {
      memo.putAll(identity.memo());
    }
    try {
      RolloutWorkflow workflow =
          client.newWorkflowStub(
              RolloutWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setMemo(memo)
                  .setWorkflowId(id)
                  .setTaskQueue(taskQueue)
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                  .setStaticSummary(summary(spec))
                  .setStaticDetails(details(spec))
                  .build());
      RolloutInput input =
          new RolloutInput(id, spec.withoutWebhookSecret(), Checkpoint.initial(), null, planNotes);
      BoundedTemporalCall.within(left(answerBy), () -> WorkflowClient.start(workflow::run, input));
    } catch (WorkflowExecutionAlreadyStarted e) {
      if (!startedBy(id, startToken, answerBy)) {
        // An earlier attempt of this request started it, answered 503 and gave its id back.
        if (startedBy(identity, id, answerBy)) {
          return again(id, request, current, caller, answerBy);
        }
        rollouts.deleteNeverStarted(id);
        throw ApiException.conflict("prompt", "rollout " + id + " already exists in Temporal");
      }
    } catch (RuntimeException e) {
      // Unless the start reached Temporal and only its answer was lost (a deadline on a slow
      // server): then the rollout runs, its reserved row stays, and the caller gets it.
      if (!startedBy(id, startToken, answerBy)) {
        rollouts.deleteNeverStarted(id);
        if (TemporalErrors.isUnavailable(e)) {
          throw startUnavailable(identity, e, answerBy);
        }
        throw e;
      }
    }
    recordStart(caller, id, current, spec);
    return new Started(view(id, answerBy), true);
  }

  /** What is left of a bound that ends at {@code answerBy} ({@link System#nanoTime()}). */
  private static Duration left(long answerBy) {
    return Duration.ofNanos(answerBy - System.nanoTime());
  }

  /**
   * The 503 of a start whose Temporal call failed unavailable: once its bound has run out, the one
   * that says the start may have gone through.
   */
  private ApiException startUnavailable(
      StartRequestIdentity identity, RuntimeException e, long answerBy) {
    return System.nanoTime() - answerBy >= 0
        ? noStartAnswer(identity, e)
        : TemporalErrors.unavailable(e);
  }

  /** The 503 of a start Temporal did not answer within its bound: it may have gone through. */
  private ApiException noStartAnswer(StartRequestIdentity identity, RuntimeException e) {
    return ApiException.unavailable(
        "Temporal did not answer the rollout start within "
            + answerBound.toSeconds()
            + " s ("
            + TemporalErrors.rootMessage(e)
            + "); it may still have started: "
            + (identity != null
                ? "send the same request again (with the same requestId) and it answers with the"
                    + " rollout it started, if it did"
                : "read GET /v1/rollouts?prompt=... before sending it again (a start sent with a"
                    + " requestId can simply be sent again)"),
        TemporalErrors.RETRY_AFTER_SECONDS);
  }

  /** The id of the prompt's most recent rollout (running or not); null for none. */
  private String latestRolloutOf(String prompt) {
    List<RolloutDao.Row> latest = rollouts.list(prompt, null, 1);
    return latest.isEmpty() ? null : latest.get(0).id();
  }

  /**
   * Whether an earlier attempt of the request {@code identity} (null: a request without an id)
   * started the workflow {@code id}; a 409 on {@code requestId} when the id was used for another
   * request, a 503 when Temporal cannot tell.
   */
  private boolean startedBy(StartRequestIdentity identity, String id, long answerBy) {
    if (identity == null || id == null) {
      return false;
    }
    WorkflowExecutionDescription workflow;
    try {
      workflow =
          BoundedTemporalCall.within(
              left(answerBy), () -> client.newUntypedWorkflowStub(id).describe());
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        throw startUnavailable(identity, e, answerBy);
      }
      return false; // no such workflow (any more)
    }
    return switch (identity.against(workflow)) {
      case SAME_REQUEST -> true;
      case UNRELATED -> false;
      case OTHER_REQUEST ->
          throw ApiException.conflict(
              "requestId",
              "requestId '"
                  + identity.requestId()
                  + "' was used for another rollout start ("
                  + id
                  + "), with another body or by another key");
    };
  }

  /**
   * The answer to a retry of the start of rollout {@code id}: as the first attempt's would have
   * been, with its audit entry written once. When the first attempt answered 503 it gave the id's
   * reservation back; then {@code request} reserves it again, so the rollout reads at once rather
   * than after the workflow's first record.
   */
  private Started again(
      String id, StartRolloutRequest request, RoutingState before, Caller caller, long answerBy) {
    RolloutDao.Row row = rollouts.find(id).orElse(null);
    RolloutSpec spec;
    if (row != null) {
      spec = row.spec();
    } else {
      spec = spec(request, caller.name(), before.stableVersion(), gates(request.gates()));
      try {
        rollouts.insertPending(
            id, spec.prompt(), spec.candidateVersion(), spec.baselineVersion(), spec);
      } catch (UnableToExecuteStatementException recordedMeanwhile) {
        // the workflow's own record got there first
      }
    }
    recordStart(caller, id, before, spec);
    return new Started(view(id, answerBy), false);
  }

  /** The audit entry of a start, once per rollout however often its request was retried. */
  private void recordStart(Caller caller, String id, RoutingState before, RolloutSpec spec) {
    audit.append(
        caller.actor().name(),
        caller.actor().role(),
        "rollout.start",
        spec.prompt(),
        id,
        null,
        json.valueToTree(before),
        json.valueToTree(spec),
        Map.of(),
        "rollout.start " + id,
        null);
  }

  /**
   * Whether the workflow {@code id} in Temporal is the one this request started (its memo carries
   * the request's token), rather than an older execution with the same id or none at all.
   */
  private boolean startedBy(String id, String startToken, long answerBy) {
    try {
      Object token =
          BoundedTemporalCall.within(
                  left(answerBy), () -> client.newUntypedWorkflowStub(id).describe())
              .getMemo(START_TOKEN_MEMO, String.class);
      return startToken.equals(token);
    } catch (RuntimeException unknown) {
      return false;
    }
  }

  /**
   * A rollout naming a suite that does not exist would start and then block at its eval: refuse it
   * now, naming the suite ({@code name} for its latest version, {@code name@version} for one).
   */
  private void checkEvalSuite(String ref) {
    if (ref == null) {
      return;
    }
    SuiteRef.resolve(evals, "evalSuite", ref);
  }

  private String judgeNote(String pinned) {
    if (pinned != null) {
      return "quality counts the scores of judge "
          + pinned
          + " only"
          + (liveJudge != null && !liveJudge.equals(pinned)
              ? " (live judging here scores as " + liveJudge + ")"
              : "");
    }
    return "quality counts the scores of the first judge to score either arm, pinned for the rollout"
        + (liveJudge != null ? " (live judging here scores as " + liveJudge + ")" : "");
  }

  /**
   * The default gates with the request's overrides merged in, field by field (a list, such as
   * {@code latency.quantiles} or {@code metrics}, is replaced whole). A bad setting is a 422 naming
   * it, e.g. {@code gates.latency.quantiles[1]}; so is a configuration that could never decide or
   * would promote on no evidence.
   */
  private GatesConfig gates(JsonNode overrides) {
    if (overrides == null || overrides.isNull()) {
      return GatesConfig.defaults();
    }
    if (!overrides.isObject()) {
      throw ApiException.invalid(
          "gates", "gates must be an object of overrides of the default gates");
    }
    overrides = withLegacyLatency((ObjectNode) overrides.deepCopy());
    ObjectNode merged = json.valueToTree(GatesConfig.defaults());
    merge(merged, (ObjectNode) overrides, "gates");
    GatesConfig gates;
    try {
      // A field a request leaves out of a gate it names in full (a metric) takes the record's
      // default, as it did before strict JSON refused nulls for primitives in request bodies.
      gates =
          json.readerFor(GatesConfig.class)
              .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
              .treeToValue(merged, GatesConfig.class);
    } catch (JsonProcessingException e) {
      throw invalidGates(e);
    }
    if (!gates.hasComparisonGate()) {
      throw ApiException.invalid(
          "gates",
          "every comparison gate is disabled or a dry run: the rollout could never decide;"
              + " enable quality, a guardrail, feedback or a metric that decides");
    }
    if (!gates.needsEvidenceToPromote()) {
      throw ApiException.invalid(
          "gates",
          "no enabled gate needs evidence before a promotion (quality is off or a dry run, and"
              + " every guardrail is harm detection without a minimumPower): the canary would be promoted on any"
              + " sample; enable quality, or give a guardrail mode NON_INFERIORITY or a minimumPower, or add a PRIMARY"
              + " metric");
    }
    return gates;
  }

  /**
   * Requests written before latency had several quantiles: {@code latency.quantile} alone means
   * that one cut (with {@code latency.margin}, or the p95 default 0.05, as its margin); {@code
   * latency.margin} alone is the p95 margin, and every default quantile's margin scales with it
   * (0.08 gives p50 0.16, p95 0.08, p99 0.024).
   */
  private static ObjectNode withLegacyLatency(ObjectNode overrides) {
    JsonNode node = overrides.get("latency");
    if (node == null || !node.isObject() || node.has("quantiles") || node.has("margins")) {
      return overrides;
    }
    ObjectNode latency = (ObjectNode) node;
    JsonNode quantile = latency.get("quantile");
    JsonNode margin = latency.get("margin");
    if (quantile != null && quantile.isNumber()) {
      latency.putArray("quantiles").add(quantile.doubleValue());
      latency
          .putArray("margins")
          .add(
              margin != null && margin.isNumber()
                  ? margin.doubleValue()
                  : GatesConfig.defaults().latency().margin());
    } else if (margin != null && margin.isNumber()) {
      var defaults = GatesConfig.defaults().latency();
      double scale = margin.doubleValue() / defaults.margin();
      var margins = latency.putArray("margins");
      defaults.margins().forEach(m -> margins.add(Math.min(1, m * scale)));
    }
    return overrides;
  }

  /** The 422 for a gate setting the records rejected, naming it by its path from {@code gates}. */
  private static ApiException invalidGates(JsonProcessingException e) {
    StringBuilder path = new StringBuilder("gates");
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping) {
      for (com.fasterxml.jackson.databind.JsonMappingException.Reference ref : mapping.getPath()) {
        if (ref.getFieldName() != null) {
          path.append('.').append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
    }
    Throwable cause = e.getCause();
    if (cause instanceof dev.promptcanary.workflows.domain.GateConfigException invalid) {
      String field = path + (invalid.field().startsWith("[") ? "" : ".") + invalid.field();
      return ApiException.invalid(field, field + ": " + invalid.reason());
    }
    String message =
        cause instanceof IllegalArgumentException invalid
            ? invalid.getMessage()
            : e.getOriginalMessage();
    return ApiException.invalid(path.toString(), path + ": " + message);
  }

  private static void merge(ObjectNode target, ObjectNode overrides, String path) {
    overrides
        .fields()
        .forEachRemaining(
            field -> {
              JsonNode existing = target.get(field.getKey());
              if (existing == null) {
                throw ApiException.invalid(
                    path + "." + field.getKey(), "unknown gate setting '" + field.getKey() + "'");
              }
              if (existing.isObject() && field.getValue().isObject()) {
                merge(
                    (ObjectNode) existing,
                    (ObjectNode) field.getValue(),
                    path + "." + field.getKey());
              } else if (existing.isObject()
                  || existing.getNodeType() != field.getValue().getNodeType()
                      && !(existing.isNumber() && field.getValue().isNumber())) {
                throw ApiException.invalid(
                    path + "." + field.getKey(),
                    "expected "
                        + existing.getNodeType().name().toLowerCase(Locale.ROOT)
                        + " like the default "
                        + existing);
              } else {
                target.set(field.getKey(), field.getValue());
              }
            });
  }

  private static RolloutSpec spec(
      StartRolloutRequest request, String startedBy, int baseline, GatesConfig gates) {
    List<Stage> stages =
        request.stages() == null ? RolloutDefaults.STAGES : stages(request.stages());
    try {
      return new RolloutSpec(
          request.prompt(),
          request.candidateVersion(),
          baseline,
          stages,
          gates,
          request.evalSuite(),
          request.inconclusivePolicy() == null
              ? RolloutDefaults.POLICY
              : request.inconclusivePolicy(),
          request.maxExtensions() == null
              ? RolloutDefaults.MAX_EXTENSIONS
              : request.maxExtensions(),
          request.checkIntervalSeconds() == null
              ? RolloutDefaults.CHECK_INTERVAL_SECONDS
              : request.checkIntervalSeconds(),
          request.alertWebhook(),
          startedBy,
          request.judge(),
          request.srmPolicy() == null ? RolloutDefaults.SRM_POLICY : request.srmPolicy(),
          request.alertWebhookSecret(),
          request.alertFormat(),
          request.mode() == null ? RolloutMode.ENFORCE : request.mode());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("body", e.getMessage());
    }
  }

  private static List<Stage> stages(List<StageRequest> requested) {
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < requested.size(); i++) {
      StageRequest r = requested.get(i);
      String field = "stages[" + i + "]";
      if (i > 0 && r.weightBp() <= requested.get(i - 1).weightBp()) {
        throw ApiException.invalid(
            field + ".weightBp",
            "stage weights must increase; "
                + r.weightBp()
                + " does not exceed "
                + requested.get(i - 1).weightBp());
      }
      long minBake =
          r.minBakeSeconds() == null ? RolloutDefaults.MIN_BAKE_SECONDS : r.minBakeSeconds();
      long maxBake =
          r.maxBakeSeconds() == null
              ? Math.max(minBake, RolloutDefaults.MAX_BAKE_SECONDS)
              : r.maxBakeSeconds();
      if (maxBake < minBake) {
        throw ApiException.invalid(
            field + ".maxBakeSeconds",
            "maxBakeSeconds " + maxBake + " is below minBakeSeconds " + minBake);
      }
      boolean approval = Boolean.TRUE.equals(r.requireApproval());
      if (!approval && r.approvalTimeoutSeconds() != null) {
        throw ApiException.invalid(
            field + ".approvalTimeoutSeconds",
            "an approval timeout needs requireApproval: true on the stage");
      }
      if (!approval && r.onApprovalTimeout() != null) {
        throw ApiException.invalid(
            field + ".onApprovalTimeout",
            "what to do at an approval timeout needs requireApproval: true on the stage");
      }
      if (r.onApprovalTimeout() != null && r.approvalTimeoutSeconds() == null) {
        throw ApiException.invalid(
            field + ".onApprovalTimeout",
            "onApprovalTimeout needs approvalTimeoutSeconds (without it the stage waits for ever)");
      }
      stages.add(
          new Stage(
              r.weightBp(),
              r.minJudgements() == null ? RolloutDefaults.MIN_JUDGEMENTS : r.minJudgements(),
              minBake,
              maxBake,
              approval,
              r.approvalTimeoutSeconds() == null ? 0 : r.approvalTimeoutSeconds(),
              r.onApprovalTimeout()));
    }
    return stages;
  }

  private static String summary(RolloutSpec spec) {
    String weights =
        spec.stages().stream()
            .map(s -> String.format(Locale.ROOT, "%.4g%%", s.weightBp() / 100.0))
            .collect(Collectors.joining(" → "));
    return "Rollout of "
        + spec.prompt()
        + " v"
        + spec.candidateVersion()
        + " over v"
        + spec.baselineVersion()
        + ": "
        + weights
        + " → 100%";
  }

  private static String details(RolloutSpec spec) {
    return "Started by "
        + spec.startedBy()
        + ". Eval suite: "
        + (spec.evalSuite() == null ? "none" : spec.evalSuite())
        + ". Family-wise alpha "
        + spec.gates().alpha()
        + "; inconclusive policy "
        + spec.inconclusivePolicy()
        + " ("
        + spec.maxExtensions()
        + " extensions); on a sample ratio mismatch "
        + (spec.rollsBackOnSampleRatioMismatch() ? "roll back" : "hold")
        + ". Judge: "
        + (spec.judge() == null ? "the first to score, pinned" : spec.judge() + ", pinned")
        + ".";
  }

  public List<RolloutView> list(String prompt, String state, int limit) {
    return rollouts.list(prompt, state, limit).stream()
        .map(row -> new RolloutView(row, null, null))
        .toList();
  }

  public RolloutView view(String id) {
    return view(id, Long.MAX_VALUE);
  }

  /**
   * The rollout, its live progress asked of Temporal until {@code answerBy} ({@link
   * System#nanoTime()}; {@link Long#MAX_VALUE}: under the request stubs' own deadline only).
   */
  private RolloutView view(String id, long answerBy) {
    RolloutDao.Row row =
        rollouts
            .find(id)
            .orElseThrow(() -> ApiException.notFound("id", "no rollout with id '" + id + "'"));
    if (RolloutState.valueOf(row.state()).isFinal()) {
      return new RolloutView(row, null, null);
    }
    try {
      RolloutWorkflow workflow = client.newWorkflowStub(RolloutWorkflow.class, row.workflowId());
      RolloutProgress live =
          answerBy == Long.MAX_VALUE
              ? workflow.progress()
              : BoundedTemporalCall.within(left(answerBy), workflow::progress);
      return new RolloutView(row, live, null);
    } catch (RuntimeException e) {
      return new RolloutView(
          row,
          null,
          TemporalErrors.isUnavailable(e)
              ? "Temporal is unreachable: " + TemporalErrors.rootMessage(e)
              : "live progress unavailable: " + TemporalErrors.rootMessage(e));
    }
  }

  /**
   * Sends a control and answers once the workflow has acted on it, or with a 503 after {@link
   * #answerBound} (by default 8 s: a client's 10 s timeout leaves 2 s for the HTTP round trip and
   * the request's queueing). The whole control is bounded, not only its update: the describe before
   * it, the query of the state a control sent again or one that met a closed run answers with (a
   * query of a closed run is a replay on a worker), and the store reads all wait on servers that
   * can be slow. Past the update nothing is written, so the control's thread can be abandoned.
   */
  public ControlResult control(String id, String action, ControlBody body, Caller caller) {
    long answerBy = System.nanoTime() + answerBound.toNanos();
    try {
      return BoundedTemporalCall.within(
          answerBound, () -> controlWithin(answerBy, id, action, body, caller));
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e) || e.getCause() instanceof TimeoutException) {
        throw noAnswer(id, action, e);
      }
      throw e;
    }
  }

  private ControlResult controlWithin(
      long answerBy, String id, String action, ControlBody body, Caller caller) {
    RolloutDao.Row row =
        rollouts
            .find(id)
            .orElseThrow(() -> ApiException.notFound("id", "no rollout with id '" + id + "'"));
    String update = RolloutMessages.updateFor(action);
    if (update == null) {
      throw ApiException.notFound("action", "no control '" + action + "'");
    }
    if (body.requestId() != null) {
      ControlResult earlier = doneEarlier(row, action, body.requestId(), caller);
      if (earlier != null) {
        return earlier;
      }
    }
    if (RolloutState.valueOf(row.state()).isFinal()) {
      throw ApiException.conflict(
          "id", "rollout " + id + " has already ended (" + row.state() + ")");
    }
    WorkflowStub workflow = client.newUntypedWorkflowStub(row.workflowId());
    try {
      // While Temporal is unreachable this fails at once (under the request stubs' short
      // deadline), where the update below would wait for its bound.
      workflow.describe();
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        throw TemporalErrors.unavailable(e);
      }
      // anything else (e.g. not found) the update below reports in its own words
    }
    String requestId = body.requestId() != null ? body.requestId() : "control-" + UUID.randomUUID();
    ControlRequest request =
        new ControlRequest(caller.name(), body.reason(), caller.role().wireName(), requestId);
    try {
      // An update waits until the workflow's worker has taken it and retries through an outage
      // that begins after the describe: bounded, so the caller always gets an answer.
      Duration left = Duration.ofNanos(answerBy - System.nanoTime());
      return BoundedTemporalCall.within(
          left,
          () ->
              workflow
                  .startUpdate(update, WorkflowUpdateStage.COMPLETED, ControlResult.class, request)
                  .getResult(left.toMillis(), TimeUnit.MILLISECONDS));
    } catch (WorkflowUpdateException e) {
      String message =
          e.getCause() instanceof ApplicationFailure failure
              ? failure.getOriginalMessage()
              : TemporalErrors.rootMessage(e);
      boolean badArgument =
          e.getCause() instanceof ApplicationFailure failure
              && RolloutMessages.INVALID_CONTROL.equals(failure.getType());
      throw badArgument
          ? ApiException.invalid("body", message)
          : ApiException.conflict("id", message);
    } catch (WorkflowNotFoundException e) {
      throw ApiException.conflict("id", "rollout " + id + " is not running");
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e) || e.getCause() instanceof TimeoutException) {
        throw noAnswer(id, action, e);
      }
      if (TemporalErrors.isFinished(e)) {
        return answerAfterRunEnded(id, row.workflowId(), action, requestId);
      }
      throw e;
    }
  }

  /** The 503 of a control not answered within its bound: it may still take effect. */
  private ApiException noAnswer(String id, String action, RuntimeException e) {
    return ApiException.unavailable(
        "rollout "
            + id
            + " did not answer the "
            + action
            + " within "
            + answerBound.toSeconds()
            + " s (Temporal or its worker unreachable or slow: "
            + TemporalErrors.rootMessage(e)
            + "); the control may still take effect: read GET /v1/rollouts/"
            + id
            + " before sending it again",
        TemporalErrors.RETRY_AFTER_SECONDS);
  }

  /**
   * The answer to a control sent again with the {@code requestId} of one the rollout already acted
   * on (its audit entry carries the id): 200 with the rollout's state now, without acting again;
   * null when no control of that id was acted on; a 409 on {@code requestId} when the id was used
   * for another control or by another key.
   */
  private ControlResult doneEarlier(
      RolloutDao.Row row, String action, String requestId, Caller caller) {
    AuditDao.AuditedControl earlier = audit.control(row.id(), requestId).orElse(null);
    if (earlier == null) {
      return null;
    }
    if (!earlier.action().equals("rollout." + action) || !earlier.actor().equals(caller.name())) {
      throw ApiException.conflict(
          "requestId",
          "requestId '"
              + requestId
              + "' was used for another control of rollout "
              + row.id()
              + " ("
              + earlier.action()
              + " by "
              + earlier.actor()
              + ")");
    }
    RolloutState now = stateNow(row.id(), row.workflowId());
    return new ControlResult(
        now, action + " already done by request " + requestId + " (now " + now + ")");
  }

  /**
   * Temporal answered NOT_FOUND for the control's update: the run it was sent to has closed. It may
   * have closed after taking the control (a control that ends a stage can continue the rollout as a
   * new run in the same workflow task, and Temporal's Java test server then answers the wait for
   * the update's result with NOT_FOUND), or before accepting it (the real server's "workflow
   * execution already completed": an abort racing another abort). A run writes the audit entry of
   * every control it acted on before it closes, so that entry, found by the control's request id,
   * tells the two apart: done (200) or no effect (409).
   */
  private ControlResult answerAfterRunEnded(
      String id, String workflowId, String action, String requestId) {
    RolloutState now = stateNow(id, workflowId);
    if (audit.control(id, requestId).isPresent()) {
      // The run that acted on it ended: by this control (e.g. an abort) or by continuing as new.
      return new ControlResult(
          now,
          now.isFinal()
              ? action + " done (now " + now + ")"
              : action + " done; the rollout went on as a new run (now " + now + ")");
    }
    if (now.isFinal()) {
      throw ApiException.conflict(
          "id",
          "rollout "
              + id
              + " had already ended ("
              + now
              + ") before the "
              + action
              + " reached it;"
              + " it had no effect");
    }
    throw ApiException.conflict(
        "id",
        "rollout "
            + id
            + " went on as a new run (now "
            + now
            + ") before the "
            + action
            + " reached it; it had no effect: send it again");
  }

  /** The rollout's state as its workflow says, or as its stored record says when that cannot. */
  private RolloutState stateNow(String id, String workflowId) {
    try {
      return client.newWorkflowStub(RolloutWorkflow.class, workflowId).progress().state();
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        throw TemporalErrors.unavailable(e);
      }
      return rollouts
          .find(id)
          .map(row -> RolloutState.valueOf(row.state()))
          .orElseThrow(() -> ApiException.notFound("id", "no rollout with id '" + id + "'"));
    }
  }
}
