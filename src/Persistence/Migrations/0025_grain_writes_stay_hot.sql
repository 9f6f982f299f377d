-- 0025: every grain write is a HOT update again (no index change), as migration 0002's fillfactor intends.
-- PostgreSQL 15 updates in place on the page only when no index refers to a column the update changes, and that
-- includes a partial index's predicate. 0013's orleans_grain_state_cleared (modified_at, WHERE payload IS NULL)
-- refers to both columns every write changes: at the city, 0 of 7.1M grain writes were HOT, each one inserted into
-- the 735 MB key index and wrote ~40 % more WAL. The retention job now finds cleared rows by reading the table once a
-- day, one slice of pages per statement (PostgresRetentionStore.DeleteClearedGrainStateAsync).
DROP INDEX IF EXISTS orleans_grain_state_cleared;
