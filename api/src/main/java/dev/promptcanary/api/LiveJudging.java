package dev.promptcanary.api;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.KnownVersions;
import dev.promptcanary.activities.model.JudgePool;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.api.config.JudgeFactory;
import dev.promptcanary.api.health.JudgePoolHealthCheck;
import dev.promptcanary.api.resources.TranscriptResource;
import dev.promptcanary.api.rollouts.RolloutNotifier;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Wires {@code POST /v1/transcripts}: with {@code judge.enabled}, a judge pool whose judgements and
 * failures go to the store (scores nudge running rollouts, as reported judgements do), its gauges
 * ({@code promptcanary.judge.*}) and its health check ({@code judge}); without, the endpoint
 * answers 503.
 */
final class LiveJudging {
  private LiveJudging() {}

  static void register(
      JudgeFactory factory,
      Environment environment,
      OutcomeDao outcomes,
      KnownVersions knownVersions,
      RolloutNotifier notifier,
      int maxBatchSize,
      Clock clock,
      MeterRegistry meters) {
    JudgePool pool = null;
    if (factory.isEnabled()) {
      JudgePool built =
          factory.build(
              JudgePool.Sink.of(
                  batch -> {
                    IngestResult result = outcomes.insertJudgements(batch);
                    if (result.accepted() > 0) {
                      notifier.outcomesStored(
                          batch.stream().map(Judgement::prompt).collect(Collectors.toSet()));
                    }
                  },
                  outcomes::insertJudgeFailure),
              clock);
      environment
          .lifecycle()
          .manage(
              new Managed() {
                @Override
                public void stop() {
                  built.close();
                }
              });
      environment.healthChecks().register("judge", new JudgePoolHealthCheck(built));
      MetricRegistry metrics = environment.metrics();
      gauge(metrics, "accepted", built, JudgePool.Stats::accepted);
      gauge(metrics, "dropped", built, JudgePool.Stats::dropped);
      gauge(metrics, "judged", built, JudgePool.Stats::judged);
      gauge(metrics, "failures", built, JudgePool.Stats::judgeFailures);
      gauge(metrics, "writeFailures", built, JudgePool.Stats::writeFailures);
      gauge(metrics, "queued", built, s -> (long) s.queued());
      prometheus(meters, built);
      pool = built;
    }
    environment.jersey().register(new TranscriptResource(pool, knownVersions, maxBatchSize));
  }

  /** The same counts for Prometheus: the queue's depth, and what was dropped, judged or failed. */
  private static void prometheus(MeterRegistry meters, JudgePool pool) {
    io.micrometer.core.instrument.Gauge.builder(
            "promptcanary.judge.queue.depth", pool, p -> p.stats().queued())
        .description("Transcripts waiting for the live judge")
        .register(meters);
    counter(meters, "promptcanary.judge.transcripts", "accepted", pool, JudgePool.Stats::accepted);
    counter(meters, "promptcanary.judge.transcripts", "dropped", pool, JudgePool.Stats::dropped);
    counter(meters, "promptcanary.judge.transcripts", "judged", pool, JudgePool.Stats::judged);
    counter(meters, "promptcanary.judge.failures", "judge", pool, JudgePool.Stats::judgeFailures);
    counter(meters, "promptcanary.judge.failures", "write", pool, JudgePool.Stats::writeFailures);
  }

  private static void counter(
      MeterRegistry meters,
      String name,
      String kind,
      JudgePool pool,
      Function<JudgePool.Stats, Long> f) {
    FunctionCounter.builder(name, pool, p -> f.apply(p.stats()))
        .description(
            name.endsWith("failures")
                ? "Live judge failures: the judge's (judge) or storing the result (write)"
                : "Transcripts submitted to live judging: accepted, dropped (queue full), judged")
        .tag(name.endsWith("failures") ? "kind" : "result", kind)
        .register(meters);
  }

  private static void gauge(
      MetricRegistry metrics, String name, JudgePool pool, Function<JudgePool.Stats, Long> f) {
    metrics.register(
        MetricRegistry.name("promptcanary", "judge", name),
        (Gauge<Long>) () -> f.apply(pool.stats()));
  }
}
