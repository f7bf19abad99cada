-- The request id of a person's control (one per API call, or the client's own), carried through the
-- workflow into the entry its activity writes: the API answers a control the run ended before
-- answering as done only when this entry exists. One entry per control request, however often the
-- activity that writes it is retried or the client sends the request again.
ALTER TABLE audit_log ADD COLUMN request_id text;
CREATE UNIQUE INDEX audit_log_one_entry_per_control_request ON audit_log (rollout_id, request_id)
    WHERE request_id IS NOT NULL;
