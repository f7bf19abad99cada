package dev.promptcanary.activities.rollout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AlertEvent;
import java.util.Locale;

/**
 * An alert as a Slack incoming-webhook payload: {@code text} (the notification line, and what
 * clients without blocks show) and {@code blocks} with the reason, the gate, its statistic and
 * links to the rollout's page and its Temporal workflow.
 */
final class SlackMessage {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SlackMessage() {}

  static ObjectNode of(AlertEvent event, AlertLinks links) {
    String title =
        "promptcanary: "
            + event.prompt()
            + " v"
            + event.candidateVersion()
            + " "
            + event.event()
            + " ("
            + event.state()
            + ")";
    ObjectNode message = JSON.objectNode();
    message.put("text", title + ": " + event.reason());
    ArrayNode blocks = message.putArray("blocks");
    blocks.addObject().put("type", "header").set("text", plain(title));
    blocks
        .addObject()
        .put("type", "section")
        .set("text", markdown("*Reason*\n" + escape(event.reason())));
    Verdict verdict = event.verdict();
    if (verdict != null) {
      ObjectNode section = blocks.addObject().put("type", "section");
      ArrayNode fields = section.putArray("fields");
      fields.add(markdown("*Gate*\n" + gate(verdict)));
      fields.add(markdown("*Decision*\n" + verdict.decision()));
      fields.add(markdown("*Statistic*\n" + statistic(verdict)));
      fields.add(
          markdown("*Sample*\ncanary " + verdict.canaryN() + ", stable " + verdict.stableN()));
    }
    ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
    context.add(markdown("rollout `" + escape(event.rolloutId()) + "`"));
    ArrayNode buttons = JSON.arrayNode();
    if (links.rolloutPage(event.rolloutId()) != null) {
      buttons.add(button("Rollout", links.rolloutPage(event.rolloutId())));
    }
    if (links.temporalWorkflow(event.rolloutId()) != null) {
      buttons.add(button("Temporal workflow", links.temporalWorkflow(event.rolloutId())));
    }
    if (!buttons.isEmpty()) {
      blocks.addObject().put("type", "actions").set("elements", buttons);
    }
    return message;
  }

  private static String gate(Verdict verdict) {
    return verdict.gate() + (verdict.metric() == null ? "" : " " + escape(verdict.metric()));
  }

  private static String statistic(Verdict verdict) {
    return String.format(
        Locale.ROOT,
        "%.4g [%.4g, %.4g], threshold %.4g",
        verdict.estimate(),
        verdict.lower(),
        verdict.upper(),
        verdict.threshold());
  }

  private static ObjectNode button(String label, String url) {
    ObjectNode button = JSON.objectNode().put("type", "button");
    button.set("text", plain(label));
    return button.put("url", url);
  }

  private static ObjectNode plain(String text) {
    return JSON.objectNode().put("type", "plain_text").put("text", text);
  }

  private static ObjectNode markdown(String text) {
    return JSON.objectNode().put("type", "mrkdwn").put("text", text);
  }

  /** Slack's three control characters in mrkdwn text. */
  private static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
