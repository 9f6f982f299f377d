-- 0002: Orleans grain state (Microsoft.Orleans.Persistence.AdoNet).
--
-- One row per (service, grain type, grain id). The provider hands us the grain id split into
-- two hashes, two 64-bit halves and an optional string (string keys and key extensions); the
-- natural key is all of them. PostgreSQL 15's NULLS NOT DISTINCT lets that key be a real unique
-- constraint even though the string part is NULL for plain integer/GUID keys, so the first
-- write of two racing activations is settled by the constraint instead of by table locks.
--
-- ETag = version: an integer the provider echoes back. A write or clear must name the version
-- it read; a stale one changes nothing and the provider raises InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    grain_id_hash      integer     NOT NULL,
    grain_type_hash    integer     NOT NULL,
    service_id         text        NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_extension text        NULL,
    payload            bytea       NULL,      -- NULL after ClearState (row and version are kept)
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_key UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_extension)
)
-- Every write rewrites the row; free space on the page lets PostgreSQL do it as a HOT update
-- (no index change), which is most of the cost of a state write.
WITH (fillfactor = 80);

-- Returns the new version, or: the caller's version unchanged (stale ETag on update), or NULL
-- (someone else inserted first). Both tell the provider the write did not happen.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_grain_id_hash      integer,
    p_grain_id_n0        bigint,
    p_grain_id_n1        bigint,
    p_grain_type_hash    integer,
    p_grain_type         text,
    p_grain_id_extension text,
    p_service_id         text,
    p_version            integer,
    p_payload            bytea)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    v_new integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleans_grain_state
            (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type,
             grain_id_extension, payload, version)
        VALUES
            (p_grain_id_hash, p_grain_type_hash, p_service_id, p_grain_id_n0, p_grain_id_n1,
             p_grain_type, p_grain_id_extension, p_payload, 1)
        ON CONFLICT ON CONSTRAINT orleans_grain_state_key DO NOTHING
        RETURNING version INTO v_new;
        RETURN v_new;
    END IF;

    UPDATE orleans_grain_state
       SET payload = p_payload,
           version = version + 1,
           modified_at = now()
     WHERE grain_id_hash = p_grain_id_hash
       AND grain_type_hash = p_grain_type_hash
       AND service_id = p_service_id
       AND grain_id_n0 = p_grain_id_n0
       AND grain_id_n1 = p_grain_id_n1
       AND grain_type = p_grain_type
       AND grain_id_extension IS NOT DISTINCT FROM p_grain_id_extension
       AND version = p_version
    RETURNING version INTO v_new;
    RETURN coalesce(v_new, p_version);
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', $q$
    SELECT orleans_grain_state_write(
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
        @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"
$q$),
('ReadFromStorageKey', $q$
    SELECT payload AS "PayloadBinary",
           version AS "Version"
      FROM orleans_grain_state
     WHERE grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
-- Keeps the row and bumps the version, so a later write with the old ETag still conflicts.
('ClearStorageKey', $q$
    UPDATE orleans_grain_state
       SET payload = NULL,
           version = version + 1,
           modified_at = now()
     WHERE grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
       AND version = @GrainStateVersion
    RETURNING version AS "NewGrainStateVersion"
$q$),
-- Used when DeleteStateOnClear is set: returns version + 1 so the provider sees a change.
('DeleteStorageKey', $q$
    DELETE FROM orleans_grain_state
     WHERE grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
       AND version = @GrainStateVersion
    RETURNING version + 1 AS "NewGrainStateVersion"
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
