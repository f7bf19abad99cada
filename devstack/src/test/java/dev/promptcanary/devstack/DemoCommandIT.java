package dev.promptcanary.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.TestApps;
import dev.promptcanary.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code demo} command, run as a user would: the whole story on the embedded
 * stack, in a real process. The better candidate must end PROMOTED and the regressed one
 * ROLLED_BACK, as the rollouts themselves report them (the command prints each rollout's final
 * state as read from the API).
 */
class DemoCommandIT {
  private static final Pattern FINAL =
      Pattern.compile("^final: v(\\d+) ([A-Z_]+) \\(expected ([A-Z_]+), rollout (\\S+)\\)");

  @TempDir Path work;

  @Test
  void playsTheStoryPromotingTheBetterCandidateAndRollingBackTheRegressedOne() throws Exception {
    Path output = work.resolve("demo.out");
    JarProcess demo =
        ChildJvm.builder(null)
            .name("demo")
            .log(output)
            .args(
                Stream.concat(
                        Stream.of(
                            "demo",
                            "--port",
                            String.valueOf(TestApps.freePort()),
                            "--admin-port",
                            String.valueOf(TestApps.freePort()),
                            "--temporal-port",
                            String.valueOf(TestApps.freePort()),
                            "--seed",
                            "7"),
                        TestTemporal.args().stream())
                    .toList())
            .start();
    boolean exited = demo.waitForExit(Duration.ofMinutes(12));
    if (!exited) {
      demo.kill();
    }
    String printed = Files.readString(output);
    assertThat(exited).as("demo still running after 12 minutes:\n" + printed).isTrue();
    assertThat(demo.exitValue()).as(printed).isZero();

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
  }
}
