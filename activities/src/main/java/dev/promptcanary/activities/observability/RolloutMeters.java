package dev.promptcanary.activities.observability;

import dev.promptcanary.workflows.domain.Verdict;
import dev.promptcanary.workflows.rollout.AnalysisReport;
import dev.promptcanary.workflows.rollout.Checkpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * What the rollout activities count: looks, verdicts per gate, how long stages took to decide and
 * alert deliveries. Names are Micrometer's; Prometheus shows them with underscores and the {@code
 * _total} / {@code _seconds} suffixes (docs/observability.md lists them).
 */
public final class RolloutMeters {
  private final MeterRegistry registry;

  public RolloutMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Meters nobody reads, for tests and tools that run activities without a registry. */
  public static RolloutMeters unread() {
    return new RolloutMeters(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One look at a stage: its overall decision and every gate's. */
  public void look(AnalysisReport report) {
    Counter.builder("promptcanary.looks")
        .description("Looks at a canary stage's data, by overall decision")
        .tag("decision", report.overall().decision().name())
        .register(registry)
        .increment();
    for (Verdict verdict : report.gates()) {
      Counter.builder("promptcanary.verdicts")
          .description("Gate verdicts of every look, by gate and decision")
          .tag("gate", verdict.gate().name())
          .tag("decision", verdict.decision().name())
          .register(registry)
          .increment();
    }
  }

  /**
   * Records how long a stage ran before it was decided, when {@code after} is past the stage {@code
   * before} was in (the next stage, or a final state). Called with the stored checkpoint before a
   * progress write, so a retried write finds the stage already ended and counts nothing.
   */
  public void stageProgress(Checkpoint before, Checkpoint after, long nowMillis) {
    if (before == null || after == null || before.state().isFinal()) {
      return;
    }
    boolean nextStage = after.stageIndex() > before.stageIndex();
    boolean ended = after.state().isFinal();
    if ((!nextStage && !ended) || !before.stageEntered() || before.stageStartedAtMillis() <= 0) {
      return;
    }
    Timer.builder("promptcanary.stage.decision")
        .description(
            "Time from a stage's start to its decision (next stage or final state), paused time"
                + " included")
        .tag("outcome", ended ? after.state().name() : "NEXT_STAGE")
        .tag("stage", Integer.toString(before.stageIndex() + 1))
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, nowMillis - before.stageStartedAtMillis())));
  }

  /** One attempt to deliver an alert to a webhook; {@code result} is delivered or failed. */
  public void webhook(String format, boolean delivered) {
    Counter.builder("promptcanary.webhook.deliveries")
        .description("Alert webhook delivery attempts, by format and result")
        .tag("format", format)
        .tag("result", delivered ? "delivered" : "failed")
        .register(registry)
        .increment();
  }
}
