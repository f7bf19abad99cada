package dev.promptcanary.api.ui;

import java.util.List;

/** What the pages show, as plain records of display-ready text; the templates only lay them out. */
public final class PageModels {
  private PageModels() {}

  /** A link: its text and where it goes. */
  public record Link(String text, String href) {}

  /** One line of the rollouts table. */
  public record RolloutRow(
      Link id,
      Link prompt,
      int candidateVersion,
      int baselineVersion,
      String state,
      String stateClass,
      String stage,
      String weight,
      String updated,
      String age,
      String reason) {}

  public record RolloutList(
      String prompt, String state, List<String> states, List<RolloutRow> rows) {}

  public record VerdictRow(
      String gate,
      String decision,
      String decisionClass,
      String canaryN,
      String stableN,
      String estimate,
      String bounds,
      String threshold,
      String reason) {}

  public record TimelineRow(String at, String event, String detail) {}

  public record RolloutDetail(
      RolloutRow rollout,
      boolean running,
      String startedBy,
      String evalSuite,
      String judge,
      String created,
      String finished,
      String verdictSource,
      String liveUnavailable,
      String pausedBecause,
      List<VerdictRow> verdicts,
      List<TimelineRow> timeline,
      String jsonHref,
      String evalHref,
      String temporalHref) {}

  public record VersionRow(
      int version, String role, String model, String author, String created, String hash) {}

  public record PromptDetail(
      String name,
      int stableVersion,
      String canaryVersion,
      String canaryWeight,
      Link rollout,
      String routingUpdated,
      List<VersionRow> versions,
      List<RolloutRow> rollouts) {}

  public record ErrorDetail(int status, String message) {}
}
