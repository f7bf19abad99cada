package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.promptcanary.api.auth.Role;
import dev.promptcanary.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's CLI run as an operator runs it, one process per command, against {@code dev}
 * (with its worker) in another: push prompt versions from YAML, diff them, start a rollout from a
 * declarative file, run the suite without a rollout ({@code eval run}), read it, pause and resume
 * it, and {@code watch} it to its end (abort: exit 1; bypass: exit 0) while the controls come from
 * other CLI processes; and the errors, one line each. Tagged {@code one-server}: its subject is the
 * CLI, a REST client that cannot tell the Temporal servers apart (the controls under it run on both
 * in the other ITs and api-tests), so CI runs it in the dev-server pass only.
 */
@Tag("one-server")
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT = "cli-it";

  @TempDir Path work;
  private final AtomicInteger runs = new AtomicInteger();
  private ProcessStack stack;
  private Map<Role, String> keys;

  /** One finished CLI process: its exit code and what it printed (stdout and stderr). */
  record Run(int code, String output) {}

  @Test
  void drivesARolloutFromFilesToItsEndAndSaysWhatIsWrongInOneLine() throws Exception {
    try (ProcessStack stack = new ProcessStack(work)) {
      this.stack = stack;
      stack.startDev("dev", true);
      stack.run(
          () -> {
            keys = DevKeys.read(work.resolve("pg"));
            pushAndDiff();
            String first = startRollout();
            pauseAndResume(first);
            watchUntil(first, "abort", Role.DEPLOYER, 1, "ABORTED");
            String second = startRollout();
            if (Tmux.available()) {
              watchInATerminal(second);
            } else {
              watchUntil(second, "bypass", Role.ADMIN, 0, "BYPASSED");
            }
            errors(second);
          });
    }
  }

  private void pushAndDiff() throws Exception {
    Files.writeString(work.resolve("v1.yaml"), version("Answer politely.", 0.2));
    Files.writeString(work.resolve("v2.yaml"), version("Answer in two sentences.", 0.5));
    assertThat(cli(Role.DEPLOYER, "prompt", "push", work.resolve("v1.yaml").toString()))
        .satisfies(r -> assertThat(r.code()).as(r.output()).isZero())
        .satisfies(r -> assertThat(r.output()).startsWith(PROMPT + "@1 "));
    Run v2 = cli(Role.DEPLOYER, "prompt", "push", work.resolve("v2.yaml").toString());
    assertThat(v2.output()).as(v2.output()).startsWith(PROMPT + "@2 ");
    // The same content again is the same version.
    assertThat(cli(Role.DEPLOYER, "prompt", "push", work.resolve("v2.yaml").toString()).output())
        .startsWith(PROMPT + "@2 ");

    Run diff = cli(Role.READER, "prompt", "diff", PROMPT, "1", "2");
    assertThat(diff.code()).as(diff.output()).isZero();
    assertThat(diff.output())
        .contains("@@ system prompt")
        .contains("- Answer politely.")
        .contains("+ Answer in two sentences.")
        .contains("- temperature: 0.2")
        .contains("+ temperature: 0.5")
        .doesNotContain("@@ template");

    Run show = cli(Role.READER, "prompt", "show", PROMPT + "@1", "--output", "json");
    JsonNode shown = JSON.readTree(show.output());
    assertThat(shown.path("content").path("systemPrompt").asText())
        .isEqualTo("You are a support agent.\nAnswer politely.\n");
    assertThat(shown.path("variables").toString()).isEqualTo("[\"question\"]");

    Files.writeString(
        work.resolve("suite.yaml"),
        """
        name: cli-it-suite
        author: cli-it
        cases:
          - id: greeting
            variables: {question: "Hello?"}
            assertions: [{type: max_length, max: 600}]
        gate: {minPassRate: 0.75}
        """);
    Run suite = cli(Role.DEPLOYER, "suite", "push", work.resolve("suite.yaml").toString());
    assertThat(suite.output()).as(suite.output()).isEqualTo("cli-it-suite v1 (1 cases)\n");
    assertThat(cli(Role.READER, "suite", "list").output())
        .containsPattern("(?m)^cli-it-suite +v1 +1 ");

    // The suite run without a rollout, as a CI job runs it: the gate passes (exit 0), and the
    // JUnit XML has the case and the gate.
    Path junit = work.resolve("reports/eval.xml");
    Run eval =
        cli(
            Role.DEPLOYER,
            "eval",
            "run",
            "--suite",
            "cli-it-suite",
            "--prompt",
            PROMPT + "@2",
            "--junit",
            junit.toString(),
            "--interval",
            "0.5");
    assertThat(eval.code()).as(eval.output()).isZero();
    assertThat(eval.output())
        .contains(PROMPT + " v2 against v1 on cli-it-suite v1")
        .contains("gate PASSED: eval suite cli-it-suite v1 passed");
    assertThat(Files.readString(junit))
        .contains("<testcase classname=\"promptcanary.eval.cli-it-suite\" name=\"greeting\"")
        .contains("name=\"gate\"")
        .doesNotContain("<failure");

    Run list = cli(Role.READER, "prompt", "list");
    assertThat(list.output()).containsPattern("(?m)^" + PROMPT + " +v2 +v1 +- ");
  }

  private String startRollout() throws Exception {
    Path file = work.resolve("rollout.yaml");
    Files.writeString(
        file,
        """
        # a declarative rollout: the body of POST /v1/rollouts
        prompt: %s
        candidateVersion: 2
        inconclusivePolicy: HOLD
        checkIntervalSeconds: 2
        stages:
          - {weightBp: 1000, minJudgements: 20, minBakeSeconds: 5, maxBakeSeconds: 3600}
          - {weightBp: 5000, minJudgements: 20, minBakeSeconds: 5, maxBakeSeconds: 3600}
        """
            .formatted(PROMPT));
    Run started = cli(Role.DEPLOYER, "rollout", "start", file.toString(), "-o", "json");
    assertThat(started.code()).as(started.output()).isZero();
    String id = JSON.readTree(started.output()).path("id").asText();
    stack.awaitRollout(id, r -> "CANARY".equals(r.path("live").path("state").asText()), "CANARY");

    Run status = cli(Role.READER, "rollout", "status", id);
    assertThat(status.output())
        .as(status.output())
        .contains(id + "  " + PROMPT + ": v2 (canary) against v1 (stable)  CANARY")
        .contains("stage 1/2 at 10%")
        .containsPattern("judged   canary \\[\\.{20}\\] +0/20 ");
    assertThat(cli(Role.READER, "rollout", "list", "--prompt", PROMPT).output())
        .containsPattern("(?m)^" + id + " +" + PROMPT + " +v2 vs v1 +CANARY +1/2 +10% ");
    return id;
  }

  private void pauseAndResume(String id) throws Exception {
    Run paused = cli(Role.DEPLOYER, "rollout", "pause", id, "--reason", "checking the tickets");
    assertThat(paused.code()).as(paused.output()).isZero();
    assertThat(paused.output()).startsWith(id + " PAUSED");
    assertThat(cli(Role.READER, "rollout", "status", id).output()).contains("PAUSED (USER)");
    Run resumed = cli(Role.DEPLOYER, "rollout", "resume", id, "--reason", "tickets are fine");
    assertThat(resumed.output()).as(resumed.output()).startsWith(id + " CANARY");
  }

  /**
   * Runs {@code watch} in its own process, sends {@code control} from another once the watch has
   * drawn its first frame, and checks that the watch ends by itself with {@code exitCode}.
   */
  private void watchUntil(String id, String control, Role role, int exitCode, String state)
      throws Exception {
    Path log = work.resolve("watch-" + control + ".out");
    try (JarProcess watch =
        cliProcess(Role.READER, log, "rollout", "watch", id, "--interval", "0.5")) {
      org.awaitility.Awaitility.await("the watch's first frame")
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(log) && Files.readString(log).contains("stage 1/2 at 10%"));
      Run sent = cli(role, "rollout", control, id, "--reason", "the CLI test ends it");
      assertThat(sent.code()).as(sent.output()).isZero();
      assertThat(watch.waitForExit(Duration.ofSeconds(60)))
          .as("watch still running:\n" + Files.readString(log))
          .isTrue();
      String printed = Files.readString(log);
      assertThat(watch.exitValue()).as(printed).isEqualTo(exitCode);
      assertThat(printed)
          .as(printed)
          .doesNotContain("\033[") // not a terminal: appended snapshots, no redraw
          .contains("  " + state)
          .contains("decision " + state + ": ");
    }
  }

  /**
   * {@code watch} on a real terminal (a tmux pane): the frame is redrawn in place, so however many
   * times it was drawn the pane, scroll-back included, holds one frame; a person's pause shows in
   * it without ending the watch, and the bypass ends it with exit 0.
   */
  private void watchInATerminal(String id) throws Exception {
    String header = id + "  " + PROMPT + ": v2 (canary) against v1 (stable)  ";
    try (Tmux tmux = Tmux.start(work, "cli-it")) {
      tmux.run(
          "PROMPTCANARY_URL=http://127.0.0.1:"
              + stack.apiPort()
              + " PROMPTCANARY_API_KEY="
              + keys.get(Role.READER)
              + " java "
              + String.join(" ", ChildJvm.options("128m"))
              + " -jar "
              + ChildJvm.jar()
              + " rollout watch "
              + id
              + " --interval 0.5; echo \"watch exit code=$?\"");
      tmux.waitFor("the first frame", pane -> pane.contains(header + "CANARY"));
      Run paused = cli(Role.DEPLOYER, "rollout", "pause", id, "--reason", "a look in the terminal");
      assertThat(paused.code()).as(paused.output()).isZero();
      String pausedPane =
          tmux.waitFor("the paused frame", pane -> pane.contains(header + "PAUSED (USER)"));
      assertThat(pausedPane.lines().filter(l -> l.startsWith(header))).as(pausedPane).hasSize(1);
      assertThat(pausedPane).doesNotContainPattern("watch exit code=\\d");

      Run bypassed = cli(Role.ADMIN, "rollout", "bypass", id, "--reason", "the CLI test ends it");
      assertThat(bypassed.code()).as(bypassed.output()).isZero();
      String ended =
          tmux.waitFor("the watch's end", pane -> pane.matches("(?s).*watch exit code=\\d.*"));
      assertThat(ended).as(ended).contains(header + "BYPASSED").contains("watch exit code=0");
      assertThat(ended.lines().filter(l -> l.startsWith(header))).as(ended).hasSize(1);
      assertThat(ended.lines().filter(l -> l.startsWith("stage ") || l.startsWith("ended at ")))
          .as(ended)
          .hasSize(1);
    }
  }

  private void errors(String endedId) throws Exception {
    Path bad = work.resolve("bad-rollout.yaml");
    Files.writeString(
        bad,
        """
        prompt: %s
        candidateVersion: 2
        stages:
          - {weightBp: 0, minJudgements: 20, minBakeSeconds: 5, maxBakeSeconds: 60}
        """
            .formatted(PROMPT));
    Run invalid = cli(Role.DEPLOYER, "rollout", "start", bad.toString());
    assertThat(invalid.code()).as(invalid.output()).isEqualTo(4);
    assertThat(invalid.output().strip()).doesNotContain("\n");
    assertThat(invalid.output())
        .startsWith("error: ")
        .contains("field stages[0].weightBp, HTTP 422");

    Run forbidden = cli(Role.READER, "rollout", "abort", endedId, "--reason", "a reader may not");
    assertThat(forbidden.code()).isEqualTo(4);
    assertThat(forbidden.output()).startsWith("error: ").contains("field Authorization, HTTP 403");

    Run unknown = cli(Role.READER, "rollout", "status", "rollout-nope");
    assertThat(unknown.code()).isEqualTo(4);
    assertThat(unknown.output()).startsWith("error: ").contains("HTTP 404");

    Run noFile = cli(Role.DEPLOYER, "suite", "push", work.resolve("missing.yaml").toString());
    assertThat(noFile.code()).isEqualTo(4);
    assertThat(noFile.output())
        .isEqualTo("error: " + work.resolve("missing.yaml") + ": no such file\n");

    // The jar still hands every other command to Dropwizard.
    Run dropwizard = run(null, "check", "--help");
    assertThat(dropwizard.output()).contains("usage: java -jar");
  }

  private static String version(String instruction, double temperature) {
    return """
        name: %s
        systemPrompt: |
          You are a support agent.
          %s
        template: "Q: {{question}}"
        model: sim-model
        parameters:
          temperature: %s
        author: cli-it
        """
        .formatted(PROMPT, instruction, temperature);
  }

  private Run cli(Role role, String... args) throws Exception {
    return run(role, args);
  }

  private Run run(Role role, String... args) throws Exception {
    Path log = work.resolve("cli-" + runs.incrementAndGet() + ".out");
    try (JarProcess process = cliProcess(role, log, args)) {
      assertThat(process.waitForExit(Duration.ofSeconds(90)))
          .as("CLI " + List.of(args) + " still running")
          .isTrue();
      return new Run(process.exitValue(), Files.readString(log));
    }
  }

  private JarProcess cliProcess(Role role, Path log, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    JarProcess.Builder builder =
        ChildJvm.builder("128m")
            .name("cli " + String.join(" ", args))
            .args(all)
            .log(log)
            .env("PROMPTCANARY_URL", "http://127.0.0.1:" + stack.apiPort());
    if (role != null) {
      builder.env("PROMPTCANARY_API_KEY", keys.get(role));
    }
    return builder.start();
  }
}
