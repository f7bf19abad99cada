package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollout start|list|status|watch|pause|resume|abort|bypass}. */
@Command(
    name = "rollout",
    description = "Rollouts: start one from a file, follow it, steer it.",
    mixinStandardHelpOptions = true,
    subcommands = {
      RolloutCommands.Start.class,
      RolloutCommands.ListRollouts.class,
      RolloutCommands.Status.class,
      RolloutCommands.Watch.class,
      RolloutCommands.Pause.class,
      RolloutCommands.Resume.class,
      RolloutCommands.Abort.class,
      RolloutCommands.Bypass.class,
      RolloutCommands.Approve.class
    })
final class RolloutCommands {

  @Command(
      name = "start",
      description =
          "Starts a rollout from a declarative YAML or JSON file: the body of POST /v1/rollouts"
              + " (prompt, candidateVersion, stages, gates, evalSuite, policies, webhook), checked"
              + " by the server with its own messages.",
      mixinStandardHelpOptions = true)
  static final class Start extends ApiCommand {
    @Parameters(paramLabel = "FILE", description = "the rollout's file (- for standard input)")
    String file;

    @Mixin Output output;

    /** How often a start answered 503 is sent, the first time included. */
    static final int ATTEMPTS = 5;

    /** The wait before sending it again: the API's {@code Retry-After} of a Temporal 503. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode body = Documents.read(file);
      if (body instanceof ObjectNode object && !object.hasNonNull("requestId")) {
        // So that a start answered 503 (it may have gone through) can be sent again: the same
        // requestId answers with the rollout the first attempt started, never a second one.
        object.put("requestId", "cli-" + UUID.randomUUID());
      }
      JsonNode started = null;
      for (int attempt = 1; started == null; attempt++) {
        try {
          started = api.post("/v1/rollouts", body);
        } catch (ApiError e) {
          if (e.status() != 503 || attempt == ATTEMPTS) {
            throw e;
          }
          PrintWriter err = spec.commandLine().getErr();
          err.println(
              "HTTP 503: "
                  + e.getMessage()
                  + "; sending the start again with requestId "
                  + body.path("requestId").asText());
          err.flush();
          Thread.sleep(RETRY_AFTER.toMillis());
        }
      }
      if (output.json()) {
        Output.printJson(out(), started);
      } else {
        out()
            .println(
                started.path("id").asText()
                    + " "
                    + started.path("state").asText()
                    + ": "
                    + started.path("prompt").asText()
                    + " v"
                    + started.path("candidateVersion").asInt()
                    + " against v"
                    + started.path("baselineVersion").asInt());
      }
      return PromptCanaryCli.OK;
    }
  }

  @Command(name = "list", description = "Rollouts, newest first.", mixinStandardHelpOptions = true)
  static final class ListRollouts extends ApiCommand {
    @Option(names = "--prompt", description = "only this prompt's")
    String prompt;

    @Option(names = "--state", description = "only in this state (e.g. CANARY, PROMOTED)")
    String state;

    @Option(names = "--limit", description = "at most this many (default 100)")
    int limit = 100;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      StringBuilder path = new StringBuilder("/v1/rollouts?limit=").append(limit);
      if (prompt != null) {
        path.append("&prompt=").append(ApiClient.query(prompt));
      }
      if (state != null) {
        path.append("&state=").append(ApiClient.query(state));
      }
      JsonNode rollouts = api.get(path.toString());
      if (output.json()) {
        Output.printJson(out(), rollouts);
        return PromptCanaryCli.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode r : rollouts) {
        rows.add(
            List.of(
                r.path("id").asText(),
                r.path("prompt").asText(),
                "v"
                    + r.path("candidateVersion").asInt()
                    + " vs v"
                    + r.path("baselineVersion").asInt(),
                r.path("state").asText(),
                r.path("stage").asInt() + "/" + r.path("spec").path("stages").size(),
                Text.percent(r.path("canaryWeightBp").asLong()),
                Text.text(r, "updatedAt", ""),
                Text.abbreviate(Text.text(r, "reason", ""), 80)));
      }
      Text.table(
              List.of("ID", "PROMPT", "VERSIONS", "STATE", "STAGE", "WEIGHT", "UPDATED", "REASON"),
              rows)
          .forEach(out()::println);
      return PromptCanaryCli.OK;
    }
  }

  @Command(
      name = "status",
      description = "Where a rollout is: the view of `watch`, once.",
      mixinStandardHelpOptions = true)
  static final class Status extends ApiCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Mixin Output output;

    @Option(names = "--width", description = "cut lines at this many characters (default 160)")
    int width = 160;

    @Override
    int run(ApiClient api) throws Exception {
      JsonNode rollout = api.get("/v1/rollouts/" + ApiClient.segment(id));
      if (output.json()) {
        Output.printJson(out(), rollout);
      } else {
        WatchFrame.render(rollout, width).forEach(out()::println);
      }
      return PromptCanaryCli.OK;
    }
  }

  @Command(
      name = "watch",
      description = {
        "Follows a rollout until it ends: redrawn in place on a terminal, appended snapshots"
            + " otherwise.",
        "Exits 0 on PROMOTED/BYPASSED, 1 on ROLLED_BACK/ABORTED/EVAL_BLOCKED, 2 when it is held"
            + " for a person (paused by the system, or waiting for an approval), 3 at --timeout."
      },
      mixinStandardHelpOptions = true)
  static final class Watch extends ApiCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Mixin Following following;

    @Option(
        names = "--width",
        description = "cut lines at this many characters (default: $COLUMNS, else 160)")
    Integer width;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      following.check();
      boolean json = output.json();
      RolloutWatch.Result result =
          new RolloutWatch(
                  api,
                  progressOut(json),
                  new RolloutWatch.Options(
                      following.redraw(),
                      following.every(),
                      Duration.ofSeconds(10),
                      following.limit(),
                      width != null ? width : columns()),
                  null)
              .watch(id);
      if (json) {
        Output.printJson(out(), result.rollout());
      }
      return result.exitCode();
    }

    private static int columns() {
      try {
        return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "160")));
      } catch (NumberFormatException e) {
        return 160;
      }
    }
  }

  /**
   * A control: POST /v1/rollouts/{id}/{action} with the reason, the action being the command's
   * name. The standard help options are inherited by each control's command.
   */
  @Command(mixinStandardHelpOptions = true)
  abstract static class Control extends ApiCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Option(
        names = "--reason",
        required = true,
        description = "why (kept in the audit log and the workflow history)")
    String reason;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("reason", reason);
      String action = spec.name();
      JsonNode result = api.post("/v1/rollouts/" + ApiClient.segment(id) + "/" + action, body);
      if (output.json()) {
        Output.printJson(out(), result);
      } else {
        out()
            .println(
                id
                    + " "
                    + result.path("state").asText()
                    + (result.hasNonNull("message") ? ": " + result.path("message").asText() : ""));
      }
      return PromptCanaryCli.OK;
    }
  }

  @Command(name = "pause", description = "Holds the weight and stops the stage clock.")
  static final class Pause extends Control {}

  @Command(name = "resume", description = "Resumes a paused rollout.")
  static final class Resume extends Control {}

  @Command(name = "abort", description = "Rolls back now (weight 0, the stable version stays).")
  static final class Abort extends Control {}

  @Command(
      name = "bypass",
      description = "Emergency: promotes to 100% now, skipping the remaining gates (admin).")
  static final class Bypass extends Control {}

  @Command(
      name = "approve",
      description = "Lets a stage that waits for approval (AWAITING_APPROVAL) advance (deployer).")
  static final class Approve extends Control {}
}
