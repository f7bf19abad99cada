-- promptcanary foundation schema: prompt registry, routing, outcomes, rollout read model, audit log.

CREATE TABLE prompts (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Versions are immutable: the trigger below rejects every UPDATE, and no code path deletes one.
CREATE TABLE prompt_versions (
    prompt        text        NOT NULL REFERENCES prompts (name),
    version       integer     NOT NULL CHECK (version >= 1),
    content_hash  text        NOT NULL,
    system_prompt text        NOT NULL,
    few_shot      jsonb       NOT NULL DEFAULT '[]',
    template      text        NOT NULL,
    variables     jsonb       NOT NULL DEFAULT '[]',
    model         text        NOT NULL,
    parameters    jsonb       NOT NULL DEFAULT '{}',
    author        text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (prompt, version),
    UNIQUE (prompt, content_hash)
);

CREATE FUNCTION reject_prompt_version_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'prompt versions are immutable (% v%)', OLD.prompt, OLD.version;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER prompt_versions_immutable
    BEFORE UPDATE ON prompt_versions
    FOR EACH ROW EXECUTE FUNCTION reject_prompt_version_update();

-- One row per prompt: what resolve serves. Every write is fenced by fence_seq (strictly increasing).
CREATE TABLE routing (
    prompt          text        PRIMARY KEY REFERENCES prompts (name),
    stable_version  integer     NOT NULL,
    canary_version  integer,
    canary_weight_bp integer    NOT NULL DEFAULT 0 CHECK (canary_weight_bp BETWEEN 0 AND 10000),
    rollout_id      text,
    fence_seq       bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (prompt, stable_version) REFERENCES prompt_versions (prompt, version),
    FOREIGN KEY (prompt, canary_version) REFERENCES prompt_versions (prompt, version),
    CHECK (canary_version IS NOT NULL OR canary_weight_bp = 0),
    CHECK (canary_version IS DISTINCT FROM stable_version)
);

-- Every node keeps routing in memory; this tells them all at commit time which prompt to reload.
CREATE FUNCTION notify_routing_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('promptcanary_routing', NEW.prompt);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER routing_changed
    AFTER INSERT OR UPDATE ON routing
    FOR EACH ROW EXECUTE FUNCTION notify_routing_change();

CREATE TABLE observations (
    request_id    text             PRIMARY KEY,
    prompt        text             NOT NULL,
    version       integer          NOT NULL,
    unit          text,
    observed_at   timestamptz      NOT NULL,
    latency_ms    double precision NOT NULL CHECK (latency_ms >= 0),
    input_tokens  integer          CHECK (input_tokens >= 0),
    output_tokens integer          CHECK (output_tokens >= 0),
    cost          double precision CHECK (cost >= 0),
    error         boolean          NOT NULL DEFAULT false,
    safety_flag   boolean          NOT NULL DEFAULT false,
    feedback      smallint         CHECK (feedback BETWEEN -1 AND 1),
    FOREIGN KEY (prompt, version) REFERENCES prompt_versions (prompt, version)
);
CREATE INDEX observations_by_version_time ON observations (prompt, version, observed_at);

CREATE TABLE judgements (
    request_id text             NOT NULL,
    judge      text             NOT NULL,
    prompt     text             NOT NULL,
    version    integer          NOT NULL,
    score      double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
    judged_at  timestamptz      NOT NULL,
    PRIMARY KEY (request_id, judge),
    FOREIGN KEY (prompt, version) REFERENCES prompt_versions (prompt, version)
);
CREATE INDEX judgements_by_version_time ON judgements (prompt, version, judged_at);

-- The read model of each rollout, kept current by the rollout's activities; lists never ask Temporal.
CREATE TABLE rollouts (
    id                text        PRIMARY KEY,
    prompt            text        NOT NULL REFERENCES prompts (name),
    candidate_version integer     NOT NULL,
    baseline_version  integer     NOT NULL,
    state             text        NOT NULL,
    stage             integer     NOT NULL DEFAULT 0,
    canary_weight_bp  integer     NOT NULL DEFAULT 0,
    spec              jsonb       NOT NULL,
    workflow_id       text        NOT NULL,
    run_id            text,
    reason            text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    FOREIGN KEY (prompt, candidate_version) REFERENCES prompt_versions (prompt, version)
);
CREATE INDEX rollouts_by_prompt ON rollouts (prompt, created_at DESC);
CREATE INDEX rollouts_by_state ON rollouts (state, created_at DESC);

CREATE TABLE audit_log (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    action     text        NOT NULL,
    prompt     text,
    rollout_id text,
    details    jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_rollout ON audit_log (rollout_id, at);
CREATE INDEX audit_log_by_prompt ON audit_log (prompt, at);
