package dev.promptcanary.workflows.rollout;

/** How an alert is written to a webhook. */
public enum WebhookFormat {
  /** The {@link AlertEvent} as JSON (the default). */
  JSON,
  /** A Slack incoming-webhook message: text plus blocks with the reason, gate, statistic, links. */
  SLACK
}
