package dev.promptcanary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code eval run}: an eval suite run for a prompt version without a rollout, for CI. */
@Command(
    name = "eval",
    description = "Eval suite runs without a rollout: run.",
    mixinStandardHelpOptions = true,
    subcommands = {EvalCommands.Run.class})
final class EvalCommands {

  @Command(
      name = "run",
      description =
          "Runs an eval suite for a prompt version through the API and the worker (the runner and"
              + " gate of a rollout's offline eval), shows its progress, prints each case and the"
              + " gate. Exit 0 when the gate passes, 1 when it fails, 3 at --timeout, 4 on an error"
              + " (the run could not decide, or the API refused).",
      mixinStandardHelpOptions = true)
  static final class Run extends ApiCommand {
    @Option(
        names = "--suite",
        required = true,
        paramLabel = "NAME[@VERSION]",
        description = "the suite (its latest version without @VERSION)")
    String suite;

    @Option(
        names = "--prompt",
        required = true,
        paramLabel = "NAME@VERSION",
        description = "the prompt version under test")
    String prompt;

    @Option(
        names = "--baseline",
        paramLabel = "VERSION",
        description = "the version to compare with (default: the prompt's stable version)")
    Integer baseline;

    @Option(
        names = "--junit",
        paramLabel = "FILE",
        description = "write a JUnit XML report here: one testcase per case, and one for the gate")
    Path junit;

    @Option(
        names = "--request-id",
        paramLabel = "ID",
        description = "makes the start idempotent: a rerun with the same id follows the same eval")
    String requestId;

    @Mixin Following following;

    @Mixin Output output;

    @Override
    int run(ApiClient api) throws Exception {
      following.check();
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("suite", suite);
      int at = prompt.lastIndexOf('@');
      if (at <= 0) {
        throw new ApiError(0, "--prompt: expected NAME@VERSION, got '" + prompt + "'", "--prompt");
      }
      body.put("prompt", prompt.substring(0, at));
      body.put("candidateVersion", version(prompt.substring(at + 1), "--prompt"));
      if (baseline != null) {
        body.put("baselineVersion", baseline);
      }
      if (requestId != null) {
        body.put("requestId", requestId);
      }
      boolean json = output.json();
      JsonNode started = api.post("/v1/evals", body);
      EvalProgress.Result result =
          new EvalProgress(
                  api, progressOut(json), following.redraw(), following.every(), following.limit())
              .follow(started);
      if (junit != null) {
        try {
          JunitReport.write(result.eval(), result.timedOut(), junit);
        } catch (IOException e) {
          throw new ApiError(
              0, "--junit: cannot write " + junit + ": " + e.getMessage(), "--junit");
        }
      }
      if (json) {
        Output.printJson(out(), result.eval());
      } else {
        EvalText.render(result.eval()).forEach(out()::println);
        if (result.timedOut()) {
          out()
              .println(
                  "still RUNNING after "
                      + following.timeout
                      + " s: not waiting any longer (the eval goes on; GET /v1/evals/"
                      + result.eval().path("id").asText()
                      + ")");
        }
        if (junit != null) {
          out().println("junit " + junit);
        }
      }
      if (result.exitCode() == PromptCanaryCli.ERROR) {
        // the answer went to standard output above; the error is one line, as for every command
        spec.commandLine()
            .getErr()
            .println(
                "error: eval "
                    + result.eval().path("id").asText()
                    + " could not decide: "
                    + ApiError.oneLine(Text.text(result.eval(), "reason", "")));
        spec.commandLine().getErr().flush();
      }
      return result.exitCode();
    }

    private static int version(String text, String option) throws ApiError {
      try {
        int v = Integer.parseInt(text);
        if (v >= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new ApiError(
          0, option + ": the version must be a positive integer, got '" + text + "'", option);
    }
  }
}
