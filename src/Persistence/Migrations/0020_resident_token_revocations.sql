-- The revocation list of resident tokens (issue 20): a phone's tokens below `generation` stopped working at
-- `revoked_at` (sign-out everywhere, or an erasure unlinking the phone). The phone directory grain holds the truth;
-- every API process keeps this list in memory and reads what changed each second, instead of activating the phone's
-- grain on every resident request. Keyed by the phone's pseudonymous key (never the number). Rows older than the
-- resident token lifetime are pruned: every token they stopped has expired.
CREATE TABLE IF NOT EXISTS resident_token_revocations
(
    phone_key  text        PRIMARY KEY,
    generation integer     NOT NULL CHECK (generation > 0),
    revoked_at timestamptz NOT NULL
);

-- The readers' "what changed since" and the pruning both go by time.
CREATE INDEX IF NOT EXISTS resident_token_revocations_by_time ON resident_token_revocations (revoked_at);
