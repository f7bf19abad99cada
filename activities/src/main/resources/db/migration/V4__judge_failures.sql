-- Judge attempts that gave no score (an unparseable answer, a timeout, a failed call): the judge-health gate
-- compares them with the scores in judgements, per prompt version and stage, and holds a rollout whose judge fails
-- too often. One row per request and judge, like judgements, so a resent transcript is counted once.
CREATE TABLE judge_failures (
    request_id text        NOT NULL,
    judge      text        NOT NULL,
    prompt     text        NOT NULL,
    version    integer     NOT NULL,
    reason     text        NOT NULL,
    failed_at  timestamptz NOT NULL,
    PRIMARY KEY (request_id, judge),
    FOREIGN KEY (prompt, version) REFERENCES prompt_versions (prompt, version)
);
CREATE INDEX judge_failures_by_version_time ON judge_failures (prompt, version, failed_at);

-- Eval runs are keyed by rollout id alone from now on (V3 also keyed them by workflow run), so a rollout restarted
-- from its checkpoint resumes its eval instead of starting it over.
