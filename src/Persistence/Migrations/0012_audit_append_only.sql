-- 0012: the audit trail is append-only for everyone, and indexed for the audit reader (docs/security.md).

-- Keyset paging orders by (at desc, id desc); every filter the reader offers has an index that ends in (at, id),
-- so a page is one ordered index range scan, however deep. The old (at) and (subject_key, at) indexes are
-- replaced by the same columns plus id.
CREATE INDEX IF NOT EXISTS audit_log_by_time_id ON audit_log (at, id);
CREATE INDEX IF NOT EXISTS audit_log_by_subject_time ON audit_log (subject_key, at, id) WHERE subject_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_log_by_actor_time ON audit_log (actor_id, at, id);
CREATE INDEX IF NOT EXISTS audit_log_by_action_time ON audit_log (action, at, id);
CREATE INDEX IF NOT EXISTS audit_log_by_region_time ON audit_log (region_code, at, id) WHERE region_code IS NOT NULL;
-- Break-the-glass entries are rare and reviewed on their own tab.
CREATE INDEX IF NOT EXISTS audit_log_break_glass ON audit_log (at, id) WHERE action LIKE 'break-glass.%';
DROP INDEX IF EXISTS audit_log_by_time;
DROP INDEX IF EXISTS audit_log_by_subject;

-- No UPDATE, DELETE or TRUNCATE, whoever asks. A trigger binds the table's owner and superusers too, which
-- privileges alone do not (the local cluster's application user is its bootstrap superuser).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege', HINT = 'The audit trail is never changed or deleted (docs/security.md).';
END
$$;

DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The writer: a role that may only INSERT into audit_log. The application switches to it (SET ROLE) for each
-- batch it writes (PostgresAuditLog), so the trail is written by a role without UPDATE, DELETE or TRUNCATE
-- rights, and the owner's own rights to change rows are revoked as well. Roles belong to the whole PostgreSQL
-- cluster: several databases on one server share it. A migrating user that may not create roles still migrates
-- (the trigger above is the guarantee); the application then writes as itself and logs a warning.
DO $$
BEGIN
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sanmenxia_audit_writer') THEN
            CREATE ROLE sanmenxia_audit_writer NOLOGIN;
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another database's migration created it at the same moment
    END;
    GRANT INSERT ON audit_log TO sanmenxia_audit_writer;
    GRANT USAGE ON SEQUENCE audit_log_id_seq TO sanmenxia_audit_writer;
    EXECUTE format('GRANT sanmenxia_audit_writer TO %I', current_user);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'audit_log: no audit writer role (%): the append-only trigger still holds', SQLERRM;
END
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', current_user);
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;
