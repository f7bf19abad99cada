-- Offline eval suites (immutable, numbered versions like prompt versions), their runs and per-case results.
-- A case result is written as soon as the case finishes and is unique per (run, case, arm), so a run resumed
-- after a worker crash finds what is done and never calls the model for it again.

CREATE TABLE eval_suites (
    name          text        NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
    version       integer     NOT NULL CHECK (version >= 1),
    content_hash  text        NOT NULL,
    definition    jsonb       NOT NULL,
    author        text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version),
    UNIQUE (name, content_hash)
);

CREATE FUNCTION reject_eval_suite_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'eval suite versions are immutable (% v%)', OLD.name, OLD.version;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER eval_suites_immutable
    BEFORE UPDATE ON eval_suites
    FOR EACH ROW EXECUTE FUNCTION reject_eval_suite_update();

-- One row per eval run. run_key is the rollout id and, inside Temporal, the workflow run: a retried activity
-- carries the same key and resumes; a new rollout with the same id starts a new run.
CREATE TABLE eval_runs (
    id                bigserial   PRIMARY KEY,
    run_key           text        NOT NULL UNIQUE,
    rollout_id        text        NOT NULL,
    suite             text        NOT NULL,
    suite_version     integer     NOT NULL,
    prompt            text        NOT NULL,
    candidate_version integer     NOT NULL,
    baseline_version  integer,
    state             text        NOT NULL CHECK (state IN ('RUNNING', 'PASSED', 'BLOCKED')),
    reason            text,
    summary           jsonb,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    FOREIGN KEY (suite, suite_version) REFERENCES eval_suites (name, version)
);
CREATE INDEX eval_runs_by_rollout ON eval_runs (rollout_id, id);

CREATE TABLE eval_case_results (
    run_id        bigint           NOT NULL REFERENCES eval_runs (id),
    case_id       text             NOT NULL,
    arm           text             NOT NULL CHECK (arm IN ('candidate', 'baseline')),
    version       integer          NOT NULL,
    output        text             NOT NULL,
    assertions    jsonb            NOT NULL,
    judge_score   double precision CHECK (judge_score BETWEEN 0 AND 1),
    passed        boolean          NOT NULL,
    input_tokens  integer          NOT NULL DEFAULT 0,
    output_tokens integer          NOT NULL DEFAULT 0,
    cost          double precision NOT NULL DEFAULT 0,
    latency_ms    bigint           NOT NULL DEFAULT 0,
    model         text,
    finished_at   timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, case_id, arm)
);
