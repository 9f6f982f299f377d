-- 0007: each village's resident list (platform 2's village roll-up), one row per resident, instead of the
-- whole list inside the village grain's state. A village grain upserts only the rows that changed since its
-- last flush (grouped with other villages' rows into one statement: group commit) and reads its rows once on
-- activation. A row is a projection of the resident grain, which stays the record; version is the resident's
-- summary version, so an older summary never overwrites a newer one. payload is the Orleans binary
-- serialisation of ResidentSummary (pseudonymous key, masked ID number, name, code state, marks): no ID or
-- phone number in clear.
CREATE TABLE IF NOT EXISTS village_resident
(
    village_code text        NOT NULL,
    resident_key text        NOT NULL,
    version      bigint      NOT NULL,
    payload      bytea       NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (village_code, resident_key)
);
