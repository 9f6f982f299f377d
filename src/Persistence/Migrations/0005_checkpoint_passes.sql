-- 0005: platform 5, checkpoint passes.

-- One append-only row per registered pass (repeated scans within the duplicate window too, marked by
-- duplicate_of). resident_key is the pseudonymous key (a keyed hash), never an ID number; masked_name is
-- the name as staff see it (张*丰). Written in batches with COPY by PostgresPassStore; rows older than
-- Checkpoints:RetentionDays are deleted by the retention job.
CREATE TABLE IF NOT EXISTS checkpoint_passes
(
    id            bigserial   PRIMARY KEY,
    pass_id       uuid        NOT NULL,
    checkpoint_id text        NOT NULL,
    region_code   text        NOT NULL,
    resident_key  text        NOT NULL,
    masked_name   text        NOT NULL,
    direction     text        NOT NULL CHECK (direction IN ('In', 'Out')),
    at            timestamptz NOT NULL,
    colour_seen   text        NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('Allowed', 'Check', 'Refused')),
    reason_code   text        NOT NULL,
    staff         text        NOT NULL,
    method        text        NOT NULL,
    duplicate_of  uuid        NULL
);

-- A checkpoint's day (counters on activation, lists, exports); a person's passes; retention by age.
CREATE INDEX IF NOT EXISTS checkpoint_passes_by_checkpoint ON checkpoint_passes (checkpoint_id, at);
CREATE INDEX IF NOT EXISTS checkpoint_passes_by_resident ON checkpoint_passes (resident_key, at);
CREATE INDEX IF NOT EXISTS checkpoint_passes_by_time ON checkpoint_passes (at);

-- Per checkpoint per day (Asia/Shanghai): kept after the pass rows are deleted. Upserted by the checkpoint
-- grain (coalesced, at most about once a second while passes arrive, and at day close).
CREATE TABLE IF NOT EXISTS checkpoint_daily
(
    checkpoint_id text        NOT NULL,
    day           date        NOT NULL,
    region_code   text        NOT NULL,
    entries       integer     NOT NULL,
    exits         integer     NOT NULL,
    red_seen      integer     NOT NULL,
    yellow_seen   integer     NOT NULL,
    refused       integer     NOT NULL,
    duplicates    integer     NOT NULL,
    passes        integer     NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (checkpoint_id, day)
);
CREATE INDEX IF NOT EXISTS checkpoint_daily_by_region ON checkpoint_daily (region_code, day);
