package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code demo} command, run as a user would: the whole story on the embedded
 * stack, in a real process. The better candidate must end PROMOTED and the regressed one
 * ROLLED_BACK, as the rollouts themselves report them (the command prints each rollout's final
 * state as read from the API). On the Temporal CLI's dev server the demo runs with {@code
 * --keep-running} and, while its story plays, the Temporal UI check ({@link TemporalUiCheck}) finds
 * the first rollout there: one demo for both, as a user would look at it.
 */
class DemoCommandIT {
  private static final Pattern FINAL =
      Pattern.compile("^final: v(\\d+) ([A-Z_]+) \\(expected ([A-Z_]+), rollout (\\S+)\\)");
  private static final Duration STORY_BOUND = Duration.ofMinutes(12);

  @TempDir Path work;

  @Test
  void playsTheStoryPromotingTheBetterCandidateAndRollingBackTheRegressedOne() throws Exception {
    String noUiCheck = TemporalUiCheck.unavailable();
    boolean uiCheck = noUiCheck == null;
    if (TestTemporal.cli() && !uiCheck) {
      System.out.println("DemoCommandIT: no Temporal UI check: " + noUiCheck);
    }
    int temporalPort = TestApps.freePort();
    Path output = work.resolve("demo.out");
    List<String> args =
        new ArrayList<>(
            List.of(
                "demo",
                "--port",
                String.valueOf(TestApps.freePort()),
                "--admin-port",
                String.valueOf(TestApps.freePort()),
                "--temporal-port",
                String.valueOf(temporalPort),
                "--seed",
                "7"));
    if (uiCheck) {
      args.add("--keep-running");
    }
    args.addAll(TestTemporal.args());
    JarProcess demo = ChildJvm.builder(null).name("demo").log(output).args(args).start();
    try {
      if (uiCheck) {
        String uiUrl =
            await("demo's stack up, with the Temporal UI address")
                .atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                    () -> stillRunning(demo, TemporalUiCheck.uiUrl(Files.readString(output))),
                    url -> url != null);
        TemporalUiCheck.check(uiUrl, temporalPort, "support-demo", "rollout-support-demo-2");
        await("the story's verdict (demo OK or demo FAILED)")
            .atMost(STORY_BOUND)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    stillRunning(
                        demo,
                        Files.readString(output)
                            .contains("promptcanary demo: the stack keeps running")));
      } else {
        boolean exited = demo.waitForExit(STORY_BOUND);
        assertThat(exited).as("demo still running after " + STORY_BOUND).isTrue();
        assertThat(demo.exitValue()).as("demo's exit code").isZero();
      }
    } catch (Throwable t) {
      throw new AssertionError(
          t.getMessage() + "\n----- demo -----\n" + Files.readString(output), t);
    } finally {
      demo.stop();
    }
    String printed = Files.readString(output);

    Map<Integer, String> states = new HashMap<>();
    Map<Integer, String> rollouts = new HashMap<>();
    for (String line : printed.split("\n")) {
      Matcher m = FINAL.matcher(line);
      if (m.find()) {
        states.put(Integer.parseInt(m.group(1)), m.group(2));
        rollouts.put(Integer.parseInt(m.group(1)), m.group(4));
      }
    }
    assertThat(states).as(printed).containsEntry(2, "PROMOTED").containsEntry(3, "ROLLED_BACK");
    assertThat(rollouts)
        .as(printed)
        .containsEntry(2, "rollout-support-demo-2")
        .containsEntry(3, "rollout-support-demo-3");
    assertThat(printed)
        .contains("demo OK")
        .contains("v2 timeline: eval passed")
        .contains("v2 timeline: promoted")
        .contains("v3 timeline: rolled_back")
        .contains(
            TestTemporal.cli()
                ? "demo: Temporal dev server"
                : "(in memory, no Temporal UI: asked for with java)")
        .contains(
            TestTemporal.cli()
                ? "demo: Temporal dev server"
                : "demo: Temporal's Java test server on localhost:")
        .contains("demo: embedded PostgreSQL on port")
        .contains("fsync and synchronous_commit off for speed")
        .containsPattern(
            "promptcanary demo: dashboard http://127\\.0\\.0\\.1:\\d+/ui/rollouts \\(key: pck_");
    if (TestTemporal.cli()) {
      assertThat(printed).contains(", Temporal UI http://localhost:").contains("history in memory");
    }
    if (uiCheck) {
      assertThat(printed).contains("promptcanary demo: the stack keeps running (--keep-running)");
    }
  }

  /** The value, while the demo still runs; an exited demo fails the wait at once. */
  private static <T> T stillRunning(JarProcess demo, T value) {
    if (!demo.isAlive()) {
      throw new IllegalStateException(
          "demo exited (" + demo.exitValue() + ") before the wait ended");
    }
    return value;
  }
}
