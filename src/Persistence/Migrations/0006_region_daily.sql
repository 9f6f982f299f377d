-- 0006: one row per region per day (platform 7's trend charts). A region or village upserts its row for
-- the current day as its counts change (at most about once a minute), so the day's last write is its
-- value at the close of the day. Rows are kept.
CREATE TABLE IF NOT EXISTS region_daily
(
    region_code text        NOT NULL,
    day         date        NOT NULL,
    counts      jsonb       NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region_code, day)
);
