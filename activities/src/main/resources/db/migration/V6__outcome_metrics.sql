-- The team's own outcome metrics (resolution, escalation, satisfaction, conversion, ...), reported per request or
-- per session (request_id '' : a value for the whole unit). One value per (prompt, unit, request, name): a retried
-- report is counted once. Summed per unit like every other metric, on the unit's first version.
CREATE TABLE outcome_metrics (
    prompt      text             NOT NULL,
    version     integer          NOT NULL,
    unit        text             NOT NULL,
    request_id  text             NOT NULL DEFAULT '',
    name        text             NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
    value       double precision NOT NULL CHECK (value > '-Infinity' AND value < 'Infinity'),
    observed_at timestamptz      NOT NULL,
    PRIMARY KEY (prompt, unit, request_id, name),
    FOREIGN KEY (prompt, version) REFERENCES prompt_versions (prompt, version)
);
