package dev.promptcanary.activities.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import dev.promptcanary.activities.ingest.Units;
import dev.promptcanary.activities.ingest.VersionMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OutcomeDaoTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static Jdbi jdbi;
  private static OutcomeDao outcomes;
  private static MetricsDao metrics;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabases.fresh().jdbi();
    Fixtures.twoVersionsOf(jdbi, "ingest", "metrics", "other", "expo");
    outcomes = jdbi.onDemand(OutcomeDao.class);
    metrics = jdbi.onDemand(MetricsDao.class);
  }

  private static Observation observation(
      String prompt, String id, int version, double latency, boolean error) {
    return new Observation(
        id, prompt, version, "u-" + id, T0, latency, 100, 50, 0.002, error, false, null);
  }

  @Test
  void aRetriedBatchCountsNothingTwice() {
    List<Observation> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(observation("ingest", "retry-" + i, 1, 100 + i, false));
    }
    assertThat(outcomes.insertObservations(batch)).isEqualTo(new IngestResult(50, 0));
    assertThat(outcomes.insertObservations(batch)).isEqualTo(new IngestResult(0, 50));

    List<Observation> overlapping = new ArrayList<>(batch.subList(40, 50));
    overlapping.add(observation("ingest", "retry-new", 1, 1, false));
    assertThat(outcomes.insertObservations(overlapping)).isEqualTo(new IngestResult(1, 10));

    long stored =
        jdbi.withHandle(
            h ->
                h.select("SELECT count(*) FROM observations WHERE request_id LIKE 'retry-%'")
                    .mapTo(Long.class)
                    .one());
    assertThat(stored).isEqualTo(51);
  }

  @Test
  void anOutcomeWithoutItsOwnTimeIsStoredAtTheBatchArrivalAndNeverWithoutATime() {
    Instant arrived = Instant.parse("2026-02-03T09:00:00.5Z");
    Instant own = Instant.parse("2026-02-03T08:00:00Z");
    Observation untimed =
        new Observation("arrival-1", "ingest", 1, "s-a", null, 10.0, 1, 1, 0.0, false, false, null);
    Observation timed =
        new Observation("arrival-2", "ingest", 1, "s-a", own, 10.0, 1, 1, 0.0, false, false, null);
    Judgement score = new Judgement("arrival-1", "ingest", 1, "judge", 0.8, null);

    assertThatThrownBy(() -> outcomes.insertObservations(List.of(untimed)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("arrival-1");
    assertThat(outcomes.insertObservations(List.of(untimed, timed), arrived))
        .isEqualTo(new IngestResult(2, 0));
    assertThat(outcomes.insertJudgements(List.of(score), arrived))
        .isEqualTo(new IngestResult(1, 0));

    var times =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT request_id, observed_at FROM observations"
                            + " WHERE request_id LIKE 'arrival-%' ORDER BY request_id")
                    .map((rs, ctx) -> rs.getTimestamp("observed_at").toInstant())
                    .list());
    assertThat(times).containsExactly(arrived, own);
    Instant judged =
        jdbi.withHandle(
            h ->
                h.select("SELECT judged_at FROM judgements WHERE request_id = 'arrival-1'")
                    .map((rs, ctx) -> rs.getTimestamp("judged_at").toInstant())
                    .one());
    assertThat(judged).isEqualTo(arrived);
  }

  @Test
  void storesEveryFieldAsSent() {
    Instant at = Instant.parse("2026-02-03T04:05:06.123456Z");
    Observation o =
        new Observation("full-1", "ingest", 2, "session-9", at, 12.5, 7, 8, 0.5, true, true, -1);
    outcomes.insertObservations(List.of(o));

    var row =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT unit, observed_at, latency_ms, input_tokens, output_tokens, cost, error, safety_flag, feedback"
                            + " FROM observations WHERE request_id = 'full-1'")
                    .mapToMap()
                    .one());
    assertThat(row.get("unit")).isEqualTo("session-9");
    assertThat(((java.sql.Timestamp) row.get("observed_at")).toInstant()).isEqualTo(at);
    assertThat(row.get("latency_ms")).isEqualTo(12.5);
    assertThat(row.get("input_tokens")).isEqualTo(7);
    assertThat(row.get("error")).isEqualTo(true);
    assertThat(row.get("safety_flag")).isEqualTo(true);
    assertThat(((Number) row.get("feedback")).intValue()).isEqualTo(-1);
  }

  @Test
  void aggregatesPerVersion() {
    List<Observation> batch = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      batch.add(observation("metrics", "m1-" + i, 1, i, i % 10 == 0));
    }
    for (int i = 1; i <= 10; i++) {
      batch.add(observation("metrics", "m2-" + i, 2, 1000, false));
    }
    outcomes.insertObservations(batch);
    outcomes.insertJudgements(
        List.of(
            new Judgement("m1-1", "metrics", 1, "judge-a", 0.5, T0),
            new Judgement("m1-2", "metrics", 1, "judge-a", 0.7, T0),
            new Judgement("m1-3", "metrics", 1, "judge-a", 0.9, T0),
            new Judgement("m1-3", "metrics", 1, "judge-a", 0.1, T0)));

    List<VersionMetrics> result = metrics.byVersion("metrics", T0.minusSeconds(1));
    assertThat(result).extracting(VersionMetrics::version).containsExactly(1, 2);
    VersionMetrics v1 = result.get(0);
    assertThat(v1.observations()).isEqualTo(100);
    assertThat(v1.errorRate()).isCloseTo(0.10, within(1e-9));
    // percentile_cont over 1..100: p50 = 50.5, p95 = 95.05, p99 = 99.01
    assertThat(v1.latencyP50Ms()).isCloseTo(50.5, within(1e-9));
    assertThat(v1.latencyP95Ms()).isCloseTo(95.05, within(1e-9));
    assertThat(v1.latencyP99Ms()).isCloseTo(99.01, within(1e-9));
    assertThat(v1.meanCost()).isCloseTo(0.002, within(1e-12));
    // the duplicate (m1-3, judge-a) was ignored: scores 0.5, 0.7, 0.9 -> mean 0.7, sample variance
    // 0.04
    assertThat(v1.judgements()).isEqualTo(3);
    assertThat(v1.meanScore()).isCloseTo(0.7, within(1e-9));
    assertThat(v1.scoreVariance()).isCloseTo(0.04, within(1e-9));
    assertThat(v1.scoreSumSquares()).isCloseTo(0.25 + 0.49 + 0.81, within(1e-9));
    VersionMetrics v2 = result.get(1);
    assertThat(v2.observations()).isEqualTo(10);
    assertThat(v2.judgements()).isZero();
    assertThat(v2.meanScore()).isNull();

    assertThat(metrics.byVersion("metrics", T0.plusSeconds(1))).isEmpty();
  }

  private static Observation served(
      String prompt, String id, int version, String unit, Instant at) {
    return new Observation(
        id, prompt, version, unit, at, 100.0, null, null, null, false, false, null);
  }

  private static List<Object> exposure(String prompt, String unit) {
    return jdbi.withHandle(
        h ->
            h.select(
                    "SELECT first_version, first_served_at FROM unit_exposures"
                        + " WHERE prompt = ? AND unit = ?",
                    prompt,
                    unit)
                .map((rs, ctx) -> List.<Object>of(rs.getInt(1), rs.getTimestamp(2).toInstant()))
                .findOne()
                .orElse(null));
  }

  @Test
  void aRequestIdIsUniquePerPromptNotAcrossPrompts() {
    Observation forIngest = served("ingest", "shared-1", 1, "s-1", T0);
    Observation forOther = served("other", "shared-1", 1, "s-1", T0);
    assertThat(outcomes.insertObservations(List.of(forIngest))).isEqualTo(new IngestResult(1, 0));
    assertThat(outcomes.insertObservations(List.of(forOther)))
        .as("same id, another prompt: a new request")
        .isEqualTo(new IngestResult(1, 0));
    assertThat(outcomes.insertObservations(List.of(forIngest, forOther)))
        .isEqualTo(new IngestResult(0, 2));

    List<Judgement> scores =
        List.of(
            new Judgement("shared-1", "ingest", 1, "j", 0.5, T0),
            new Judgement("shared-1", "other", 1, "j", 0.7, T0));
    assertThat(outcomes.insertJudgements(scores)).isEqualTo(new IngestResult(2, 0));
    assertThat(outcomes.insertJudgements(scores)).isEqualTo(new IngestResult(0, 2));
    assertThat(
            outcomes.insertJudgeFailure(
                new JudgeFailure("shared-1", "ingest", 1, "k", "no score", T0)))
        .isTrue();
    assertThat(
            outcomes.insertJudgeFailure(
                new JudgeFailure("shared-1", "other", 1, "k", "no score", T0)))
        .isTrue();
    assertThat(
            outcomes.insertJudgeFailure(new JudgeFailure("shared-1", "other", 1, "k", "again", T0)))
        .isFalse();
  }

  @Test
  void aRequestWithoutAUnitIsItsOwnUnitWhichNoClientUnitCanBe() {
    outcomes.insertObservations(List.of(served("ingest", "lone-1", 1, null, T0)));
    String unit =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT unit FROM observations WHERE prompt = 'ingest'"
                            + " AND request_id = 'lone-1'")
                    .mapTo(String.class)
                    .one());
    assertThat(unit).isEqualTo(Units.ofRequest("lone-1")).startsWith("\u001f");
    assertThat(Units.isOwnUnit(unit)).isTrue();
    assertThat("request:lone-1".matches(Units.NO_CONTROL_CHARACTERS)).isTrue();
    assertThat(unit.matches(Units.NO_CONTROL_CHARACTERS)).as("clients cannot send it").isFalse();
    assertThat(exposure("ingest", unit)).isEqualTo(List.of(1, T0));
  }

  @Test
  void aJudgementTakesItsUnitAndServingTimeFromItsObservationOrItsOwn() {
    Instant served = T0.plusSeconds(10);
    outcomes.insertObservations(List.of(served("ingest", "jt-1", 2, "sess-jt", served)));
    outcomes.insertJudgements(
        List.of(
            new Judgement("jt-1", "ingest", 2, "j", 0.5, T0.plusSeconds(300)),
            new Judgement("jt-2", "ingest", 2, "j", 0.5, T0.plusSeconds(300)),
            new Judgement(
                "jt-3",
                "ingest",
                2,
                "j",
                0.5,
                T0.plusSeconds(300),
                "sess-own",
                T0.plusSeconds(20))));
    outcomes.insertJudgeFailure(
        new JudgeFailure("jt-1", "ingest", 2, "k", "timeout", T0.plusSeconds(400)));

    var rows =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT request_id, unit, served_at FROM judgements"
                            + " WHERE prompt = 'ingest' AND request_id LIKE 'jt-%' ORDER BY request_id")
                    .mapToMap()
                    .list());
    assertThat(rows.get(0).get("unit")).isEqualTo("sess-jt");
    assertThat(((java.sql.Timestamp) rows.get(0).get("served_at")).toInstant()).isEqualTo(served);
    assertThat(rows.get(1).get("unit")).as("no observation yet: resolved at look time").isNull();
    assertThat(rows.get(1).get("served_at")).isNull();
    assertThat(rows.get(2).get("unit")).isEqualTo("sess-own");
    assertThat(exposure("ingest", "sess-own"))
        .as("a judgement naming its unit exposes it when it was served")
        .isEqualTo(List.of(2, T0.plusSeconds(20)));
    String failureUnit =
        jdbi.withHandle(
            h ->
                h.select(
                        "SELECT unit FROM judge_failures WHERE prompt = 'ingest'"
                            + " AND request_id = 'jt-1'")
                    .mapTo(String.class)
                    .one());
    assertThat(failureUnit).isEqualTo("sess-jt");
  }

  @Test
  void aUnitsFirstExposureIsItsEarliestServingWhateverTheArrivalOrder() {
    Instant t1 = T0.plusSeconds(100);
    outcomes.insertObservations(
        List.of(
            served("expo", "e-2", 2, "sess-e", t1.plusSeconds(5)),
            served("expo", "e-3", 2, "sess-e", t1.plusSeconds(9))));
    assertThat(exposure("expo", "sess-e")).isEqualTo(List.of(2, t1.plusSeconds(5)));

    // an earlier request arrives late, served another version: it is the first exposure
    outcomes.insertObservations(List.of(served("expo", "e-1", 1, "sess-e", t1)));
    assertThat(exposure("expo", "sess-e")).isEqualTo(List.of(1, t1));
    // later servings, replays, and a late score naming the unit change nothing
    outcomes.insertObservations(
        List.of(
            served("expo", "e-4", 2, "sess-e", t1.plusSeconds(60)),
            served("expo", "e-2", 2, "sess-e", t1.plusSeconds(5))));
    outcomes.insertJudgements(
        List.of(new Judgement("e-3", "expo", 2, "j", 0.4, t1.plusSeconds(600), "sess-e", null)));
    assertThat(exposure("expo", "sess-e")).isEqualTo(List.of(1, t1));

    // one batch holding several servings of a unit keeps its earliest; a tie on time goes to the
    // lower version
    outcomes.insertObservations(
        List.of(
            served("expo", "f-1", 2, "sess-f", t1.plusSeconds(3)),
            served("expo", "f-2", 2, "sess-f", t1),
            served("expo", "f-3", 1, "sess-f", t1)));
    assertThat(exposure("expo", "sess-f")).isEqualTo(List.of(1, t1));
  }
}
