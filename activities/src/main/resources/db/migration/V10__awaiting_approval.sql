-- A rollout waiting for a person's approval is still active: it owns its prompt's routing like a
-- running or paused one, so a second rollout of the prompt stays refused.
DROP INDEX one_active_rollout_per_prompt;
CREATE UNIQUE INDEX one_active_rollout_per_prompt ON rollouts (prompt)
    WHERE state IN ('PENDING_EVAL', 'CANARY', 'PAUSED', 'AWAITING_APPROVAL');
