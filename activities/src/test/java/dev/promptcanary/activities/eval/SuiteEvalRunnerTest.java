package dev.promptcanary.activities.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.promptcanary.activities.model.Judge;
import dev.promptcanary.activities.model.JudgeException;
import dev.promptcanary.activities.model.JudgeScore;
import dev.promptcanary.activities.rollout.AlertSender;
import dev.promptcanary.activities.rollout.RolloutActivitiesImpl;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.serving.PromptContent;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import io.temporal.testing.TestActivityEnvironment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The suite runner over real PostgreSQL with an in-test model and judge: the baseline (v1) answers
 * well; the candidate (v2) answers well or badly as each test's model decides.
 */
class SuiteEvalRunnerTest {
  private Jdbi jdbi;
  private EvalDao evals;

  /** Scores 0.9 when the answer mentions a refund, 0.2 otherwise. */
  private final Judge judge =
      request ->
          new JudgeScore(
              request.output().contains("refund") ? 0.9 : 0.2, "mentions refund?", "judge-1", "r1");

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    evals = jdbi.onDemand(EvalDao.class);
    PromptDao prompts = jdbi.onDemand(PromptDao.class);
    prompts.createVersion("support", content("baseline"), "ana");
    prompts.createVersion("support", content("candidate"), "ana");
  }

  private static PromptContent content(String variant) {
    return new PromptContent(
        "You are support (" + variant + ").",
        List.of(),
        "Q{{n}}: {{question}}",
        "sim-model",
        Map.of());
  }

  /**
   * {@code count} cases asking for a refund, each needing the word, JSON of a shape, brevity and
   * the judge.
   */
  private void storeSuite(String name, int count, EvalGate gate) {
    List<EvalCase> cases =
        IntStream.rangeClosed(1, count)
            .mapToObj(
                i ->
                    new EvalCase(
                        "c" + i,
                        Map.of("n", String.valueOf(i), "question", "can I get my money back?"),
                        List.of(
                            Assertion.of("contains", "refund"),
                            Assertion.schema(
                                Map.of("type", "object", "required", List.of("answer"))),
                            Assertion.max("max_length", 200),
                            Assertion.judge("Does it offer a refund?", 0.5))))
            .toList();
    evals.createSuite(new EvalSuite(name, cases, gate), "ana");
  }

  private static String good() {
    return "{\"answer\": \"We will refund you.\"}";
  }

  private static EvalRequest request(String rolloutId, String suite) {
    return new EvalRequest(rolloutId, "support", 2, 1, suite);
  }

  @Test
  void aGoodCandidatePassesAndTheReportIsStored() {
    storeSuite("refunds", 3, new EvalGate(1.0, 0.8, 0.0));
    FakeModel model = new FakeModel((system, user) -> good());

    EvalSummary summary =
        new SuiteEvalRunner(jdbi, model, judge).run(request("rollout-support-2", "refunds"));

    assertThat(summary.passed()).isTrue();
    assertThat(summary.cases()).isEqualTo(3);
    assertThat(summary.candidatePassRate()).isEqualTo(1.0);
    assertThat(summary.baselinePassRate()).isEqualTo(1.0);
    assertThat(summary.reason())
        .startsWith("eval suite refunds v1 passed")
        .contains("candidate v2 3/3 cases passed, mean judge score 0.90")
        .contains("baseline v1 3/3");
    assertThat(model.calls.get()).isEqualTo(6);

    EvalReport report = EvalReport.latest(evals, "rollout-support-2").orElseThrow();
    assertThat(report.state()).isEqualTo("PASSED");
    assertThat(report.reason()).isEqualTo(summary.reason());
    assertThat(report.cases()).hasSize(6);
    assertThat(report.candidate().meanJudgeScore()).isCloseTo(0.9, within(1e-9));
    assertThat(report.candidate().cost()).isCloseTo(0.003, within(1e-9));
    assertThat(report.baseline().version()).isEqualTo(1);
    assertThat(report.cases().get(0).assertions())
        .extracting(AssertionResult::passed)
        .containsOnly(true);
  }

  @Test
  void aRunThatReachedItsVerdictAnswersAgainWithItsStoredSummaryWithoutCallingTheModel() {
    storeSuite("refunds", 3, new EvalGate(1.0, 0.8, 0.0));
    FakeModel model = new FakeModel((system, user) -> good());
    SuiteEvalRunner runner = new SuiteEvalRunner(jdbi, model, judge);
    EvalSummary first = runner.run(request("rollout-support-2", "refunds"));
    long run = evals.findRun("rollout-support-2").orElseThrow().id();

    assertThat(evals.storedSummary(run)).contains(first);
    assertThat(runner.run(request("rollout-support-2", "refunds"))).isEqualTo(first);
    assertThat(model.calls.get()).as("no case asked again").isEqualTo(6);
  }

  @Test
  void aCandidateBelowTheGateIsBlockedNamingTheFailedClause() {
    storeSuite("strict", 4, new EvalGate(0.75, null, null));
    // the candidate answers two of four cases in prose without the word
    FakeModel model =
        new FakeModel(
            (system, user) ->
                system.contains("candidate") && (user.startsWith("Q1:") || user.startsWith("Q2:"))
                    ? "Sorry, no."
                    : good());

    EvalSummary summary =
        new SuiteEvalRunner(jdbi, model, judge).run(request("rollout-support-2", "strict"));

    assertThat(summary.passed()).isFalse();
    assertThat(summary.candidatePassRate()).isEqualTo(0.5);
    assertThat(summary.baselinePassRate()).isEqualTo(1.0);
    assertThat(summary.reason())
        .startsWith(
            "eval suite strict v1 blocked the candidate: pass rate 50.0% below the minimum 75.0%");
    EvalReport report = EvalReport.latest(evals, "rollout-support-2").orElseThrow();
    assertThat(report.state()).isEqualTo("BLOCKED");
    CaseResult failed =
        report.cases().stream()
            .filter(r -> r.caseId().equals("c1") && r.arm().equals("candidate"))
            .findFirst()
            .orElseThrow();
    assertThat(failed.passed()).isFalse();
    assertThat(failed.judgeScore()).isEqualTo(0.2);
    assertThat(failed.assertions())
        .extracting(AssertionResult::type, AssertionResult::passed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("contains", false),
            org.assertj.core.groups.Tuple.tuple("json_schema", false),
            org.assertj.core.groups.Tuple.tuple("max_length", true),
            org.assertj.core.groups.Tuple.tuple("judge", false));
  }

  @Test
  void aCandidateWorseThanTheBaselineByMoreThanTheAllowedDropIsBlocked() {
    storeSuite("drop", 4, new EvalGate(0.5, null, 0.1));
    FakeModel model =
        new FakeModel(
            (system, user) ->
                system.contains("candidate") && user.startsWith("Q4:") ? "no" : good());

    EvalSummary summary =
        new SuiteEvalRunner(jdbi, model, judge).run(request("rollout-support-2", "drop"));

    assertThat(summary.passed()).isFalse();
    assertThat(summary.candidatePassRate()).isEqualTo(0.75);
    assertThat(summary.reason())
        .contains("pass rate 75.0% is 25.0% below the baseline's 100.0% (allowed drop 10.0%)");
  }

  @Test
  void aModelThatFailsAfterItsRetriesBlocksWithTheCaseAndTheError() {
    storeSuite("flaky", 3, new EvalGate(0.5, null, null));
    FakeModel model = new FakeModel((system, user) -> good()).failAlways("Q2:");

    EvalSummary summary =
        new SuiteEvalRunner(jdbi, model, judge, 1).run(request("rollout-support-2", "flaky"));

    assertThat(summary.passed()).isFalse();
    assertThat(summary.reason())
        .isEqualTo(
            "eval suite flaky v1 could not finish: case 'c2' (candidate v2): model call failed:"
                + " request timed out after 3 attempts");
    assertThat(EvalReport.latest(evals, "rollout-support-2").orElseThrow().state())
        .isEqualTo("BLOCKED");
  }

  @Test
  void aJudgeThatFailsBlocksRatherThanScoringZero() {
    storeSuite("judged", 2, new EvalGate(0.5, null, null));
    Judge garbage =
        request -> {
          throw new JudgeException("judge answer is not a score: 'I think it is fine'", null);
        };
    EvalSummary summary =
        new SuiteEvalRunner(jdbi, new FakeModel((s, u) -> good()), garbage, 1)
            .run(request("rollout-support-2", "judged"));

    assertThat(summary.passed()).isFalse();
    assertThat(summary.reason())
        .contains("case 'c1' (candidate v2): judge failed: judge answer is not a score");
  }

  @Test
  void anUnknownSuiteOrAMissingVariableBlocksWithAClearReason() {
    FakeModel model = new FakeModel((s, u) -> good());
    SuiteEvalRunner runner = new SuiteEvalRunner(jdbi, model, judge);
    assertThat(runner.run(request("rollout-support-2", "nothing-here")).reason())
        .isEqualTo("eval suite 'nothing-here' does not exist");

    evals.createSuite(
        new EvalSuite(
            "novars",
            List.of(new EvalCase("only", Map.of("n", "1"), List.of(Assertion.of("contains", "x")))),
            new EvalGate(1.0, null, null)),
        "ana");
    EvalSummary summary = runner.run(request("rollout-support-2b", "novars"));
    assertThat(summary.passed()).isFalse();
    assertThat(summary.reason())
        .contains("case 'only' (")
        .contains(") cannot be rendered: template variable 'question' has no value");
    assertThat(model.calls.get()).isZero();
  }

  @Test
  void aSpecificVersionIsRunWhenNamedAndLatestOtherwise() {
    storeSuite("versioned", 1, new EvalGate(1.0, null, null));
    storeSuite("versioned", 2, new EvalGate(1.0, null, null));
    FakeModel model = new FakeModel((s, u) -> good());
    SuiteEvalRunner runner = new SuiteEvalRunner(jdbi, model, judge);
    assertThat(runner.run(request("r-latest", "versioned")).cases()).isEqualTo(2);
    assertThat(runner.run(request("r-first", "versioned@1")).cases()).isEqualTo(1);
  }

  @Test
  void aRunInterruptedAfterSomeCasesResumesWithoutRedoingThem() {
    storeSuite("resume", 5, new EvalGate(1.0, null, null));
    // one case at a time, so the order is fixed: c1 cand, c1 base, c2 cand, c2 base, c3 cand
    // (fails), ...
    FakeModel model = new FakeModel((s, u) -> good()).failOnce("Q3:");
    SuiteEvalRunner runner = new SuiteEvalRunner(jdbi, model, judge, 1);

    EvalSummary first = runner.run(request("rollout-support-2", "resume"));
    assertThat(first.passed()).isFalse();
    assertThat(first.reason()).contains("case 'c3' (candidate v2)").contains("HTTP 503");
    EvalReport afterCrash = EvalReport.latest(evals, "rollout-support-2").orElseThrow();
    assertThat(afterCrash.cases())
        .extracting(r -> r.caseId() + "/" + r.arm())
        .containsExactlyInAnyOrder("c1/candidate", "c1/baseline", "c2/candidate", "c2/baseline");
    assertThat(model.calls.get()).isEqualTo(5);

    EvalSummary second = runner.run(request("rollout-support-2", "resume"));
    assertThat(second.passed()).isTrue();
    assertThat(second.cases()).isEqualTo(5);
    // 10 case runs in all; the 4 stored ones were not asked again: 6 calls on the second run
    assertThat(model.calls.get()).isEqualTo(5 + 6);
    assertThat(model.answered.values()).extracting(AtomicInteger::get).containsOnly(1);
    assertThat(model.answered).hasSize(10);
    assertThat(EvalReport.latest(evals, "rollout-support-2").orElseThrow().cases()).hasSize(10);
  }

  @Test
  void anUnexpectedErrorFailsTheAttemptAndTheRetryResumesFromTheStore() {
    storeSuite("dies", 4, new EvalGate(1.0, null, null));
    AtomicBoolean dying = new AtomicBoolean(true);
    FakeModel model =
        new FakeModel(
            (s, u) -> {
              if (u.startsWith("Q3:") && dying.getAndSet(false)) {
                throw new Error("worker is going down");
              }
              return good();
            });
    SuiteEvalRunner runner = new SuiteEvalRunner(jdbi, model, judge, 1);

    assertThatThrownBy(() -> runner.run(request("rollout-support-2", "dies")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("worker is going down");
    EvalReport interrupted = EvalReport.latest(evals, "rollout-support-2").orElseThrow();
    assertThat(interrupted.state()).isEqualTo("RUNNING");
    assertThat(interrupted.cases()).hasSize(4);
    assertThat(model.calls.get()).isEqualTo(5);

    EvalSummary retried = runner.run(request("rollout-support-2", "dies"));
    assertThat(retried.passed()).isTrue();
    assertThat(model.calls.get()).isEqualTo(5 + 4);
    assertThat(model.answered.values()).extracting(AtomicInteger::get).containsOnly(1);
  }

  @Test
  void concurrentCasesAreBoundedAndEachIsStoredOnce() {
    storeSuite("wide", 12, new EvalGate(1.0, null, null));
    FakeModel model = new FakeModel((s, u) -> good());

    EvalSummary summary =
        new SuiteEvalRunner(jdbi, model, judge, 3).run(request("rollout-support-2", "wide"));

    assertThat(summary.passed()).isTrue();
    assertThat(model.maxInFlight.get()).isBetween(1, 3);
    assertThat(model.calls.get()).isEqualTo(24);
    assertThat(EvalReport.latest(evals, "rollout-support-2").orElseThrow().cases()).hasSize(24);
  }

  @Test
  void insideAnActivityItHeartbeatsItsProgressAndKeysTheRunByTheRolloutAlone() {
    storeSuite("beat", 3, new EvalGate(1.0, null, null));
    FakeModel model = new FakeModel((s, u) -> good());
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      List<Integer> beats = new CopyOnWriteArrayList<>();
      env.setActivityHeartbeatListener(Integer.class, beats::add);
      env.registerActivitiesImplementations(
          new RolloutActivitiesImpl(
              jdbi, new SuiteEvalRunner(jdbi, model, judge, 1), new AlertSender()));
      RolloutActivities activities = env.newActivityStub(RolloutActivities.class);

      EvalSummary summary = activities.runOfflineEval(request("rollout-support-2", "beat"));

      assertThat(summary.passed()).isTrue();
      // the first heartbeat reports what was already stored; later ones are throttled by the SDK
      assertThat(beats).isNotEmpty().allMatch(done -> done >= 0 && done <= 6);
      assertThat(beats.get(0)).isZero();
      // not the workflow run: a retried activity and a rollout restarted under a new workflow run
      // find the same run
      assertThat(evals.latestRun("rollout-support-2").orElseThrow().runKey())
          .isEqualTo("rollout-support-2");
    } finally {
      env.close();
    }
  }
}
