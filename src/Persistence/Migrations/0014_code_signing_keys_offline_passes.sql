-- 0014: public-key signed health codes (issue 18) and passes recorded offline at a checkpoint.

-- The ECDSA P-256 keys that sign health-code QR tokens (docs/security.md, docs/operations.md: key rotation). One row
-- per rotation slot, created by whichever API process needs it first (insert … on conflict do nothing, so every
-- process agrees on one key per slot). public_key is the SubjectPublicKeyInfo (DER); private_key is the PKCS#8 key
-- encrypted with AES-256-GCM under a key derived from Auth:SigningKey (nonce ‖ tag ‖ ciphertext), so a database dump
-- alone cannot sign codes. Retired rows stay: the server can still tell an old genuine token from a forgery.
CREATE TABLE IF NOT EXISTS code_signing_keys
(
    kid          text        PRIMARY KEY,
    publish_from timestamptz NOT NULL,
    not_before   timestamptz NOT NULL,
    sign_until   timestamptz NOT NULL,
    verify_until timestamptz NOT NULL,
    public_key   bytea       NOT NULL,
    private_key  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- A pass a checkpoint's device recorded offline carries the id the device gave it (crypto.randomUUID()); the server
-- accepts each exactly once however often the device uploads it. review flags a pass for staff: 'ColourUnknown' (an ID
-- number typed offline: the colour could not be looked up at the gate) or 'ColourChanged' (the code's colour got worse
-- after the token shown offline was issued).
ALTER TABLE checkpoint_passes ADD COLUMN IF NOT EXISTS client_id uuid NULL;
ALTER TABLE checkpoint_passes ADD COLUMN IF NOT EXISTS review text NULL;
CREATE UNIQUE INDEX IF NOT EXISTS checkpoint_passes_by_client_id ON checkpoint_passes (client_id) WHERE client_id IS NOT NULL;
