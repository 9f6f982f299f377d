-- 0004: the project's own tables.

-- Append-only audit trail. subject_key is the pseudonymous key of the person concerned (a keyed
-- hash), never a clear ID number: this table is read by operators and exported.
CREATE TABLE IF NOT EXISTS audit_log
(
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    text        NOT NULL,
    actor_role  text        NOT NULL,
    action      text        NOT NULL,
    subject_key text        NULL,
    region_code text        NULL,
    detail      jsonb       NULL
);

-- "Everything that happened to this person" and "everything in this time window".
CREATE INDEX IF NOT EXISTS audit_log_by_subject ON audit_log (subject_key, at);
CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (at);

-- Staff accounts are grains (StaffAccountGrain) whose state lives in orleans_grain_state.
