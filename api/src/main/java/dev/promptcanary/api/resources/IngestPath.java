package dev.promptcanary.api.resources;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.KnownVersions;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.OutcomeMetric;
import dev.promptcanary.activities.store.OutcomeDao;
import dev.promptcanary.api.rollouts.RolloutNotifier;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one way checked outcomes reach the store, whichever endpoint received them ({@code POST
 * /v1/observations} and its siblings, OTLP traces): items without a time of their own are stamped
 * with their arrival, stored idempotently by their request ids, and the rollouts of their prompts
 * are told new outcomes arrived.
 */
public final class IngestPath {
  private final OutcomeDao outcomes;
  private final KnownVersions knownVersions;
  private final RolloutNotifier notifier;
  private final Clock clock;

  public IngestPath(
      OutcomeDao outcomes, KnownVersions knownVersions, RolloutNotifier notifier, Clock clock) {
    this.outcomes = outcomes;
    this.knownVersions = knownVersions;
    this.notifier = notifier;
    this.clock = clock;
  }

  /** Whether {@code prompt} has version {@code version}: outcomes of other versions are refused. */
  public boolean exists(String prompt, int version) {
    return knownVersions.exists(prompt, version);
  }

  public IngestResult observations(List<Observation> items) {
    return store(items, outcomes::insertObservations, Observation::prompt);
  }

  public IngestResult judgements(List<Judgement> items) {
    return store(items, outcomes::insertJudgements, Judgement::prompt);
  }

  public IngestResult metrics(List<OutcomeMetric> items) {
    return store(items, outcomes::insertMetrics, OutcomeMetric::prompt);
  }

  /**
   * Stores the items, those without a time at one arrival time, and tells the rollouts of their
   * prompts when any was new.
   */
  private <T> IngestResult store(
      List<T> items,
      BiFunction<List<T>, Instant, IngestResult> insert,
      Function<T, String> prompt) {
    IngestResult result = insert.apply(items, clock.instant());
    if (result.accepted() > 0) {
      notifier.outcomesStored(items.stream().map(prompt).collect(Collectors.toSet()));
    }
    return result;
  }
}
