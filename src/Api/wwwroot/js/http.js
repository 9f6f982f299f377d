// How every page calls this site's API: JSON in and out, a refusal thrown as an ApiError that carries the
// RFC 9457 problem the server sent (problems.js shows it). No network beyond this site's own API. Every call carries
// Accept-Language with the page's language (zh-CN or en), so the server words its problems in it.
import { t, currentLanguage } from './i18n.js';

/** A refused call: the HTTP status (0: the server could not be reached) and the problem the server sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How often a user action is sent again after a 503 or a lost connection, and the longest wait between tries (s). */
const RETRIES = 2;
const MAX_RETRY_WAIT_SECONDS = 5;

/**
 * A new Idempotency-Key naming one user action (32 hex characters). The server remembers what a keyed action did, so
 * sending it again with the same key answers the first outcome instead of doing it twice (docs/operations.md).
 */
export function newActionKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One user action. `token` adds the Bearer header; `raw` sends a Blob/string body with its own `contentType`;
 * `credentials` goes to fetch as given (left out: the browser's default). A 429 or 503 carries its Retry-After
 * (seconds, at least 1) as `retryAfter`. A POST, PUT, PATCH or DELETE carries one Idempotency-Key (`idempotencyKey`,
 * or a new one) and is sent again with the same key, up to twice, after a 503 or a lost connection.
 */
export async function request(method, path, body, { token, raw, contentType, credentials, idempotencyKey } = {}) {
  const key = MUTATING.has(method) ? (idempotencyKey ?? newActionKey()) : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(method, path, body, { token, raw, contentType, credentials, key });
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 503 || error.status === 0);
      if (key === undefined || !transient || attempt >= RETRIES) throw error;
      const wait = Math.min(MAX_RETRY_WAIT_SECONDS, error.retryAfter ?? 1);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
}

async function send(method, path, body, { token, raw, contentType, credentials, key }) {
  const headers = { Accept: 'application/json, application/problem+json', 'Accept-Language': currentLanguage() };
  if (body !== undefined) headers['Content-Type'] = raw ? (contentType ?? 'application/octet-stream') : 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key !== undefined) headers['Idempotency-Key'] = key;
  const init = { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) };
  if (credentials) init.credentials = credentials;
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { title: t('common.offline'), detail: '' });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { title: `HTTP ${response.status}`, detail: text.slice(0, 300) }; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data && typeof data === 'object' ? data : { title: `HTTP ${response.status}` });
    if (response.status === 429) error.retryAfter = Math.max(1, Number(response.headers.get('Retry-After')) || 60);
    if (response.status === 503) error.retryAfter = Math.max(1, Number(response.headers.get('Retry-After')) || 1);
    throw error;
  }
  return data;
}

/**
 * A page's API caller: each call carries `token()`, and `credentials(path)` where given. A 401 on anything but
 * `loginPath` calls `onUnauthorized` (the page clears its session and goes back to its sign-in) and marks the
 * error `signedOut`, so the page does not show it a second time.
 */
export function createApi({ token, loginPath, onUnauthorized, credentials }) {
  return async function api(method, path, body, { raw, contentType, idempotencyKey } = {}) {
    try {
      return await request(method, path, body, { raw, contentType, idempotencyKey, token: token(), credentials: credentials?.(path) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && path !== loginPath) {
        onUnauthorized?.();
        error.signedOut = true;
      }
      throw error;
    }
  };
}
