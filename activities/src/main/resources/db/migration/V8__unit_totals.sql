-- Running totals of the per-unit sums, per minute of first exposure (issue 10, item 7), so that a look reads a few
-- rows per minute of its stage instead of one row per unit.
--
-- A unit contributes to the totals of (prompt, its first version, the minute of its first exposure): one 'exposed'
-- unit; from its unit_sums row on that version the moments of errors, safety flags, cost and feedback; from each
-- unit_judge_sums row with scores the moments of that judge's scores ('score:' || judge); and from each unit_latency
-- row on that version the exceedances of each cut of the track ('latency:' || track || ':' || cut index). The
-- moments are (units with an item, sum N, sum S, sum N^2, sum S^2, sum N S), as the look sums them per unit.
--
-- Ingest keeps them: every statement that changes a unit's row adds contribution(new row) - contribution(old row)
-- (and a unit whose first exposure moves to another version or minute takes its whole contribution along), in the
-- same transaction as the change. Every change to a unit's rows happens while the transaction holds the lock of the
-- unit's unit_exposures row, so the old row it reads is the row it replaces; the totals are added last in every
-- ingest transaction, in key order. A look sums the minutes wholly inside its stage and reads the units of the
-- minute the stage started in per unit. docs/statistics.md ("What a look reads") has the argument.
CREATE TABLE unit_totals (
    prompt  text             NOT NULL,
    version integer          NOT NULL,
    bucket  timestamptz      NOT NULL, -- the minute of the units' first exposure (unit_bucket)
    metric  text             NOT NULL,
    units   bigint           NOT NULL,
    n       double precision NOT NULL,
    s       double precision NOT NULL,
    nn      double precision NOT NULL,
    ss      double precision NOT NULL,
    ns      double precision NOT NULL,
    PRIMARY KEY (prompt, version, bucket, metric)
) WITH (fillfactor = 70);

-- The minute a first exposure falls in, whatever the session's time zone.
CREATE FUNCTION unit_bucket(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin(interval '1 minute', t, timestamptz '1970-01-01 00:00:00+00')
$$;

-- What one unit_sums row contributes: the moments of errors, safety flags, cost and feedback.
CREATE FUNCTION arm_contributions(requests bigint, errors bigint, safety bigint, cost_n bigint,
                                  cost_s double precision, feedback_n bigint, feedback_s bigint)
    RETURNS TABLE (metric text, units bigint, n double precision, s double precision, nn double precision,
                   ss double precision, ns double precision)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('errors', sign($1)::bigint, $1::float8, $2::float8, ($1 * $1)::float8, ($2 * $2)::float8,
            ($1 * $2)::float8),
           ('safety', sign($1)::bigint, $1::float8, $3::float8, ($1 * $1)::float8, ($3 * $3)::float8,
            ($1 * $3)::float8),
           ('cost', sign($4)::bigint, $4::float8, $5, ($4 * $4)::float8, $5 * $5, $4 * $5),
           ('feedback', sign($6)::bigint, $6::float8, $7::float8, ($6 * $6)::float8, ($7 * $7)::float8,
            ($6 * $7)::float8)
$$;

-- What one unit_latency row contributes per cut (its index from 1): the requests above it, their squares, and
-- their products with the unit's requests.
CREATE FUNCTION latency_contributions(requests bigint, above bigint[])
    RETURNS TABLE (cut bigint, s double precision, ss double precision, ns double precision)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.i, k.a::float8, (k.a * k.a)::float8, ($1 * k.a)::float8 FROM unnest($2) WITH ORDINALITY AS k(a, i)
$$;

-- Every contribution from the per-unit rows as they are: the backfill below, and a benchmark that loads rows with
-- SQL. Not for a live database (ingest keeps the totals; this does not lock).
CREATE FUNCTION rebuild_unit_totals() RETURNS void
    LANGUAGE sql AS $$
    DELETE FROM unit_totals;
    INSERT INTO unit_totals (prompt, version, bucket, metric, units, n, s, nn, ss, ns)
    SELECT prompt, version, bucket, metric, sum(units), sum(n), sum(s), sum(nn), sum(ss), sum(ns)
      FROM (SELECT e.prompt, e.first_version AS version, unit_bucket(e.first_served_at) AS bucket,
                   'exposed' AS metric, 1::bigint AS units, 0::float8 AS n, 0::float8 AS s, 0::float8 AS nn,
                   0::float8 AS ss, 0::float8 AS ns
              FROM unit_exposures e
            UNION ALL
            SELECT e.prompt, e.first_version, unit_bucket(e.first_served_at), c.metric, c.units, c.n, c.s, c.nn,
                   c.ss, c.ns
              FROM unit_exposures e
              JOIN unit_sums a ON a.prompt = e.prompt AND a.version = e.first_version AND a.unit = e.unit
             CROSS JOIN LATERAL arm_contributions(a.requests, a.errors, a.safety, a.cost_n, a.cost_s, a.feedback_n,
                                                  a.feedback_s) c
            UNION ALL
            SELECT e.prompt, e.first_version, unit_bucket(e.first_served_at), 'score:' || j.judge, 1, j.scores,
                   j.score_sum, (j.scores * j.scores)::float8, j.score_sum * j.score_sum, j.scores * j.score_sum
              FROM unit_exposures e
              JOIN unit_judge_sums j ON j.prompt = e.prompt AND j.version = e.first_version AND j.unit = e.unit
             WHERE j.scores > 0
            UNION ALL
            SELECT e.prompt, e.first_version, unit_bucket(e.first_served_at), 'latency:' || t.id || ':' || c.cut,
                   0, 0, c.s, 0, c.ss, c.ns
              FROM latency_tracks t
              JOIN unit_latency l ON l.track = t.id
              JOIN unit_exposures e ON e.prompt = t.prompt AND e.unit = l.unit AND e.first_version = l.version
             CROSS JOIN LATERAL latency_contributions(l.requests, l.above) c) AS contributions
     GROUP BY prompt, version, bucket, metric;
$$;

SELECT rebuild_unit_totals();
