-- Rollout workflows: their checkpoint (to resume without Temporal history), the last known good version,
-- idempotent audit and alert records, and one active rollout per prompt.

ALTER TABLE rollouts
    ADD COLUMN checkpoint          jsonb,
    ADD COLUMN resumed_from_run_id text,
    ADD COLUMN recorded_at_millis  bigint NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX one_active_rollout_per_prompt ON rollouts (prompt)
    WHERE state IN ('PENDING_EVAL', 'CANARY', 'PAUSED');

ALTER TABLE routing ADD COLUMN last_known_good_version integer;

-- Activities are retried; a retry of the same activity carries the same key and adds nothing.
ALTER TABLE audit_log ADD COLUMN dedupe_key text UNIQUE;

CREATE TABLE alerts (
    id           bigserial   PRIMARY KEY,
    dedupe_key   text        NOT NULL UNIQUE,
    rollout_id   text        NOT NULL,
    prompt       text        NOT NULL,
    event        text        NOT NULL,
    state        text        NOT NULL,
    reason       text        NOT NULL,
    verdict      jsonb,
    webhook      text,
    at           timestamptz NOT NULL,
    delivered_at timestamptz
);
CREATE INDEX alerts_by_rollout ON alerts (rollout_id, at);
