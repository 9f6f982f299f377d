// Verifies a health-code QR token on the checkpoint's device, with no network: the same checks as the server's
// SignedCodeToken (src/Abstractions/HealthCode/SignedCodeToken.cs) and admission rule (PassAdmission), by WebCrypto
// (ECDSA P-256 with SHA-256; the signatures are the 64-byte r‖s form WebCrypto reads as is). Token:
// v2.{kid}.{payload}.{issuer-signature}.{content-signature}; payload = resident|colour|reason|issued|expires|day|nonce.
const COLOURS = ['None', 'Green', 'Yellow', 'Red'];
const SKEW_SECONDS = 120;
const ascii = new TextEncoder();

function b64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Imports the published keys (GET /.well-known/sanmenxia-code-keys.json) into a map kid → { key, exp }. */
export async function importKeys(keySet) {
  const keys = new Map();
  for (const jwk of keySet?.keys ?? []) {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
    const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    keys.set(jwk.kid, { key, exp: jwk.exp });
  }
  return keys;
}

const verifies = (key, input, signature) =>
  signature.length === 64 && crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, ascii.encode(input));

/** The calendar day (yyyy-MM-dd) of an instant in the policy's time zone. */
export function dayOf(ms, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/**
 * Checks a token at `nowMs` (device clock corrected by the server's offset). Answers { status, code, payload }:
 * status valid, or refused with code token.malformed | token.forged | token.altered | token.expired | token.notyetvalid |
 * token.replayed, as the server would.
 */
export async function verifyToken(token, keys, nowMs, timeZone) {
  const refuse = (refusal, payload = null) => ({ status: 'refused', code: `token.${refusal}`, payload });
  const parts = String(token ?? '').trim().split('.');
  if (parts.length !== 5 || parts[0] !== 'v2' || !parts[1]) return refuse('malformed');
  let payloadBytes; let issuerSignature; let contentSignature;
  try {
    payloadBytes = b64url(parts[2]);
    issuerSignature = b64url(parts[3]);
    contentSignature = b64url(parts[4]);
  } catch {
    return refuse('malformed');
  }
  const published = keys.get(parts[1]);
  if (!published) return refuse('forged');
  const fields = new TextDecoder().decode(payloadBytes).split('|');
  const issuerInput = fields.length === 7 ? `i.${parts[1]}.${fields[3]}.${fields[6]}` : `i.${parts[1]}.${parts[2]}`;
  if (!await verifies(published.key, issuerInput, issuerSignature)) return refuse('forged');
  if (!await verifies(published.key, `c.${parts[1]}.${parts[2]}`, contentSignature)) return refuse('altered');
  const colour = COLOURS[Number(fields[1])];
  if (fields.length !== 7 || !colour || !/^\d+$/.test(fields[3]) || !/^\d+$/.test(fields[4]) || !/^\d{4}-\d{2}-\d{2}$/.test(fields[5]))
    return refuse('malformed');
  const payload = {
    residentKey: fields[0], colour, reasonCode: fields[2], issuedAt: Number(fields[3]), expiresAt: Number(fields[4]), day: fields[5], kid: parts[1],
  };
  const now = nowMs / 1000;
  // A genuine token from another day is a replayed screenshot, expired or not (PassAdmission).
  if (payload.day < dayOf(nowMs, timeZone)) return refuse('replayed', payload);
  if (now >= published.exp || now >= payload.expiresAt) return refuse('expired', payload);
  if (payload.issuedAt > now + SKEW_SECONDS) return refuse('notyetvalid', payload);
  return { status: 'valid', code: null, payload };
}

/** The checkpoint's decision for a colour (CheckpointRules.Decide): outcome and reason code. */
export function decide(policy, colour) {
  const [action, name] = colour === 'Green' ? ['Allow', 'green']
    : colour === 'Yellow' ? [policy?.yellow ?? 'Check', 'yellow']
      : colour === 'Red' ? [policy?.red ?? 'Refuse', 'red'] : [policy?.none ?? 'Check', 'none'];
  const outcome = action === 'Allow' ? 'Allowed' : action === 'Check' ? 'Check' : 'Refused';
  return { outcome, reasonCode: `${name}.${outcome.toLowerCase()}` };
}
