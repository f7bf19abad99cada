package dev.promptcanary.activities.store;

import dev.promptcanary.activities.ingest.IngestResult;
import dev.promptcanary.activities.ingest.JudgeFailure;
import dev.promptcanary.activities.ingest.Judgement;
import dev.promptcanary.activities.ingest.Observation;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Batch ingest of observations and judgements. One statement per batch: the rows travel as column arrays and are
 * unnested server side, which costs a fraction of row-by-row inserts, and ON CONFLICT makes a retried batch
 * count nothing twice.
 */
public interface OutcomeDao {
  /**
   * Epoch microseconds {@code t} to timestamptz, exactly and in integer arithmetic. {@code to_timestamp(t /
   * 1000000.0)} gives the same instant but divides in {@code numeric} for every row, which cost the store path
   * 5-15% of its throughput in {@code bench/ingest}.
   */
  String MICROS_TO_TIMESTAMP = "(timestamptz 'epoch' + t * interval '1 microsecond')";

  @SqlUpdate(
      "INSERT INTO observations (request_id, prompt, version, unit, observed_at, latency_ms, input_tokens,"
          + " output_tokens, cost, error, safety_flag, feedback)"
          + " SELECT r, p, v, u, " + OutcomeDao.MICROS_TO_TIMESTAMP + ", l, it, ot, c, e, s, f"
          + " FROM unnest(:requestIds, :prompts, :versions, :units, :timesMicros, :latencies, :inputTokens,"
          + " :outputTokens, :costs, :errors, :safetyFlags, :feedback)"
          + " AS x(r, p, v, u, t, l, it, ot, c, e, s, f)"
          + " ON CONFLICT (request_id) DO NOTHING")
  int insertObservationColumns(
      @Bind("requestIds") String[] requestIds,
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("units") String[] units,
      @Bind("timesMicros") Long[] timesMicros,
      @Bind("latencies") Double[] latencies,
      @Bind("inputTokens") Integer[] inputTokens,
      @Bind("outputTokens") Integer[] outputTokens,
      @Bind("costs") Double[] costs,
      @Bind("errors") Boolean[] errors,
      @Bind("safetyFlags") Boolean[] safetyFlags,
      @Bind("feedback") Short[] feedback);

  /** Observations must carry their time ({@link Observation#withTimeIfMissing}). */
  default IngestResult insertObservations(List<Observation> batch) {
    int n = batch.size();
    String[] requestIds = new String[n];
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    String[] units = new String[n];
    Long[] times = new Long[n];
    Double[] latencies = new Double[n];
    Integer[] inputTokens = new Integer[n];
    Integer[] outputTokens = new Integer[n];
    Double[] costs = new Double[n];
    Boolean[] errors = new Boolean[n];
    Boolean[] safetyFlags = new Boolean[n];
    Short[] feedback = new Short[n];
    for (int i = 0; i < n; i++) {
      Observation o = batch.get(i);
      requestIds[i] = o.requestId();
      prompts[i] = o.prompt();
      versions[i] = o.version();
      units[i] = o.unit();
      times[i] = EpochMicros.of(o.observedAt());
      latencies[i] = o.latencyMs();
      inputTokens[i] = o.inputTokens();
      outputTokens[i] = o.outputTokens();
      costs[i] = o.cost();
      errors[i] = o.error();
      safetyFlags[i] = o.safetyFlag();
      feedback[i] = o.feedback() == null ? null : o.feedback().shortValue();
    }
    int inserted =
        insertObservationColumns(
            requestIds, prompts, versions, units, times, latencies, inputTokens, outputTokens, costs, errors,
            safetyFlags, feedback);
    return new IngestResult(inserted, n - inserted);
  }

  @SqlUpdate(
      "INSERT INTO judgements (request_id, judge, prompt, version, score, judged_at)"
          + " SELECT r, j, p, v, s, " + OutcomeDao.MICROS_TO_TIMESTAMP
          + " FROM unnest(:requestIds, :judges, :prompts, :versions, :scores, :timesMicros)"
          + " AS x(r, j, p, v, s, t)"
          + " ON CONFLICT (request_id, judge) DO NOTHING")
  int insertJudgementColumns(
      @Bind("requestIds") String[] requestIds,
      @Bind("judges") String[] judges,
      @Bind("prompts") String[] prompts,
      @Bind("versions") Integer[] versions,
      @Bind("scores") Double[] scores,
      @Bind("timesMicros") Long[] timesMicros);

  /** Judgements must carry their time ({@link Judgement#withTimeIfMissing}). */
  default IngestResult insertJudgements(List<Judgement> batch) {
    int n = batch.size();
    String[] requestIds = new String[n];
    String[] judges = new String[n];
    String[] prompts = new String[n];
    Integer[] versions = new Integer[n];
    Double[] scores = new Double[n];
    Long[] times = new Long[n];
    for (int i = 0; i < n; i++) {
      Judgement j = batch.get(i);
      requestIds[i] = j.requestId();
      judges[i] = j.judge();
      prompts[i] = j.prompt();
      versions[i] = j.version();
      scores[i] = j.score();
      times[i] = EpochMicros.of(j.judgedAt());
    }
    int inserted = insertJudgementColumns(requestIds, judges, prompts, versions, scores, times);
    return new IngestResult(inserted, n - inserted);
  }

  /** Stores a judge attempt that gave no score; a second failure of the same request and judge is ignored. */
  default boolean insertJudgeFailure(JudgeFailure f) {
    String reason = f.reason() == null ? "" : f.reason();
    return insertJudgeFailureRow(f.requestId(), f.judge(), f.prompt(), f.version(),
        reason.length() > 500 ? reason.substring(0, 500) : reason, f.failedAt()) == 1;
  }

  @SqlUpdate(
      "INSERT INTO judge_failures (request_id, judge, prompt, version, reason, failed_at)"
          + " VALUES (:requestId, :judge, :prompt, :version, :reason, :failedAt)"
          + " ON CONFLICT (request_id, judge) DO NOTHING")
  int insertJudgeFailureRow(
      @Bind("requestId") String requestId,
      @Bind("judge") String judge,
      @Bind("prompt") String prompt,
      @Bind("version") int version,
      @Bind("reason") String reason,
      @Bind("failedAt") java.time.Instant failedAt);
}
