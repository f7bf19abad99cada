-- Analysis by randomisation unit (issue 10).
--
-- 1. A request id is unique per prompt, not across prompts: one app request may use two prompts. Observations are
--    keyed (prompt, request_id), judgements and judge failures (prompt, request_id, judge).
-- 2. Every observation has a unit. A request reported without one is its own unit, named chr(31) || 'request:' ||
--    request_id: the ingest API refuses control characters in units, so no real unit can take that name.
-- 3. Judgements and judge failures carry the unit and the time their request was served, when known at ingest
--    (sent by the client, or taken from the observation or transcript of the same request); otherwise the look joins
--    them to the observation.
-- 4. unit_exposures holds each unit's first exposure per prompt (the version it was first served and when),
--    maintained at ingest; out-of-order arrival keeps the earliest.

ALTER TABLE observations DROP CONSTRAINT observations_pkey;
UPDATE observations SET unit = chr(31) || 'request:' || request_id WHERE unit IS NULL;
ALTER TABLE observations ALTER COLUMN unit SET NOT NULL;
ALTER TABLE observations ADD PRIMARY KEY (prompt, request_id);
CREATE INDEX observations_by_unit ON observations (prompt, unit, version);

ALTER TABLE judgements DROP CONSTRAINT judgements_pkey;
ALTER TABLE judgements ADD COLUMN unit text, ADD COLUMN served_at timestamptz;
UPDATE judgements j SET unit = o.unit, served_at = o.observed_at
  FROM observations o WHERE o.prompt = j.prompt AND o.request_id = j.request_id;
ALTER TABLE judgements ADD PRIMARY KEY (prompt, request_id, judge);

ALTER TABLE judge_failures DROP CONSTRAINT judge_failures_pkey;
ALTER TABLE judge_failures ADD COLUMN unit text, ADD COLUMN served_at timestamptz;
UPDATE judge_failures f SET unit = o.unit, served_at = o.observed_at
  FROM observations o WHERE o.prompt = f.prompt AND o.request_id = f.request_id;
ALTER TABLE judge_failures ADD PRIMARY KEY (prompt, request_id, judge);

CREATE TABLE unit_exposures (
    prompt          text        NOT NULL,
    unit            text        NOT NULL,
    first_version   integer     NOT NULL,
    first_served_at timestamptz NOT NULL,
    PRIMARY KEY (prompt, unit),
    FOREIGN KEY (prompt, first_version) REFERENCES prompt_versions (prompt, version)
);
CREATE INDEX unit_exposures_by_time ON unit_exposures (prompt, first_served_at);

-- Ties on the time go to the lower version, so the result does not depend on the order rows arrive in.
INSERT INTO unit_exposures (prompt, unit, first_version, first_served_at)
SELECT DISTINCT ON (prompt, unit) prompt, unit, version, observed_at
  FROM observations ORDER BY prompt, unit, observed_at, version;

-- A stage's latency cuts (the baseline's quantiles), computed once and reused by every look of the stage, so the
-- tested quantity is fixed for the stage and its always-valid guarantee holds.
CREATE TABLE latency_cuts (
    rollout_id      text             NOT NULL,
    stage_since     timestamptz      NOT NULL,
    quantile        double precision NOT NULL CHECK (quantile > 0 AND quantile < 1),
    cut_ms          double precision NOT NULL CHECK (cut_ms >= 0),
    basis           text             NOT NULL CHECK (basis IN ('before_stage', 'in_stage')),
    sample_size     integer          NOT NULL,
    computed_at     timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, stage_since, quantile)
);
