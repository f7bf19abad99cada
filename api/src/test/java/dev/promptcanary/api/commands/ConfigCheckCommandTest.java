package dev.promptcanary.api.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.promptcanary.api.PromptCanaryApplication;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check CONFIG} in a process of its own, as a deployment script runs it: the verdict on
 * stdout and in the exit status, whatever the logging does at exit.
 */
class ConfigCheckCommandTest {
  private static final Path SERVER_YML = Path.of("..", "deployment", "config", "server.yml");

  /** What one run printed on each stream, and how it exited. */
  private record Run(int exitCode, String stdout, String stderr) {}

  @Test
  void aValidFilePrintsTheLineOnStdoutAndExitsZero(@TempDir Path dir) throws Exception {
    Run run = check(dir, SERVER_YML, Map.of());

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stdout()).contains(ConfigCheckCommand.OK);
  }

  /**
   * Dropwizard's own check logged its line, so logging switched off (or an async appender not
   * drained at exit) lost it; this one prints it.
   */
  @Test
  void theLineDoesNotGoThroughLogging(@TempDir Path dir) throws Exception {
    Run run = check(dir, SERVER_YML, Map.of(), "-Ddw.logging.level=OFF");

    assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
    assertThat(run.stdout()).contains(ConfigCheckCommand.OK);
  }

  @Test
  void anInvalidValueIsRefusedNamingTheFieldWithANonZeroExit(@TempDir Path dir) throws Exception {
    Run run = check(dir, SERVER_YML, Map.of("PROMPTCANARY_PORT", "70000"));

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stdout()).doesNotContain(ConfigCheckCommand.OK);
    assertThat(run.stderr())
        .contains(ConfigCheckCommand.REFUSED)
        .contains("server.applicationConnectors[0].port")
        .doesNotContain("\tat ");
  }

  @Test
  void anUnknownFieldIsRefusedNamingItWithANonZeroExit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("typo.yml");
    Files.writeString(
        file, Files.readString(SERVER_YML) + "\ntemporl:\n  target: localhost:7233\n");

    Run run = check(dir, file, Map.of());

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stdout()).doesNotContain(ConfigCheckCommand.OK);
    assertThat(run.stderr()).contains(ConfigCheckCommand.REFUSED).contains("temporl");
  }

  /** {@code java ... PromptCanaryApplication [jvmOptions] check FILE} with {@code env} added. */
  private static Run check(Path dir, Path file, Map<String, String> env, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            PromptCanaryApplication.class.getName(),
            "check",
            file.toString()));
    File stdout = dir.resolve("stdout").toFile();
    File stderr = dir.resolve("stderr").toFile();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(stdout)
            .redirectError(stderr)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    // only the environment given here decides the file's values
    builder.environment().keySet().removeIf(name -> name.startsWith("PROMPTCANARY_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish in 180 s");
    }
    return new Run(
        process.exitValue(),
        Files.readString(stdout.toPath(), StandardCharsets.UTF_8),
        Files.readString(stderr.toPath(), StandardCharsets.UTF_8));
  }
}
