package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.eval.EvalRunner;
import dev.promptcanary.activities.observability.RolloutMeters;
import dev.promptcanary.activities.store.AlertDao;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RolloutEndDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.StoreErrors;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import dev.promptcanary.workflows.rollout.AuditEntry;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import dev.promptcanary.workflows.rollout.StagePlan;
import dev.promptcanary.workflows.rollout.StagePlanRequest;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The rollout's activities over the PostgreSQL store. Every write is fenced or keyed, so retries
 * are harmless.
 */
public class RolloutActivitiesImpl implements RolloutActivities {
  private final RoutingDao routing;
  private final RolloutDao rollouts;
  private final RolloutEndDao ends;
  private final CanaryAnalyser analyser;
  private final EvalRunner evalRunner;
  private final AlertSender alertSender;
  private final AlertDao alerts;
  private final AuditDao audit;
  private final StagePlanner planner;
  private final RolloutMeters meters;

  public RolloutActivitiesImpl(Jdbi jdbi, EvalRunner evalRunner, AlertSender alertSender) {
    this(jdbi, evalRunner, alertSender, RolloutMeters.unread());
  }

  public RolloutActivitiesImpl(
      Jdbi jdbi, EvalRunner evalRunner, AlertSender alertSender, RolloutMeters meters) {
    this.meters = meters;
    this.alerts = jdbi.onDemand(AlertDao.class);
    this.audit = jdbi.onDemand(AuditDao.class);
    this.planner = new StagePlanner(jdbi.onDemand(TrafficDao.class), Clock.systemUTC());
    this.routing = jdbi.onDemand(RoutingDao.class);
    this.rollouts = jdbi.onDemand(RolloutDao.class);
    this.ends = jdbi.onDemand(RolloutEndDao.class);
    this.analyser = new CanaryAnalyser(jdbi);
    this.evalRunner = evalRunner;
    this.alertSender = alertSender;
  }

  @Override
  public EvalSummary runOfflineEval(EvalRequest request) {
    if (request.suite() == null || request.suite().isBlank()) {
      return new EvalSummary(true, "no offline eval suite configured", 0, 0, 0);
    }
    return evalRunner.run(request);
  }

  @Override
  public RoutingReceipt setRouting(RoutingCommand command) {
    return StoreErrors.classified(() -> routing.applyForRollout(command));
  }

  @Override
  public AnalysisReport analyse(AnalysisRequest request) {
    AnalysisReport report = StoreErrors.classified(() -> analyser.analyse(request));
    meters.look(report);
    return report;
  }

  @Override
  public StagePlan planStage(StagePlanRequest request) {
    return StoreErrors.classified(() -> planner.planStage(request));
  }

  @Override
  public void recordProgress(RolloutRecord record) {
    StoreErrors.classified(() -> record(record));
  }

  private void record(RolloutRecord record) {
    long at = Activity.getExecutionContext().getInfo().getScheduledTimestamp();
    var before = rollouts.find(record.rolloutId()).map(RolloutDao.Row::checkpoint).orElse(null);
    if (rollouts.upsert(record, at) > 0) {
      meters.stageProgress(before, record.checkpoint(), at);
    }
    if (record.checkpoint().state().isFinal()) {
      // The end's routing write may have failed (the rollback's reset kept failing): an ended
      // rollout must not keep owning routing, so the final record completes it. A retry of this
      // activity finds routing already released and changes nothing.
      ends.releaseRouting(
          record.rolloutId(),
          record.spec().prompt(),
          record.checkpoint().state(),
          record.reason() == null ? "ended" : record.reason());
    }
  }

  @Override
  public void sendAlert(AlertEvent event) {
    String key = dedupeKey();
    // The secret and format live in the stored spec only: the workflow's copy has no secret.
    RolloutSpec stored = rollouts.find(event.rolloutId()).map(RolloutDao.Row::spec).orElse(null);
    WebhookTarget target =
        alertSender.targetFor(
            event.webhook(),
            stored == null ? null : stored.alertWebhookSecret(),
            stored == null ? null : stored.alertFormat());
    alerts.insert(
        key,
        event.rolloutId(),
        event.prompt(),
        event.event(),
        event.state().name(),
        event.reason(),
        event.verdict(),
        target == null ? null : target.url(),
        Instant.ofEpochMilli(event.atMillis()));
    try {
      alertSender.deliver(event, target, key);
    } catch (IOException e) {
      throw Activity.wrap(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
    alerts.markDelivered(key);
  }

  @Override
  public void recordAudit(AuditEntry entry) {
    Map<String, Object> before = new LinkedHashMap<>();
    if (entry.stateBefore() != null) {
      before.put("state", entry.stateBefore());
    }
    if (entry.canaryWeightBpBefore() != null) {
      before.put("canaryWeightBp", entry.canaryWeightBpBefore());
    }
    audit.append(
        entry.actor(),
        entry.role(),
        entry.action(),
        entry.prompt(),
        entry.rolloutId(),
        entry.reason(),
        before.isEmpty() ? null : before,
        null,
        Map.of("reason", entry.reason()),
        dedupeKey(),
        entry.requestId());
  }

  /** The same for every attempt of one activity, different for every other activity. */
  private static String dedupeKey() {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    return info.getRunId() + "/" + info.getActivityId();
  }
}
