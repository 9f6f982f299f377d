-- 0011: the Open311 GET requests search reads tickets by receipt time across the whole city (newest first); the
-- region-prefixed index of 0008 does not serve a search without a region.
CREATE INDEX IF NOT EXISTS tickets_by_created ON tickets (created_at DESC, number DESC);
