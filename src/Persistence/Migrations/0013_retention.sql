-- 0013: retention and erasure (docs/data-governance.md). The daily job finds what is due through these indexes, one
-- bounded batch per statement, without scanning the whole tables.

-- Closed and rejected tickets by the time they ended (open tickets have a due_at and are never due).
CREATE INDEX IF NOT EXISTS tickets_ended_at ON tickets ((coalesce(closed_at, rejected_at, updated_at)), number) WHERE due_at IS NULL;

-- Grain-state rows whose state was cleared (an erased resident, a forgotten ticket or trip): only the key and the
-- version are left; the job deletes them a day later, when no activation can still hold the old version.
CREATE INDEX IF NOT EXISTS orleans_grain_state_cleared ON orleans_grain_state (modified_at) WHERE payload IS NULL;
