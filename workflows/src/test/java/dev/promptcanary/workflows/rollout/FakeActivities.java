package dev.promptcanary.workflows.rollout;

import dev.promptcanary.workflows.domain.Decision;
import dev.promptcanary.workflows.domain.GateKind;
import dev.promptcanary.workflows.domain.Verdict;
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

  /** While set, routing writes throw (the database is down). */
  volatile boolean failRouting;

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
    routing.add(command);
    int seq = command.claim() ? sequence.incrementAndGet() : (int) command.sequence();
    sequence.set(seq);
    return new RoutingReceipt(true, seq, "applied");
  }

  @Override
  public AnalysisReport analyse(AnalysisRequest request) {
    looks.add(request);
    return analysis.apply(request);
  }

  @Override
  public StagePlan planStage(StagePlanRequest request) {
    plans.add(request);
    return new StagePlan(Math.max(request.currentWeightBp(), plannedWeightBp), "planned");
  }

  @Override
  public void recordProgress(RolloutRecord record) {
    records.add(record);
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
