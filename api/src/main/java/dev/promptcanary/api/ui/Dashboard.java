package dev.promptcanary.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.promptcanary.activities.eval.ArmStats;
import dev.promptcanary.activities.eval.EvalReport;
import dev.promptcanary.activities.store.AuditDao;
import dev.promptcanary.activities.store.EvalDao;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.api.auth.Caller;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.api.rollouts.RolloutView;
import dev.promptcanary.api.ui.DashboardModels.AuditRow;
import dev.promptcanary.api.ui.DashboardModels.EvalArm;
import dev.promptcanary.api.ui.DashboardModels.EvalSummary;
import dev.promptcanary.api.ui.DashboardModels.EventRow;
import dev.promptcanary.api.ui.DashboardModels.GateSeries;
import dev.promptcanary.api.ui.DashboardModels.HistorySummary;
import dev.promptcanary.api.ui.DashboardModels.LedgerRow;
import dev.promptcanary.api.ui.DashboardModels.RolloutDashboard;
import dev.promptcanary.api.ui.DashboardModels.SampleSeries;
import dev.promptcanary.api.ui.DashboardModels.Series;
import dev.promptcanary.api.ui.DashboardModels.StageBox;
import dev.promptcanary.api.ui.PageModels.RolloutDetail;
import dev.promptcanary.api.ui.PageModels.TimelineRow;
import dev.promptcanary.api.ui.RolloutHistory.Look;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a rollout's {@link RolloutDashboard} from what the API already reads (the rollout's view,
 * its eval report, its audit entries) and its Temporal history (the looks, the events).
 */
final class Dashboard {
  /** Ledger lines sent at most, the newest (every look has one per gate and one overall). */
  static final int MAX_LEDGER = 600;

  static final int MAX_AUDIT = 500;

  private final RolloutPages pages;
  private final RolloutHistory history;
  private final EvalDao evals;
  private final AuditDao audit;

  Dashboard(RolloutPages pages, RolloutHistory history, EvalDao evals, AuditDao audit) {
    this.pages = pages;
    this.history = history;
    this.evals = evals;
    this.audit = audit;
  }

  RolloutDashboard of(RolloutView view, Caller caller) {
    RolloutDao.Row row = view.row();
    RolloutDetail detail = pages.detail(view);
    RolloutState state = RolloutState.valueOf(detail.rollout().state());
    RolloutHistory.Read read = history.read(row.id(), state.isFinal());
    List<Look> looks = read.looks();
    List<AuditDao.Entry> entries =
        audit.find(new AuditDao.Query(null, row.id(), null, null, 0, MAX_AUDIT));
    List<LedgerRow> ledger = ledger(looks);
    return new RolloutDashboard(
        detail.rollout(),
        detail.running(),
        detail.pausedBecause(),
        detail.liveUnavailable(),
        stages(row, state, detail.rollout().stage(), detail.timeline()),
        weight(row, entries),
        samples(looks, row.spec()),
        gates(looks),
        detail.verdicts(),
        ledger.subList(0, Math.min(MAX_LEDGER, ledger.size())),
        ledger.size(),
        detail.timeline(),
        eval(row.id()),
        entries.stream().map(Dashboard::auditRow).toList(),
        new HistorySummary(
            read.runs(),
            read.eventCount(),
            read.runsTruncated(),
            read.error() == null ? "" : read.error(),
            read.events().stream()
                .map(
                    e ->
                        new EventRow(
                            e.run(),
                            e.id(),
                            RolloutPages.time(Instant.ofEpochMilli(e.atMillis())),
                            e.type(),
                            e.detail()))
                .toList()),
        detail.temporalHref(),
        actions(state, caller));
  }

  /** What this caller may do now: the API checks the role again on every control. */
  static List<String> actions(RolloutState state, Caller caller) {
    List<String> actions = new ArrayList<>();
    if (state.isFinal() || caller == null || !caller.role().includes(Role.DEPLOYER)) {
      return actions;
    }
    if (state == RolloutState.AWAITING_APPROVAL) {
      actions.add("approve");
    }
    actions.add(state == RolloutState.PAUSED ? "resume" : "pause");
    actions.add("abort");
    if (caller.role().includes(Role.ADMIN)) {
      actions.add("bypass");
    }
    return actions;
  }

  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    if (s < 86_400) {
      return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
    return (s / 86_400) + " d " + (s % 86_400 / 3600) + " h";
  }

  private static List<StageBox> stages(
      RolloutDao.Row row, RolloutState state, String stageText, List<TimelineRow> timeline) {
    RolloutSpec spec = row.spec();
    if (spec == null) {
      return List.of();
    }
    // "2 / 3" (or "—" before the first stage), as the rollout's line shows it
    int current = stageText.contains(" / ") ? Integer.parseInt(stageText.split(" / ")[0]) : 0;
    List<StageBox> boxes = new ArrayList<>();
    for (int i = 0; i < spec.stages().size(); i++) {
      Stage stage = spec.stages().get(i);
      int number = i + 1;
      String status;
      if (state == RolloutState.PROMOTED || state == RolloutState.BYPASSED) {
        status = "done";
      } else if (current == 0 || number > current) {
        status = "pending";
      } else if (number < current) {
        status = "done";
      } else {
        status = state.isFinal() ? "stopped" : "current";
      }
      String started = "";
      for (TimelineRow t : timeline) {
        if (t.event().equals("stage " + number + " started")) {
          started = t.at();
        }
      }
      boxes.add(
          new StageBox(
              number,
              RolloutPages.percent(stage.weightBp()),
              stage.minJudgements(),
              stage.requireApproval(),
              status,
              started));
    }
    return boxes;
  }

  /**
   * The candidate's share of traffic over time, from the audit log's routing writes (kept in
   * PostgreSQL, so it is there whatever Temporal kept): 0 until the first, 100% once the candidate
   * is the stable version.
   */
  private static Series weight(RolloutDao.Row row, List<AuditDao.Entry> entries) {
    List<Long> t = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    if (row.createdAt() != null) {
      t.add(row.createdAt().getEpochSecond());
      y.add(0.0);
    }
    for (AuditDao.Entry e : entries) {
      if (!"routing.rollout".equals(e.action()) || e.after() == null) {
        continue;
      }
      JsonNode after = e.after();
      double percent;
      if (after.path("stableVersion").asInt(-1) == row.candidateVersion()) {
        percent = 100;
      } else if (after.path("canaryVersion").asInt(-1) == row.candidateVersion()) {
        percent = after.path("canaryWeightBp").asInt(0) / 100.0;
      } else {
        percent = 0;
      }
      t.add(e.at().getEpochSecond());
      y.add(percent);
    }
    Instant end = row.finishedAt() != null ? row.finishedAt() : Instant.now();
    if (!y.isEmpty() && end.getEpochSecond() > t.get(t.size() - 1)) {
      t.add(end.getEpochSecond()); // the line reaches now (or the end) at its last value
      y.add(y.get(y.size() - 1));
    }
    return new Series(t, y);
  }

  private static SampleSeries samples(List<Look> looks, RolloutSpec spec) {
    List<Long> t = new ArrayList<>();
    List<Long> canaryJudged = new ArrayList<>();
    List<Long> stableJudged = new ArrayList<>();
    List<Long> required = new ArrayList<>();
    List<Long> canaryRequests = new ArrayList<>();
    List<Long> stableRequests = new ArrayList<>();
    for (Look look : looks) {
      t.add(look.atMillis() / 1000);
      canaryJudged.add(look.report().canaryJudgements());
      stableJudged.add(look.report().stableJudgements());
      canaryRequests.add(look.report().canaryObservations());
      stableRequests.add(look.report().stableObservations());
      int index = look.stage() - 1;
      required.add(
          spec == null || index < 0 || index >= spec.stages().size()
              ? null
              : (long) spec.stages().get(index).minJudgements());
    }
    return new SampleSeries(
        t, canaryJudged, stableJudged, required, canaryRequests, stableRequests);
  }

  private static List<GateSeries> gates(List<Look> looks) {
    Map<String, List<Long>> times = new LinkedHashMap<>();
    Map<String, List<Verdict>> verdicts = new LinkedHashMap<>();
    for (Look look : looks) {
      for (Verdict v : look.report().gates()) {
        String key = v.gate().name() + (v.metric() == null ? "" : ":" + v.metric());
        times.computeIfAbsent(key, k -> new ArrayList<>()).add(look.atMillis() / 1000);
        verdicts.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
      }
    }
    List<GateSeries> series = new ArrayList<>();
    for (var entry : verdicts.entrySet()) {
      List<Verdict> vs = entry.getValue();
      Verdict last = vs.get(vs.size() - 1);
      series.add(
          new GateSeries(
              entry.getKey(),
              last.gate().name() + (last.metric() == null ? "" : " " + last.metric()),
              last.dryRun(),
              last.decision().name(),
              last.reason(),
              times.get(entry.getKey()),
              vs.stream().map(v -> finite(v.estimate())).toList(),
              vs.stream().map(v -> finite(v.lower())).toList(),
              vs.stream().map(v -> finite(v.upper())).toList(),
              vs.stream().map(v -> finite(v.threshold())).toList()));
    }
    return series;
  }

  /** Every verdict of every look, newest first. */
  private static List<LedgerRow> ledger(List<Look> looks) {
    List<LedgerRow> rows = new ArrayList<>();
    for (int i = looks.size() - 1; i >= 0; i--) {
      Look look = looks.get(i);
      String at = RolloutPages.time(Instant.ofEpochMilli(look.atMillis()));
      List<Verdict> all = new ArrayList<>();
      all.add(look.report().overall());
      all.addAll(look.report().gates());
      for (Verdict v : all) {
        rows.add(new LedgerRow(at, look.stage(), RolloutPages.verdictRow(v)));
      }
    }
    return rows;
  }

  private EvalSummary eval(String id) {
    return EvalReport.latest(evals, id)
        .map(
            r ->
                new EvalSummary(
                    r.suite() + "@" + r.suiteVersion(),
                    r.state(),
                    r.reason() == null ? "" : r.reason(),
                    List.of(evalArm("candidate", r.candidate()), evalArm("baseline", r.baseline())),
                    r.cases() == null ? 0 : r.cases().size(),
                    "/v1/rollouts/" + RolloutPages.segment(id) + "/eval"))
        .orElse(null);
  }

  private static EvalArm evalArm(String arm, ArmStats stats) {
    if (stats == null) {
      return new EvalArm(arm, "", "", "");
    }
    return new EvalArm(
        arm,
        stats.version() == null ? "" : "v" + stats.version(),
        stats.passed()
            + " / "
            + stats.cases()
            + String.format(Locale.ROOT, " (%.0f%%)", stats.passRate() * 100),
        stats.meanJudgeScore() == null ? "" : RolloutPages.number(stats.meanJudgeScore()));
  }

  private static AuditRow auditRow(AuditDao.Entry e) {
    return new AuditRow(
        RolloutPages.time(e.at()),
        e.actor(),
        e.role(),
        e.action(),
        e.reason() == null ? "" : e.reason(),
        change(e.before(), e.after()));
  }

  /** A routing write as its versions and weight; a control as the state it left. */
  static String change(JsonNode before, JsonNode after) {
    if (after == null || after.isNull()) {
      return "";
    }
    if (after.has("stableVersion")) {
      String canary =
          after.path("canaryVersion").isNumber()
              ? ", canary v"
                  + after.path("canaryVersion").asInt()
                  + " at "
                  + RolloutPages.percent(after.path("canaryWeightBp").asInt())
              : ", no canary";
      return "stable v" + after.path("stableVersion").asInt() + canary;
    }
    if (after.has("state")) {
      String from = before == null ? "" : before.path("state").asText("");
      return (from.isEmpty() ? "" : from + " → ") + after.path("state").asText();
    }
    return "";
  }

  /** A number the chart can draw: null for NaN and the statistics' "unbounded". */
  static Double finite(double value) {
    return Double.isNaN(value) || Math.abs(value) >= 1e300 ? null : value;
  }
}
