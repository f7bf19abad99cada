package dev.promptcanary.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.UrlEscapers;
import dev.promptcanary.api.rollouts.RolloutView;
import dev.promptcanary.api.ui.PageModels.Link;
import dev.promptcanary.api.ui.PageModels.RolloutDetail;
import dev.promptcanary.api.ui.PageModels.RolloutRow;
import dev.promptcanary.api.ui.PageModels.TimelineRow;
import dev.promptcanary.api.ui.PageModels.VerdictRow;
import dev.promptcanary.workflows.rollout.RolloutState;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the API's {@link RolloutView} into display-ready page models. Reads the same JSON the API answers with
 * (spec, checkpoint, live progress), so the pages can never show what {@code GET /v1/rollouts/{id}} does not.
 */
final class RolloutPages {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String NONE = "—";

  private final ObjectMapper json;
  private final String temporalUiUrl;
  private final String namespace;

  /**
   * @param temporalUiUrl Temporal UI's address, or empty for no deep links
   * @param namespace the Temporal namespace rollouts run in
   */
  RolloutPages(ObjectMapper json, String temporalUiUrl, String namespace) {
    this.json = json;
    this.temporalUiUrl = temporalUiUrl == null ? "" : temporalUiUrl.replaceAll("/+$", "");
    this.namespace = namespace;
  }

  RolloutRow row(RolloutView r) {
    JsonNode spec = r.spec() == null ? json.nullNode() : r.spec();
    int stages = spec.path("stages").size();
    return new RolloutRow(
        new Link(r.id(), rolloutHref(r.id())),
        new Link(r.prompt(), "/ui/prompts/" + segment(r.prompt())),
        r.candidateVersion(),
        r.baselineVersion(),
        r.state(),
        stateClass(r.state()),
        r.stage() == 0 ? NONE : stages == 0 ? String.valueOf(r.stage()) : r.stage() + " / " + stages,
        percent(r.canaryWeightBp()),
        time(r.updatedAt()),
        text(r.reason()));
  }

  RolloutDetail detail(RolloutView r) {
    JsonNode spec = r.spec() == null ? json.nullNode() : r.spec();
    boolean running = !RolloutState.valueOf(r.state()).isFinal();
    JsonNode source;
    String verdictSource;
    if (r.live() != null) {
      source = json.valueToTree(r.live());
      verdictSource = "live progress, queried from the workflow";
    } else if (r.checkpoint() != null) {
      source = r.checkpoint();
      verdictSource = "last checkpoint in PostgreSQL";
    } else {
      source = json.nullNode();
      verdictSource = "nothing recorded yet";
    }
    String judge = spec.path("judge").isTextual() ? spec.path("judge").asText() : "first judge to score, pinned";
    return new RolloutDetail(
        row(r),
        running,
        text(spec.path("startedBy").asText(null)),
        spec.path("evalSuite").isTextual() ? spec.path("evalSuite").asText() : "none",
        judge,
        time(r.createdAt()),
        time(r.finishedAt()),
        verdictSource,
        r.liveUnavailable() == null ? "" : r.liveUnavailable(),
        verdicts(source.path("lastVerdicts")),
        timeline(source.path("timeline")),
        "/v1/rollouts/" + segment(r.id()),
        "/v1/rollouts/" + segment(r.id()) + "/eval",
        temporalUiUrl.isEmpty()
            ? ""
            // The rollout id is its workflow id (RolloutService starts it so; the read model stores both the same).
            : temporalUiUrl + "/namespaces/" + segment(namespace) + "/workflows/" + segment(r.id()));
  }

  private static List<VerdictRow> verdicts(JsonNode verdicts) {
    List<VerdictRow> rows = new ArrayList<>();
    for (JsonNode v : verdicts) {
      String decision = v.path("decision").asText("");
      rows.add(new VerdictRow(
          v.path("gate").asText(""),
          decision,
          decisionClass(decision),
          count(v.path("canaryN")),
          count(v.path("baselineN")),
          number(v.path("estimate")),
          "[" + number(v.path("lower")) + ", " + number(v.path("upper")) + "]",
          number(v.path("threshold")),
          v.path("reason").asText("")));
    }
    return rows;
  }

  private static List<TimelineRow> timeline(JsonNode timeline) {
    List<TimelineRow> rows = new ArrayList<>();
    for (JsonNode entry : timeline) {
      rows.add(new TimelineRow(
          time(Instant.ofEpochMilli(entry.path("atMillis").asLong())),
          entry.path("event").asText(""),
          entry.path("detail").asText("")));
    }
    return rows;
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

  private static String count(JsonNode n) {
    return n.isNumber() ? String.format(Locale.ROOT, "%,d", n.asLong()) : NONE;
  }

  /** Four significant digits, without trailing zeros; the statistics' "unbounded" (±Double.MAX_VALUE) as ∞. */
  static String number(JsonNode n) {
    if (!n.isNumber() && !n.isTextual()) {
      return NONE;
    }
    double value = n.asDouble();
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
      case "PAUSED" -> "warn";
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
