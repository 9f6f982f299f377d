// How every page calls this site's API: JSON in and out, a refusal thrown as an ApiError that carries the
// RFC 9457 problem the server sent (problems.js shows it). No network beyond this site's own API.
import { t } from './i18n.js';

/** A refused call: the HTTP status (0: the server could not be reached) and the problem the server sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * One call. `token` adds the Bearer header; `raw` sends a Blob/string body with its own `contentType`;
 * `credentials` goes to fetch as given (left out: the browser's default). A 429 carries its Retry-After
 * (seconds, at least 1) as `retryAfter`.
 */
export async function request(method, path, body, { token, raw, contentType, credentials } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = raw ? (contentType ?? 'application/octet-stream') : 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
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
  return async function api(method, path, body, { raw, contentType } = {}) {
    try {
      return await request(method, path, body, { raw, contentType, token: token(), credentials: credentials?.(path) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && path !== loginPath) {
        onUnauthorized?.();
        error.signedOut = true;
      }
      throw error;
    }
  };
}
