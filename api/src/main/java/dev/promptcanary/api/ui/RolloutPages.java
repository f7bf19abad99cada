package dev.promptcanary.api.ui;

import com.google.common.net.UrlEscapers;
import dev.promptcanary.activities.store.RolloutDao;
import dev.promptcanary.api.rollouts.RolloutView;
import dev.promptcanary.api.ui.PageModels.Link;
import dev.promptcanary.api.ui.PageModels.RolloutDetail;
import dev.promptcanary.api.ui.PageModels.RolloutRow;
import dev.promptcanary.api.ui.PageModels.TimelineRow;
import dev.promptcanary.api.ui.PageModels.VerdictRow;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.PauseReason;
import dev.promptcanary.workflows.rollout.RolloutProgress;
import dev.promptcanary.workflows.rollout.RolloutSpec;
import dev.promptcanary.workflows.rollout.RolloutState;
import dev.promptcanary.workflows.rollout.TimelineEntry;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the API's {@link RolloutView} into display-ready page models. Reads the same JSON the API
 * answers with (spec, checkpoint, live progress), so the pages can never show what {@code GET
 * /v1/rollouts/{id}} does not.
 */
final class RolloutPages {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final String NONE = "—";

  private final String temporalUiUrl;
  private final String namespace;

  /**
   * @param temporalUiUrl Temporal UI's address, or empty for no deep links
   * @param namespace the Temporal namespace rollouts run in
   */
  RolloutPages(String temporalUiUrl, String namespace) {
    this.temporalUiUrl = temporalUiUrl == null ? "" : temporalUiUrl.replaceAll("/+$", "");
    this.namespace = namespace;
  }

  /**
   * The rollout's line: state, stage and weight from the workflow's live progress when it answered
   * (the read model is written by an activity after each change, so it can trail by the time that
   * activity waits for a worker), else from the read model.
   */
  RolloutRow row(RolloutView view) {
    RolloutDao.Row r = view.row();
    int stages = r.spec() == null ? 0 : r.spec().stages().size();
    RolloutProgress live = view.live();
    boolean fresh = live != null && live.state() != null;
    String state = fresh ? live.state().name() : r.state();
    int stage =
        fresh && live.state() != RolloutState.PENDING_EVAL ? live.stage() : fresh ? 0 : r.stage();
    int weight = fresh ? live.canaryWeightBp() : r.canaryWeightBp();
    return new RolloutRow(
        new Link(r.id(), rolloutHref(r.id())),
        new Link(r.prompt(), "/ui/prompts/" + segment(r.prompt())),
        r.candidateVersion(),
        r.baselineVersion(),
        state,
        stateClass(state),
        stage == 0 ? NONE : stages == 0 ? String.valueOf(stage) : stage + " / " + stages,
        percent(weight),
        time(r.updatedAt()),
        r.createdAt() == null
            ? NONE
            : Dashboard.duration(
                Duration.between(
                    r.createdAt(), r.finishedAt() == null ? Instant.now() : r.finishedAt())),
        text(r.reason()));
  }

  RolloutDetail detail(RolloutView view) {
    RolloutDao.Row r = view.row();
    RolloutSpec spec = r.spec();
    RolloutRow line = row(view);
    boolean running = !RolloutState.valueOf(line.state()).isFinal();
    List<Verdict> verdicts;
    List<TimelineEntry> timeline;
    PauseReason pauseReason;
    String verdictSource;
    if (view.live() != null) {
      verdicts = view.live().lastVerdicts();
      timeline = view.live().timeline();
      pauseReason = view.live().pauseReason();
      verdictSource = "live progress, queried from the workflow";
    } else if (r.checkpoint() != null) {
      verdicts = r.checkpoint().lastVerdicts();
      timeline = r.checkpoint().timeline();
      pauseReason = r.checkpoint().pauseReason();
      verdictSource = "last checkpoint in PostgreSQL";
    } else {
      verdicts = List.of();
      timeline = List.of();
      pauseReason = null;
      verdictSource = "nothing recorded yet";
    }
    String judge =
        spec != null && spec.judge() != null ? spec.judge() : "first judge to score, pinned";
    return new RolloutDetail(
        line,
        running,
        text(spec == null ? null : spec.startedBy()),
        spec != null && spec.evalSuite() != null ? spec.evalSuite() : "none",
        judge,
        time(r.createdAt()),
        time(r.finishedAt()),
        verdictSource,
        view.liveUnavailable() == null ? "" : view.liveUnavailable(),
        "PAUSED".equals(line.state()) ? pausedBecause(pauseReason) : "",
        verdictRows(verdicts == null ? List.of() : verdicts),
        timelineRows(timeline == null ? List.of() : timeline),
        "/v1/rollouts/" + segment(r.id()),
        "/v1/rollouts/" + segment(r.id()) + "/eval",
        temporalUiUrl.isEmpty()
            ? ""
            // The rollout id is its workflow id (RolloutService starts it so; the read model stores
            // both the same).
            : temporalUiUrl
                + "/namespaces/"
                + segment(namespace)
                + "/workflows/"
                + segment(r.id()));
  }

  private static List<VerdictRow> verdictRows(List<Verdict> verdicts) {
    return verdicts.stream().map(RolloutPages::verdictRow).toList();
  }

  /** One verdict as display-ready text (the verdicts table, the decision ledger). */
  static VerdictRow verdictRow(Verdict v) {
    String decision = v.decision().name();
    String gate =
        (v.metric() == null ? v.gate().name() : v.gate().name() + " " + v.metric())
            + (v.dryRun() ? " (dry run)" : "");
    return new VerdictRow(
        gate,
        decision,
        v.dryRun() ? "neutral" : decisionClass(decision),
        count(v.canaryN()),
        count(v.stableN()),
        number(v.estimate()),
        "[" + number(v.lower()) + ", " + number(v.upper()) + "]",
        number(v.threshold()),
        v.reason());
  }

  private static List<TimelineRow> timelineRows(List<TimelineEntry> timeline) {
    List<TimelineRow> rows = new ArrayList<>();
    for (TimelineEntry entry : timeline) {
      rows.add(
          new TimelineRow(
              time(Instant.ofEpochMilli(entry.atMillis())), entry.event(), entry.detail()));
    }
    return rows;
  }

  /** Why the rollout is paused and what a resume will do (the rules of {@code PauseReason}). */
  static String pausedBecause(PauseReason reason) {
    if (reason == null) {
      return "not recorded (paused before reasons were kept); resume goes on with the stage";
    }
    return switch (reason) {
      case USER -> "a person paused it; resume goes on with the stage's data";
      case INCONCLUSIVE ->
          "the stage reached its maximum bake without a decision; resume gives it another maximum"
              + " bake";
      case JUDGE_UNHEALTHY ->
          "the judge is unhealthy (fails often or scores one arm more); resume starts the stage"
              + " over with fresh scores";
      case SAMPLE_RATIO_MISMATCH ->
          "the traffic split is broken (sample ratio mismatch); resume starts the stage"
              + " over with fresh data";
      case STEP_FAILED -> "a step kept failing after its retries; resume retries it";
    };
  }

  static String rolloutHref(String id) {
    return "/ui/rollouts/" + segment(id);
  }

  /** A path segment, percent-encoded (the HTML escaping of the template comes on top). */
  static String segment(String value) {
    return UrlEscapers.urlPathSegmentEscaper().escape(value);
  }

  static String time(Instant at) {
    return at == null ? NONE : TIME.format(at);
  }

  static String percent(int basisPoints) {
    return String.format(Locale.ROOT, "%.2f%%", basisPoints / 100.0).replace(".00%", "%");
  }

  private static String text(String value) {
    return value == null || value.isBlank() ? NONE : value;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /**
   * Four significant digits, without trailing zeros; the statistics' "unbounded"
   * (±Double.MAX_VALUE) as ∞.
   */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return NONE;
    }
    if (Math.abs(value) >= 1e300) {
      return value > 0 ? "+∞" : "−∞";
    }
    if (value == 0) {
      return "0";
    }
    if (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e7) {
      return String.format(Locale.ROOT, "%.3e", value);
    }
    return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  static String stateClass(String state) {
    return switch (state) {
      case "PROMOTED", "BYPASSED" -> "good";
      case "ROLLED_BACK", "ABORTED", "EVAL_BLOCKED" -> "bad";
      case "PAUSED", "AWAITING_APPROVAL" -> "warn";
      case "CANARY" -> "active";
      default -> "neutral";
    };
  }

  private static String decisionClass(String decision) {
    return switch (decision) {
      case "NON_INFERIOR" -> "good";
      case "REGRESSION", "SAMPLE_RATIO_MISMATCH" -> "bad";
      case "JUDGE_UNHEALTHY" -> "warn";
      default -> "neutral";
    };
  }
}
