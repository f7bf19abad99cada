package dev.promptcanary.activities.eval;

import dev.promptcanary.activities.model.ChatMessage;
import dev.promptcanary.activities.model.ChatModel;
import dev.promptcanary.activities.model.ChatRequest;
import dev.promptcanary.activities.model.ChatResponse;
import dev.promptcanary.activities.model.Judge;
import dev.promptcanary.activities.model.JudgeException;
import dev.promptcanary.activities.model.ModelException;
import dev.promptcanary.activities.model.PromptRenderer;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.serving.PromptVersion;
import dev.promptcanary.workflows.rollout.ActivityStubs;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a stored eval suite for a rollout: every case is rendered for the candidate and the
 * baseline, sent to the model, checked against its assertions (judge assertions go to the judge),
 * and stored as soon as it finishes. Cases run with bounded concurrency; progress is heartbeated.
 *
 * <p>The run is keyed by the rollout id alone (rollout ids are never reused). So a second run for
 * the same rollout, whether Temporal retries the activity after a worker crash or {@code
 * LostRolloutRecovery} restarts the rollout as a new workflow run from its checkpoint, finds the
 * cases already stored and does not call the model for them again; a run that already reached a
 * verdict (passed, or blocked by its gate) returns its stored summary without calling the model at
 * all. A run that could not finish (a model or judge failure) has no verdict: a second run goes on
 * with the cases not stored yet.
 *
 * <p>The suite is named {@code name} (its latest version when the run starts) or {@code
 * name@version}; a resumed run keeps the version it started with.
 */
public final class SuiteEvalRunner implements EvalRunner {
  private static final Logger LOG = LoggerFactory.getLogger(SuiteEvalRunner.class);
  public static final int DEFAULT_CONCURRENCY = 4;

  private final EvalDao evals;
  private final PromptDao prompts;
  private final ChatModel model;
  private final AssertionChecker checker;
  private final int concurrency;

  public SuiteEvalRunner(Jdbi jdbi, ChatModel model, Judge judge) {
    this(jdbi, model, judge, DEFAULT_CONCURRENCY);
  }

  public SuiteEvalRunner(Jdbi jdbi, ChatModel model, Judge judge, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1");
    }
    this.evals = jdbi.onDemand(EvalDao.class);
    this.prompts = jdbi.onDemand(PromptDao.class);
    this.model = model;
    this.checker = new AssertionChecker(judge);
    this.concurrency = concurrency;
  }

  private record Arm(String name, PromptVersion version) {}

  private record Task(EvalCase evalCase, Arm arm) {}

  /** Why a case could not be finished: the run is blocked with this as its reason. */
  private static final class CaseFailure extends Exception {
    CaseFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public EvalSummary run(EvalRequest request) {
    ActivityExecutionContext activity = currentActivity();
    // Not the workflow run: a rollout restarted from its checkpoint under a new run must find this
    // run too.
    String runKey = request.rolloutId();

    Optional<EvalRun> previous = evals.findRun(runKey);
    Optional<EvalSummary> verdict = previous.flatMap(run -> evals.storedSummary(run.id()));
    if (verdict.isPresent()) {
      LOG.info(
          "eval {} v{} for {} already {}: returning its stored summary",
          previous.get().suite(),
          previous.get().suiteVersion(),
          request.rolloutId(),
          previous.get().state());
      return verdict.get();
    }
    Optional<StoredEvalSuite> found =
        previous.isPresent()
            ? evals.findSuite(previous.get().suite(), previous.get().suiteVersion())
            : resolveSuite(request.suite());
    if (found.isEmpty()) {
      return blocked("eval suite '" + request.suite() + "' does not exist");
    }
    StoredEvalSuite suite = found.get();
    String label = suite.name() + " v" + suite.version();

    Optional<PromptVersion> candidate =
        prompts.findVersion(request.prompt(), request.candidateVersion());
    if (candidate.isEmpty()) {
      return blocked(
          "prompt '" + request.prompt() + "' has no version " + request.candidateVersion());
    }
    Integer baselineNumber =
        request.baselineVersion() >= 1 && request.baselineVersion() != request.candidateVersion()
            ? request.baselineVersion()
            : null;
    Optional<PromptVersion> baseline =
        baselineNumber == null
            ? Optional.empty()
            : prompts.findVersion(request.prompt(), baselineNumber);
    if (baselineNumber != null && baseline.isEmpty()) {
      return blocked(
          "prompt '" + request.prompt() + "' has no version " + baselineNumber + " (the baseline)");
    }

    EvalRun run =
        evals.startRun(
            runKey,
            request.rolloutId(),
            suite,
            request.prompt(),
            request.candidateVersion(),
            baselineNumber);
    List<Arm> arms = new ArrayList<>();
    arms.add(new Arm(CaseResult.CANDIDATE, candidate.get()));
    baseline.ifPresent(v -> arms.add(new Arm(CaseResult.BASELINE, v)));

    Set<String> done = new HashSet<>();
    for (CaseResult r : evals.results(run.id())) {
      done.add(r.caseId() + "/" + r.arm());
    }
    List<Task> todo = new ArrayList<>();
    for (EvalCase c : suite.definition().cases()) {
      for (Arm arm : arms) {
        if (!done.contains(c.id() + "/" + arm.name())) {
          todo.add(new Task(c, arm));
        }
      }
    }
    int total = suite.definition().cases().size() * arms.size();
    if (!done.isEmpty()) {
      LOG.info(
          "eval {} for {}: resuming, {} of {} case runs already stored",
          label,
          request.rolloutId(),
          done.size(),
          total);
    }

    Optional<String> failure = runAll(run.id(), todo, done.size(), activity);
    List<CaseResult> results = evals.results(run.id());
    ArmStats candidateStats =
        ArmStats.of(request.candidateVersion(), filter(results, CaseResult.CANDIDATE));
    ArmStats baselineStats =
        baselineNumber == null
            ? null
            : ArmStats.of(baselineNumber, filter(results, CaseResult.BASELINE));
    double baselineRate = baselineStats == null ? 0 : baselineStats.passRate();
    int cases = suite.definition().cases().size();

    if (failure.isPresent()) {
      String reason = "eval suite " + label + " could not finish: " + failure.get();
      evals.finishRun(run.id(), "BLOCKED", reason, null);
      return new EvalSummary(false, reason, cases, candidateStats.passRate(), baselineRate);
    }
    EvalGateCheck.Result decision =
        EvalGateCheck.decide(label, suite.definition().gate(), candidateStats, baselineStats);
    EvalSummary summary =
        new EvalSummary(
            decision.passed(), decision.reason(), cases, candidateStats.passRate(), baselineRate);
    evals.finishRun(run.id(), decision.passed() ? "PASSED" : "BLOCKED", decision.reason(), summary);
    return summary;
  }

  /** Runs the tasks at most {@code concurrency} at a time; the first failure stops the rest. */
  private Optional<String> runAll(
      long runId, List<Task> todo, int alreadyDone, ActivityExecutionContext activity) {
    heartbeat(activity, alreadyDone);
    if (todo.isEmpty()) {
      return Optional.empty();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(concurrency, todo.size()),
            r -> {
              Thread t = new Thread(r, "eval-case");
              t.setDaemon(true);
              return t;
            });
    CompletionService<CaseResult> completions = new ExecutorCompletionService<>(pool);
    AtomicInteger doneCount = new AtomicInteger(alreadyDone);
    String failure = null;
    Throwable crash = null;
    try {
      AtomicBoolean stopped = new AtomicBoolean();
      for (Task task : todo) {
        completions.submit(
            () -> {
              if (stopped.get()) {
                throw new CaseFailure("stopped after an earlier case failed", null);
              }
              try {
                return runCase(runId, task);
              } catch (CaseFailure | RuntimeException | Error e) {
                stopped.set(
                    true); // no case starts after a failure, so the run ends soon and clearly
                throw e;
              }
            });
      }
      for (int i = 0; i < todo.size() && failure == null; ) {
        try {
          // Heartbeat while a slow case is still going too, so the heartbeat timeout only catches a
          // dead worker.
          var finished =
              completions.poll(
                  ActivityStubs.EVAL_HEARTBEAT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
          if (finished == null) {
            heartbeat(activity, doneCount.get());
            continue;
          }
          i++;
          finished.get();
          heartbeat(activity, doneCount.incrementAndGet());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof CaseFailure)) {
            crash = e.getCause();
            break;
          }
          failure = e.getCause().getMessage();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = "interrupted";
        }
      }
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (crash != null) {
      // Not the model's or the suite's fault (e.g. the store is unreachable): fail the attempt so
      // Temporal retries
      // it; the retry resumes from the cases stored so far.
      throw new IllegalStateException("eval run " + runId + " stopped: " + crash, crash);
    }
    return Optional.ofNullable(failure);
  }

  private CaseResult runCase(long runId, Task task) throws CaseFailure {
    EvalCase c = task.evalCase();
    String where =
        "case '" + c.id() + "' (" + task.arm().name() + " v" + task.arm().version().version() + ")";
    ChatRequest chat;
    try {
      chat = PromptRenderer.render(task.arm().version().content(), c.variables());
    } catch (IllegalArgumentException e) {
      throw new CaseFailure(where + " cannot be rendered: " + e.getMessage(), e);
    }
    String input = lastUserMessage(chat);
    ChatResponse response;
    try {
      response = model.complete(chat);
    } catch (ModelException e) {
      throw new CaseFailure(where + ": model call failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CaseFailure(where + ": model call failed: " + e, e);
    }
    List<AssertionResult> results = new ArrayList<>();
    double scoreSum = 0;
    int scored = 0;
    try {
      for (Assertion assertion : c.assertions()) {
        AssertionResult result = checker.check(assertion, input, response);
        results.add(result);
        if (result.score() != null) {
          scoreSum += result.score();
          scored++;
        }
      }
    } catch (JudgeException e) {
      throw new CaseFailure(where + ": judge failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CaseFailure(where + ": assertion failed to run: " + e, e);
    }
    CaseResult result =
        new CaseResult(
            c.id(),
            task.arm().name(),
            task.arm().version().version(),
            response.content() == null ? "" : response.content(),
            results,
            scored == 0 ? null : scoreSum / scored,
            results.stream().allMatch(AssertionResult::passed),
            response.inputTokens(),
            response.outputTokens(),
            response.cost(),
            response.latencyMs(),
            response.model());
    evals.saveResult(runId, result);
    return result;
  }

  private Optional<StoredEvalSuite> resolveSuite(String ref) {
    int at = ref.lastIndexOf('@');
    if (at > 0) {
      try {
        return evals.findSuite(ref.substring(0, at), Integer.parseInt(ref.substring(at + 1)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return evals.findLatestSuite(ref);
  }

  private static List<CaseResult> filter(List<CaseResult> results, String arm) {
    return results.stream().filter(r -> r.arm().equals(arm)).toList();
  }

  private static String lastUserMessage(ChatRequest chat) {
    List<ChatMessage> messages = chat.messages();
    return messages.isEmpty() ? "" : messages.get(messages.size() - 1).content();
  }

  private static EvalSummary blocked(String reason) {
    return new EvalSummary(false, reason, 0, 0, 0);
  }

  /** The activity this runs in, or null when it runs outside one (tests, tools). */
  private static ActivityExecutionContext currentActivity() {
    try {
      return Activity.getExecutionContext();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void heartbeat(ActivityExecutionContext activity, int doneCount) {
    if (activity != null) {
      activity.heartbeat(doneCount);
    }
  }
}
