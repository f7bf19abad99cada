package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Scripted activities: the workflow's logic is tested against what they answer and record. */
class FakeActivities implements RolloutActivities {
  volatile EvalSummary eval = new EvalSummary(true, "no offline eval suite configured", 0, 0, 0);
  volatile Function<AnalysisRequest, AnalysisReport> analysis =
      r -> report(Decision.NON_INFERIOR, GateKind.QUALITY, 500, 500);
  volatile boolean refuseRouting;

  /**
   * While set, a routing write that hands routing back (a rollback or a promotion) waits until it
   * is counted down; {@link #releaseWaiting} is counted down once one waits.
   */
  volatile java.util.concurrent.CountDownLatch releaseHeld;

  final java.util.concurrent.CountDownLatch releaseWaiting =
      new java.util.concurrent.CountDownLatch(1);

  /** While set, routing writes throw (the database is down). */
  volatile boolean failRouting;

  /**
   * While set, looks and read-model records fail as an unreachable PostgreSQL makes them fail
   * ({@link RolloutMessages#STORE_UNAVAILABLE}).
   */
  volatile boolean storeDown;

  /** Every record tried, stored or not. */
  final List<RolloutRecord> recordAttempts = new CopyOnWriteArrayList<>();

  /** While set, alert deliveries throw (a dead webhook). */
  volatile boolean failAlerts;

  /** While set, audit writes throw. */
  volatile boolean failAudits;

  final List<AlertEvent> alertAttempts = new CopyOnWriteArrayList<>();
  final List<AuditEntry> auditAttempts = new CopyOnWriteArrayList<>();
  volatile int plannedWeightBp;
  final List<StagePlanRequest> plans = new CopyOnWriteArrayList<>();
  final List<RoutingCommand> routing = new CopyOnWriteArrayList<>();
  final List<RolloutRecord> records = new CopyOnWriteArrayList<>();
  final List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
  final List<AuditEntry> audits = new CopyOnWriteArrayList<>();
  final List<AnalysisRequest> looks = new CopyOnWriteArrayList<>();
  private final AtomicInteger sequence = new AtomicInteger();

  static AnalysisReport report(
      Decision decision, GateKind gate, long canaryJudgements, long stableJudgements) {
    Verdict verdict =
        new Verdict(
            gate,
            decision,
            canaryJudgements,
            stableJudgements,
            -0.01,
            -0.03,
            0.01,
            -0.05,
            gate + " " + decision,
            null,
            false);
    return new AnalysisReport(
        verdict, List.of(verdict), canaryJudgements, stableJudgements, 1000, 1000);
  }

  /**
   * While set, the offline eval does not return until it is counted down (an eval still running).
   */
  volatile java.util.concurrent.CountDownLatch evalRunning;

  @Override
  public EvalSummary runOfflineEval(EvalRequest request) {
    java.util.concurrent.CountDownLatch running = evalRunning;
    if (running != null) {
      try {
        running.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return eval;
  }

  @Override
  public RoutingReceipt setRouting(RoutingCommand command) {
    if (failRouting) {
      throw new IllegalStateException("connection refused: the routing table is unreachable");
    }
    if (refuseRouting) {
      return new RoutingReceipt(false, 99, "stale write (routing is at 99)");
    }
    java.util.concurrent.CountDownLatch held = releaseHeld;
    if (command.release() && held != null) {
      releaseWaiting.countDown();
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    routing.add(command);
    int seq = command.claim() ? sequence.incrementAndGet() : (int) command.sequence();
    sequence.set(seq);
    return new RoutingReceipt(true, seq, "applied");
  }

  @Override
  public AnalysisReport analyse(AnalysisRequest request) {
    looks.add(request);
    if (storeDown) {
      throw storeUnavailable();
    }
    return analysis.apply(request);
  }

  @Override
  public StagePlan planStage(StagePlanRequest request) {
    plans.add(request);
    return new StagePlan(Math.max(request.currentWeightBp(), plannedWeightBp), "planned");
  }

  @Override
  public void recordProgress(RolloutRecord record) {
    recordAttempts.add(record);
    if (storeDown) {
      throw storeUnavailable();
    }
    records.add(record);
  }

  /** What the real activities throw when PostgreSQL refuses connections. */
  private static ApplicationFailure storeUnavailable() {
    return ApplicationFailure.newFailure(
        "Connection to localhost:5432 refused", RolloutMessages.STORE_UNAVAILABLE);
  }

  @Override
  public void sendAlert(AlertEvent event) {
    alertAttempts.add(event);
    if (failAlerts) {
      throw new IllegalStateException("webhook answered 503");
    }
    alerts.add(event);
  }

  @Override
  public void recordAudit(AuditEntry entry) {
    auditAttempts.add(entry);
    if (failAudits) {
      throw new IllegalStateException("invalid byte sequence for encoding \"UTF8\": 0x00");
    }
    audits.add(entry);
  }

  RoutingCommand lastRouting() {
    return routing.get(routing.size() - 1);
  }

  List<String> alertEvents() {
    return alerts.stream().map(AlertEvent::event).toList();
  }
}
