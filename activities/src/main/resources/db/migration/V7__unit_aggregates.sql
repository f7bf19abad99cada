-- Per-unit aggregates kept at ingest, so that a look reads one row per unit of its stage instead of every request
-- (issue 10, item 7). Every ingest statement adds only the rows its insert actually stored (INSERT ... ON CONFLICT
-- DO NOTHING RETURNING feeding an upsert, in the same statement), so a retried batch adds nothing, and every upsert
-- adds (x = x + excluded.x), so concurrent batches from several API nodes compose. docs/statistics.md ("What a look
-- reads") has the argument.

-- One row per (prompt, version, unit): the unit's requests on that version and their sums.
CREATE TABLE unit_sums (
    prompt      text             NOT NULL,
    version     integer          NOT NULL,
    unit        text             NOT NULL,
    requests    bigint           NOT NULL,
    errors      bigint           NOT NULL,
    safety      bigint           NOT NULL,
    cost_n      bigint           NOT NULL,
    cost_s      double precision NOT NULL,
    feedback_n  bigint           NOT NULL,
    feedback_s  bigint           NOT NULL,
    PRIMARY KEY (prompt, version, unit)
) WITH (fillfactor = 90);

-- Per judge: the unit's scores (count and sum) and failed attempts, for judgements whose unit is known (their own,
-- or their observation's). A judgement stored before its observation has no unit and is not here; the observation's
-- insert gives it its unit and adds it (same transaction). One that raced its observation (each committed unseen by
-- the other) keeps no unit, and the look adds it from the raw rows through the partial indexes below.
CREATE TABLE unit_judge_sums (
    prompt      text             NOT NULL,
    version     integer          NOT NULL,
    unit        text             NOT NULL,
    judge       text             NOT NULL,
    scores      bigint           NOT NULL,
    score_sum   double precision NOT NULL,
    failures    bigint           NOT NULL,
    PRIMARY KEY (prompt, version, unit, judge)
) WITH (fillfactor = 90);
-- The look counts a judge's failures from here: few rows.
CREATE INDEX unit_judge_sums_with_failures ON unit_judge_sums (prompt, judge, version) WHERE failures > 0;

-- Per metric name: the unit's values (count and sum).
CREATE TABLE unit_metric_sums (
    prompt      text             NOT NULL,
    version     integer          NOT NULL,
    unit        text             NOT NULL,
    name        text             NOT NULL,
    n           bigint           NOT NULL,
    s           double precision NOT NULL,
    PRIMARY KEY (prompt, version, unit, name)
) WITH (fillfactor = 90);

CREATE INDEX judgements_without_unit ON judgements (prompt, request_id) WHERE unit IS NULL;
CREATE INDEX judgements_without_unit_by_time ON judgements (prompt, judged_at) WHERE unit IS NULL;
CREATE INDEX judge_failures_without_unit ON judge_failures (prompt, request_id) WHERE unit IS NULL;
CREATE INDEX judge_failures_without_unit_by_time ON judge_failures (prompt, failed_at) WHERE unit IS NULL;

-- Latency exceedances against a stage's frozen cuts (latency_cuts). A track is one stage's cuts for one prompt and
-- its two versions; from the moment it exists every observation of those versions served at or after its start adds
-- to unit_latency (requests, and per cut the requests slower than it). When a look first uses a stage's cuts it
-- creates the track and backfills it from the stage's observations in one transaction holding the prompt's
-- exclusive advisory lock, while every observation batch holds the shared one before it reads the tracks: each
-- observation is counted exactly once, by the backfill or by its batch. Creating a track retires the prompt's
-- tracks of earlier stages and deletes their rows.
CREATE TABLE latency_tracks (
    id          bigserial          PRIMARY KEY,
    prompt      text               NOT NULL,
    since       timestamptz        NOT NULL,
    versions    integer[]          NOT NULL,
    cuts        double precision[] NOT NULL,
    created_at  timestamptz        NOT NULL DEFAULT now(),
    UNIQUE (prompt, since, versions, cuts)
);

CREATE TABLE unit_latency (
    track       bigint   NOT NULL, -- latency_tracks.id; no foreign key, so ingest takes no lock on the track
    version     integer  NOT NULL,
    unit        text     NOT NULL,
    requests    bigint   NOT NULL,
    above       bigint[] NOT NULL,
    PRIMARY KEY (track, version, unit)
) WITH (fillfactor = 90);

-- How many of the latencies are above each cut, in the cuts' order.
CREATE FUNCTION latency_above_counts(latencies double precision[], cuts double precision[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg((SELECT count(*) FROM unnest(latencies) AS l(v) WHERE l.v > k.c) ORDER BY k.i),
                    '{}'::bigint[])
      FROM unnest(cuts) WITH ORDINALITY AS k(c, i)
$$;

-- Element-wise sum of two count arrays of the same length.
CREATE FUNCTION add_counts(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(x + y ORDER BY i), '{}'::bigint[]) FROM unnest(a, b) WITH ORDINALITY AS z(x, y, i)
$$;

-- Backfill from the rows already stored. Scores and failures stored before their observation get its unit now.
UPDATE judgements j SET unit = o.unit, served_at = o.observed_at
  FROM observations o WHERE j.unit IS NULL AND o.prompt = j.prompt AND o.request_id = j.request_id;
UPDATE judge_failures f SET unit = o.unit, served_at = o.observed_at
  FROM observations o WHERE f.unit IS NULL AND o.prompt = f.prompt AND o.request_id = f.request_id;

INSERT INTO unit_sums (prompt, version, unit, requests, errors, safety, cost_n, cost_s, feedback_n, feedback_s)
SELECT prompt, version, unit, count(*), count(*) FILTER (WHERE error), count(*) FILTER (WHERE safety_flag),
       count(cost), coalesce(sum(cost), 0), count(feedback), coalesce(sum(feedback), 0)
  FROM observations GROUP BY prompt, version, unit;

INSERT INTO unit_judge_sums (prompt, version, unit, judge, scores, score_sum, failures)
SELECT prompt, version, unit, judge, sum(scores), sum(score_sum), sum(failures)
  FROM (SELECT prompt, version, unit, judge, 1 AS scores, score AS score_sum, 0 AS failures
          FROM judgements WHERE unit IS NOT NULL
        UNION ALL
        SELECT prompt, version, unit, judge, 0, 0, 1 FROM judge_failures WHERE unit IS NOT NULL) AS items
 GROUP BY prompt, version, unit, judge;

INSERT INTO unit_metric_sums (prompt, version, unit, name, n, s)
SELECT prompt, version, unit, name, count(*), sum(value) FROM outcome_metrics GROUP BY prompt, version, unit, name;

-- A look's units come from here: the same key as V5's index, with the columns the look reads, so a stage's units
-- are read from the index alone however long the prompt's history.
CREATE INDEX unit_exposures_by_time_with_version ON unit_exposures (prompt, first_served_at)
    INCLUDE (first_version, unit);
DROP INDEX unit_exposures_by_time;
