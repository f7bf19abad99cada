-- API keys with roles, and an audit log that can be read and never rewritten.
-- (V9, not V8: a parallel change may take V8.)

-- Only a hash of each secret is stored: the secret itself is shown once, when it is created.
-- Names are what the audit log calls the key's holder, so two live keys never share one.
CREATE TABLE api_keys (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$'),
    role        text        NOT NULL CHECK (role IN ('client', 'reader', 'deployer', 'admin')),
    secret_hash text        NOT NULL UNIQUE,
    prefix      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text,
    replaced_by bigint      REFERENCES api_keys (id)
);
CREATE UNIQUE INDEX api_keys_one_live_per_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Who, in which role, why, and the state before and after, as columns the API can filter and show.
ALTER TABLE audit_log
    ADD COLUMN role   text,
    ADD COLUMN reason text,
    ADD COLUMN before jsonb,
    ADD COLUMN after  jsonb;
UPDATE audit_log SET reason = details ->> 'reason', before = details -> 'before', after = details -> 'after';
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
CREATE INDEX audit_log_by_time ON audit_log (at, id);

-- Append-only: the database refuses to change or remove an entry.
CREATE FUNCTION reject_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION reject_audit_change();
