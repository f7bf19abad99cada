package dev.promptcanary.activities.rollout;

import dev.promptcanary.activities.eval.EvalRunner;
import dev.promptcanary.activities.store.Json;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.activities.store.RoutingDao;
import dev.promptcanary.activities.store.TrafficDao;
import dev.promptcanary.workflows.rollout.StagePlan;
import dev.promptcanary.workflows.rollout.StagePlanRequest;
import java.time.Clock;
import dev.promptcanary.workflows.rollout.AlertEvent;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.AnalysisRequest;
import dev.promptcanary.workflows.rollout.AuditEntry;
import dev.promptcanary.workflows.rollout.EvalRequest;
import dev.promptcanary.workflows.rollout.EvalSummary;
import dev.promptcanary.workflows.rollout.RolloutActivities;
import dev.promptcanary.workflows.rollout.RolloutRecord;
import dev.promptcanary.workflows.rollout.RoutingCommand;
import dev.promptcanary.workflows.rollout.RoutingReceipt;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.io.IOException;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The rollout's activities over the PostgreSQL store. Every write is fenced or keyed, so retries are harmless. */
public class RolloutActivitiesImpl implements RolloutActivities {
  private final RoutingDao routing;
  private final RolloutDao rollouts;
  private final CanaryAnalyser analyser;
  private final EvalRunner evalRunner;
  private final AlertSender alertSender;
  private final Jdbi jdbi;
  private final StagePlanner planner;

  public RolloutActivitiesImpl(Jdbi jdbi, EvalRunner evalRunner, AlertSender alertSender) {
    this.jdbi = jdbi;
    this.planner = new StagePlanner(jdbi.onDemand(TrafficDao.class), Clock.systemUTC());
    this.routing = jdbi.onDemand(RoutingDao.class);
    this.rollouts = jdbi.onDemand(RolloutDao.class);
    this.analyser = new CanaryAnalyser(jdbi.onDemand(dev.promptcanary.activities.store.AnalysisDao.class));
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
    return routing.applyForRollout(command);
  }

  @Override
  public AnalysisReport analyse(AnalysisRequest request) {
    return analyser.analyse(request);
  }

  @Override
  public StagePlan planStage(StagePlanRequest request) {
    return planner.planStage(request);
  }

  @Override
  public void recordProgress(RolloutRecord record) {
    rollouts.upsert(record, Activity.getExecutionContext().getInfo().getScheduledTimestamp());
  }

  @Override
  public void sendAlert(AlertEvent event) {
    String key = dedupeKey();
    jdbi.useHandle(h -> h.createUpdate(
            "INSERT INTO alerts (dedupe_key, rollout_id, prompt, event, state, reason, verdict, webhook, at)"
                + " VALUES (:key, :rollout, :prompt, :event, :state, :reason, CAST(:verdict AS jsonb), :webhook,"
                + " to_timestamp(:at / 1000.0)) ON CONFLICT (dedupe_key) DO NOTHING")
        .bind("key", key).bind("rollout", event.rolloutId()).bind("prompt", event.prompt())
        .bind("event", event.event()).bind("state", event.state().name()).bind("reason", event.reason())
        .bind("verdict", event.verdict() == null ? null : Json.write(event.verdict()))
        .bind("webhook", event.webhook()).bind("at", event.atMillis())
        .execute());
    try {
      alertSender.deliver(event, key);
    } catch (IOException e) {
      throw Activity.wrap(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
    jdbi.useHandle(h -> h.createUpdate("UPDATE alerts SET delivered_at = now() WHERE dedupe_key = :key")
        .bind("key", key).execute());
  }

  @Override
  public void recordAudit(AuditEntry entry) {
    jdbi.useHandle(h -> h.createUpdate(
            "INSERT INTO audit_log (actor, action, prompt, rollout_id, details, dedupe_key)"
                + " VALUES (:actor, :action, :prompt, :rollout, CAST(:details AS jsonb), :key)"
                + " ON CONFLICT (dedupe_key) DO NOTHING")
        .bind("actor", entry.actor()).bind("action", entry.action()).bind("prompt", entry.prompt())
        .bind("rollout", entry.rolloutId()).bind("details", Json.write(Map.of("reason", entry.reason())))
        .bind("key", dedupeKey())
        .execute());
  }

  /** The same for every attempt of one activity, different for every other activity. */
  private static String dedupeKey() {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    return info.getRunId() + "/" + info.getActivityId();
  }
}
