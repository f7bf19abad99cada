package dev.promptcanary.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.promptcanary.activities.eval.NoSuitesEvalRunner;
import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.Fixtures;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.activities.store.PromptDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TestDatabases;
import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.GatesConfig;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import dev.promptcanary.workflows.rollout.AuditEntry;
import dev.promptcanary.workflows.rollout.Checkpoint;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import dev.promptcanary.workflows.rollout.Stage;
import dev.promptcanary.workflows.rollout.StagePlan;
import dev.promptcanary.workflows.rollout.StagePlanRequest;
import io.temporal.testing.TestActivityEnvironment;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout's activities against real PostgreSQL, run inside Temporal's activity test
 * environment.
 */
class RolloutActivitiesImplTest {
  private Jdbi jdbi;
  private TestActivityEnvironment env;
  private RolloutActivities activities;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    PromptDao prompts = jdbi.onDemand(PromptDao.class);
    prompts.createVersion("chat", Fixtures.content(1), "ana");
    prompts.createVersion("chat", Fixtures.content(2), "ana");
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new RolloutActivitiesImpl(jdbi, new NoSuitesEvalRunner(), new AlertSender()));
    activities = env.newActivityStub(RolloutActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static RoutingCommand command(
      boolean claim, boolean release, long sequence, int stable, Integer canary, int weight) {
    return new RoutingCommand(
        "rollout-chat-2", "chat", claim, release, sequence, stable, canary, weight, "test");
  }

  @Test
  void aClaimIsIdempotentAndLaterWritesAreFenced() {
    RoutingReceipt claim = activities.setRouting(command(true, false, 1, 1, 2, 500));
    assertThat(claim.applied()).isTrue();
    // the claim retried (its first answer lost) finds the row already ours
    assertThat(activities.setRouting(command(true, false, 1, 1, 2, 500)).applied()).isTrue();

    long next = claim.sequence() + 1;
    assertThat(activities.setRouting(command(false, false, next, 1, 2, 2500)).applied()).isTrue();
    RoutingReceipt stale =
        activities.setRouting(command(false, false, claim.sequence(), 1, 2, 500));
    assertThat(stale.applied()).isFalse();
    assertThat(stale.detail()).contains("stale");
    assertThat(jdbi.onDemand(RoutingDao.class).find("chat").orElseThrow().canaryWeightBp())
        .isEqualTo(2500);

    // promotion releases the row and remembers the version it replaced
    assertThat(activities.setRouting(command(false, true, next + 1, 2, null, 0)).applied())
        .isTrue();
    var routing = jdbi.onDemand(RoutingDao.class).find("chat").orElseThrow();
    assertThat(routing.stableVersion()).isEqualTo(2);
    assertThat(routing.rolloutId()).isNull();
    Integer lastKnownGood =
        jdbi.withHandle(
            h ->
                h.select("SELECT last_known_good_version FROM routing WHERE prompt = 'chat'")
                    .mapTo(Integer.class)
                    .one());
    assertThat(lastKnownGood).isEqualTo(1);
    // and a late write of the finished rollout cannot touch it
    assertThat(activities.setRouting(command(false, false, next + 2, 1, 2, 5000)).applied())
        .isFalse();
  }

  @Test
  void theFinalRecordResetsRoutingARollbackCouldNotReset() {
    RolloutSpec spec = Fixtures.spec("chat", List.of(new Stage(500, 10, 0, 60)));
    assertThat(activities.setRouting(command(true, false, 1, 1, 2, 500)).applied()).isTrue();
    // The rollback's reset kept failing (PostgreSQL away), so the workflow ended with the canary
    // still routed; its final record is the next write that reaches the store.
    Checkpoint rolledBack =
        new Checkpoint(
            RolloutState.ROLLED_BACK,
            0,
            true,
            1,
            0,
            60_000,
            1,
            0,
            1,
            List.of(),
            List.of(),
            0,
            null,
            0);
    RolloutRecord end =
        new RolloutRecord(
            "rollout-chat-2",
            "run-1",
            spec,
            rolledBack,
            "regression (routing could not be reset, set it by hand: connection refused)",
            null);
    activities.recordProgress(end);
    activities.recordProgress(end); // a retry

    var routing = jdbi.onDemand(RoutingDao.class).find("chat").orElseThrow();
    assertThat(routing.rolloutId()).isNull();
    assertThat(routing.stableVersion()).isEqualTo(1);
    assertThat(routing.canaryVersion()).isNull();
    assertThat(routing.canaryWeightBp()).isZero();
    assertThat(routing.fenceSeq()).isEqualTo(2);
  }

  @Test
  void analysisReadsTheArmsFromTheStoreAndSeesARegression() {
    Instant canaryStart = Instant.now().minusSeconds(600);
    List<Observation> observations = new ArrayList<>();
    List<Judgement> judgements = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < 400; i++) {
      int version = i % 2 == 0 ? 1 : 2;
      String id = "req-" + i;
      observations.add(
          new Observation(
              id,
              "chat",
              version,
              "u" + i,
              canaryStart.plusSeconds(60),
              500.0 + i % 50,
              100,
              50,
              0.001,
              false,
              false,
              null));
      double score = version == 1 ? 0.8 : 0.6;
      judgements.add(
          new Judgement(
              id,
              "chat",
              version,
              "judge",
              score + random.nextGaussian() * 0.05,
              canaryStart.plusSeconds(60)));
    }
    judgements.replaceAll(
        j ->
            new Judgement(
                j.requestId(),
                j.prompt(),
                j.version(),
                j.judge(),
                Math.max(0, Math.min(1, j.score())),
                j.judgedAt()));
    OutcomeDao outcomes = jdbi.onDemand(OutcomeDao.class);
    outcomes.insertObservations(observations);
    outcomes.insertJudgements(judgements);

    AnalysisReport report =
        activities.analyse(
            new AnalysisRequest(
                "rollout-chat-2",
                "chat",
                2,
                1,
                5000,
                canaryStart.toEpochMilli(),
                canaryStart.toEpochMilli(),
                1,
                GatesConfig.defaults(),
                null,
                0,
                false));

    assertThat(report.overall().decision()).isEqualTo(Decision.REGRESSION);
    assertThat(report.canaryJudgements()).isEqualTo(200);
    assertThat(report.stableJudgements()).isEqualTo(200);
    assertThat(report.canaryObservations()).isEqualTo(200);
    Verdict quality =
        report.gates().stream().filter(v -> v.gate() == GateKind.QUALITY).findFirst().orElseThrow();
    assertThat(quality.estimate()).isCloseTo(-0.2, within(0.02));
    assertThat(quality.upper()).isLessThan(0);

    // a later stage is a test of its own: nothing since its start, so no decision yet
    AnalysisReport laterStage =
        activities.analyse(
            new AnalysisRequest(
                "rollout-chat-2",
                "chat",
                2,
                1,
                5000,
                canaryStart.toEpochMilli(),
                Instant.now().toEpochMilli(),
                3,
                GatesConfig.defaults(),
                null,
                0,
                false));
    assertThat(laterStage.canaryJudgements()).isZero();
    assertThat(laterStage.overall().decision()).isEqualTo(Decision.INSUFFICIENT_DATA);
  }

  /**
   * 400 requests over both arms at 50%, all observed; the judge scores the baseline 0.8 and the
   * canary {@code canaryScore}, and fails on every {@code failEvery}-th canary request (0: never).
   * {@code errorEvery}-th canary request errored (0: never).
   */
  private Instant stage(String judge, double canaryScore, int failEvery, int errorEvery) {
    Instant start = Instant.now().minusSeconds(600);
    Instant at = start.plusSeconds(60);
    List<Observation> observations = new ArrayList<>();
    List<Judgement> judgements = new ArrayList<>();
    OutcomeDao outcomes = jdbi.onDemand(OutcomeDao.class);
    Random random = new Random(5);
    for (int i = 0; i < 400; i++) {
      int version = i % 2 == 0 ? 1 : 2;
      String id = "req-" + i;
      boolean error = version == 2 && errorEvery > 0 && (i / 2) % errorEvery == 0;
      observations.add(
          new Observation(
              id, "chat", version, "u" + i, at, 500.0, 100, 50, 0.001, error, false, null));
      if (version == 2 && failEvery > 0 && (i / 2) % failEvery == 0) {
        outcomes.insertJudgeFailure(
            new JudgeFailure(id, "chat", 2, judge, "answered no score", at));
        continue;
      }
      double mean = version == 1 ? 0.8 : canaryScore;
      judgements.add(
          new Judgement(
              id,
              "chat",
              version,
              judge,
              Math.max(0, Math.min(1, mean + random.nextGaussian() * 0.05)),
              at));
    }
    outcomes.insertObservations(observations);
    outcomes.insertJudgements(judgements);
    return start;
  }

  private AnalysisReport look(Instant start, String judge) {
    return activities.analyse(
        new AnalysisRequest(
            "rollout-chat-2",
            "chat",
            2,
            1,
            5000,
            start.toEpochMilli(),
            start.toEpochMilli(),
            1,
            GatesConfig.defaults(),
            judge,
            0,
            false));
  }

  private static Verdict gate(AnalysisReport report, GateKind kind) {
    return report.gates().stream().filter(v -> v.gate() == kind).findFirst().orElseThrow();
  }

  @Test
  void aJudgeFailingOnTheCanaryHoldsInsteadOfDecidingOnItsScores() {
    // The canary looks worse, but the judge failed on half of its requests: its scores are a biased
    // sample.
    Instant start = stage("sim-judge/j1-a", 0.6, 2, 0);

    AnalysisReport report = look(start, null);

    assertThat(gate(report, GateKind.QUALITY).decision()).isEqualTo(Decision.REGRESSION);
    Verdict health = gate(report, GateKind.JUDGE_HEALTH);
    assertThat(health.decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(health.reason())
        .contains("judge sim-judge/j1-a is failing")
        .contains("100 of all 400 attempts");
    assertThat(report.overall().decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(report.overall().reason()).startsWith("hold, judge sim-judge/j1-a is failing");
  }

  @Test
  void aGuardrailRegressionStillRollsBackWhileTheJudgeIsUnhealthy() {
    Instant start = stage("sim-judge/j1-a", 0.8, 2, 2);

    AnalysisReport report = look(start, null);

    assertThat(gate(report, GateKind.JUDGE_HEALTH).decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(gate(report, GateKind.ERROR_RATE).decision()).isEqualTo(Decision.REGRESSION);
    assertThat(report.overall().decision()).isEqualTo(Decision.REGRESSION);
  }

  @Test
  void onlyThePinnedJudgesScoresCountAndAnotherJudgesScoresHold() {
    Instant start = stage("judge-a", 0.8, 0, 0);

    AnalysisReport pinnedToA = look(start, "judge-a");
    assertThat(pinnedToA.canaryJudgements()).isEqualTo(200);
    assertThat(gate(pinnedToA, GateKind.JUDGE_HEALTH).decision()).isEqualTo(Decision.NON_INFERIOR);
    assertThat(gate(pinnedToA, GateKind.JUDGE_HEALTH).reason()).contains("judge judge-a healthy");

    // The rollout's judge is b: a's 400 scores are not its data, and mean the judge changed under
    // the rollout.
    AnalysisReport pinnedToB = look(start, "judge-b");
    assertThat(pinnedToB.canaryJudgements()).isZero();
    assertThat(pinnedToB.overall().decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(pinnedToB.overall().reason()).contains("+400 scored by another judge");
  }

  @Test
  void withoutAPinTheFirstJudgeToScoreIsTheRolloutsJudge() {
    Instant start = stage("judge-a", 0.8, 0, 0);
    Instant later = Instant.now().minusSeconds(30);
    List<Judgement> second = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      second.add(new Judgement("req-" + i, "chat", i % 2 == 0 ? 1 : 2, "judge-b", 0.1, later));
    }
    jdbi.onDemand(OutcomeDao.class).insertJudgements(second);

    AnalysisReport report = look(start, null);

    assertThat(report.canaryJudgements()).isEqualTo(200);
    Verdict quality = gate(report, GateKind.QUALITY);
    assertThat(quality.estimate())
        .as("judge-b's 0.1 scores are not mixed in")
        .isCloseTo(0.0, within(0.03));
    assertThat(gate(report, GateKind.JUDGE_HEALTH).reason()).contains("judge judge-a");
    assertThat(report.overall().decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
  }

  @Test
  void aJudgeThatNeverScoresIsStillTheRolloutsJudgeAndHoldsIt() {
    Instant start = Instant.now().minusSeconds(600);
    OutcomeDao outcomes = jdbi.onDemand(OutcomeDao.class);
    List<Observation> served = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      served.add(
          new Observation(
              "req-" + i,
              "chat",
              1 + i % 2,
              "u" + i,
              start.plusSeconds(50),
              500.0,
              100,
              50,
              0.001,
              false,
              false,
              null));
    }
    outcomes.insertObservations(served);
    for (int i = 0; i < 30; i++) {
      outcomes.insertJudgeFailure(
          new JudgeFailure(
              "req-" + i,
              "chat",
              1 + i % 2,
              "garbage-judge/j1-x",
              "judge garbage-judge answered no score: I think it is fine",
              start.plusSeconds(60)));
    }

    AnalysisReport report = look(start, null);

    assertThat(report.overall().decision()).isEqualTo(Decision.JUDGE_UNHEALTHY);
    assertThat(report.overall().reason())
        .contains("judge garbage-judge/j1-x is failing")
        .contains("30 of all 30");
  }

  @Test
  void eachStageGetsItsShareOfTheFamilyWiseAlpha() {
    // The sample ratio check is split too (issue 10): it runs once per stage like the gates.
    GatesConfig split = GatesConfig.defaults().perStage(4);
    assertThat(split.alpha()).isCloseTo(GatesConfig.defaults().alpha() / 4, within(1e-12));
    assertThat(split.sampleRatio().alpha())
        .isCloseTo(GatesConfig.defaults().sampleRatio().alpha() / 4, within(1e-12));
    assertThat(GatesConfig.defaults().perStage(1)).isEqualTo(GatesConfig.defaults());
  }

  @Test
  void theReadModelNeverGoesBackInTime() {
    RolloutSpec spec = Fixtures.spec("chat", List.of(new Stage(500, 10, 0, 60)));
    Checkpoint canary =
        new Checkpoint(
            RolloutState.CANARY,
            0,
            true,
            1,
            0,
            60_000,
            1,
            0,
            1,
            List.of(),
            List.of(),
            500,
            null,
            0);
    Checkpoint rolledBack =
        new Checkpoint(
            RolloutState.ROLLED_BACK,
            0,
            true,
            1,
            0,
            60_000,
            1,
            0,
            2,
            List.of(),
            List.of(),
            0,
            null,
            0);
    RolloutDao rollouts = jdbi.onDemand(RolloutDao.class);

    assertThat(
            rollouts.upsert(
                new RolloutRecord("rollout-chat-2", "run-1", spec, rolledBack, "regression", null),
                200))
        .isEqualTo(1);
    // a late retry of an earlier write changes nothing
    assertThat(
            rollouts.upsert(
                new RolloutRecord("rollout-chat-2", "run-1", spec, canary, null, null), 100))
        .isZero();
    RolloutDao.Row row = rollouts.find("rollout-chat-2").orElseThrow();
    assertThat(row.state()).isEqualTo("ROLLED_BACK");
    assertThat(row.reason()).isEqualTo("regression");
    assertThat(row.finishedAt()).isNotNull();
  }

  @Test
  void alertsAreStoredOnceAndDeliveredWithAnIdempotencyKey() throws Exception {
    List<String> keys = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/alerts",
        exchange -> {
          keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
          // the first delivery fails: the activity must fail so Temporal retries it
          int status = calls.incrementAndGet() == 1 ? 503 : 204;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    hook.start();
    try {
      String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts";
      AlertEvent event =
          new AlertEvent(
              "rollout-chat-2",
              "chat",
              2,
              "rolled_back",
              RolloutState.ROLLED_BACK,
              "regression",
              null,
              url,
              System.currentTimeMillis());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> activities.sendAlert(event))
          .hasStackTraceContaining("answered 503");
      activities.sendAlert(event);

      assertThat(calls.get()).isEqualTo(2);
      // two activities (each its own key): the failed one stays undelivered, the second is marked
      // delivered
      List<Boolean> delivered =
          jdbi.withHandle(
              h ->
                  h.select(
                          "SELECT delivered_at IS NOT NULL FROM alerts WHERE rollout_id = 'rollout-chat-2' ORDER BY id")
                      .mapTo(Boolean.class)
                      .list());
      assertThat(delivered).containsExactly(false, true);
      assertThat(keys)
          .hasSize(2)
          .doesNotHaveDuplicates()
          .allSatisfy(k -> assertThat(k).contains("/"));
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void controlsAreAuditedOncePerActivity() {
    AuditEntry entry =
        new AuditEntry("rollout-chat-2", "chat", "bob", "rollout.bypass", "incident 7");
    activities.recordAudit(entry);
    long rows =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT count(*) FROM audit_log WHERE rollout_id = 'rollout-chat-2' AND actor = 'bob'")
                    .mapTo(Long.class)
                    .one());
    assertThat(rows).isEqualTo(1);
    String reason =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT details->>'reason' FROM audit_log WHERE rollout_id = 'rollout-chat-2'")
                    .mapTo(String.class)
                    .one());
    assertThat(reason).isEqualTo("incident 7");
  }

  @Test
  void aControlsEntryCarriesItsRequestIdAndIsStoredOnceForIt() {
    AuditEntry entry =
        new AuditEntry(
            "rollout-chat-2",
            "chat",
            "bob",
            "rollout.abort",
            "wrong version",
            "admin",
            "CANARY",
            500,
            "abort-7");
    activities.recordAudit(entry);
    // written again by another activity (each call here is its own activity, its own dedupe key)
    activities.recordAudit(entry);
    activities.recordAudit(
        new AuditEntry(
            "rollout-chat-2", "chat", "ana", "rollout.abort", "again", "admin", null, null, "a-8"));

    List<String> requestIds =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT request_id FROM audit_log WHERE rollout_id = 'rollout-chat-2'"
                            + " ORDER BY id")
                    .mapTo(String.class)
                    .list());
    assertThat(requestIds).containsExactly("abort-7", "a-8");
    AuditDao audit = jdbi.onDemand(AuditDao.class);
    assertThat(audit.control("rollout-chat-2", "abort-7"))
        .contains(new AuditDao.AuditedControl("rollout.abort", "bob"));
    assertThat(audit.control("rollout-chat-2", "abort-9")).isEmpty();
    assertThat(audit.control("rollout-other-2", "abort-7")).isEmpty();
  }

  @Test
  void thePlannerRaisesTheWeightOnlyWhenThatLetsTheStageDecide() {
    List<Observation> traffic = new ArrayList<>();
    List<Judgement> scores = new ArrayList<>();
    Random random = new Random(5);
    Instant now = Instant.now();
    // 300 requests spread over the last hour: about 300 an hour
    for (int i = 0; i < 300; i++) {
      Instant at = now.minusSeconds(3_590 - 12L * i);
      traffic.add(
          new Observation(
              "p-" + i, "chat", 1, "u" + i, at, 500.0, 100, 50, 0.001, i % 100 == 0, false, null));
      scores.add(
          new Judgement(
              "p-" + i,
              "chat",
              1,
              "judge",
              Math.max(0, Math.min(1, 0.8 + random.nextGaussian() * 0.2)),
              at));
    }
    jdbi.onDemand(OutcomeDao.class).insertObservations(traffic);
    jdbi.onDemand(OutcomeDao.class).insertJudgements(scores);

    // 300 requests/hour cannot decide within an hour even at the 24.99% cap: more weight would not
    // help
    StagePlan capped =
        activities.planStage(
            new StagePlanRequest("chat", 1, 100, 2499, 1.0, 3, GatesConfig.defaults()));
    assertThat(capped.weightBp()).isEqualTo(100);
    assertThat(capped.note())
        .contains("requests/hour")
        .contains("more weight would not let the stage decide");
    // with two days, a raise is enough, and the planner raises to exactly what it says is needed
    StagePlan raised =
        activities.planStage(
            new StagePlanRequest("chat", 1, 100, 4999, 48.0, 3, GatesConfig.defaults()));
    assertThat(raised.weightBp()).isGreaterThan(100).isLessThanOrEqualTo(4999);
    assertThat(raised.note())
        .contains(
            String.format(java.util.Locale.ROOT, "a weight of %.2f%%", raised.weightBp() / 100.0));
    // with a week to decide, the current weight is enough
    StagePlan enough =
        activities.planStage(
            new StagePlanRequest("chat", 1, 2000, 4999, 24.0 * 7, 3, GatesConfig.defaults()));
    assertThat(enough.weightBp()).isEqualTo(2000);
    assertThat(enough.note()).contains("staying at 20.00%");
  }

  @Test
  void aNamedSuiteThatDoesNotExistBlocksTheCandidate() {
    var summary =
        activities.runOfflineEval(new EvalRequest("rollout-chat-2", "chat", 2, 1, "golden-set"));
    assertThat(summary.passed()).isFalse();
    assertThat(summary.reason()).contains("golden-set");
    assertThat(
            activities
                .runOfflineEval(new EvalRequest("rollout-chat-2", "chat", 2, 1, null))
                .passed())
        .isTrue();
  }
}
