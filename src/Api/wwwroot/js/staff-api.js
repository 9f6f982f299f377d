// The staff pages' session and API client (staff.html, trips.html, checkpoint.html share one sign-in).
// The token lives in sessionStorage: a staff sign-in ends with the browser tab.
import { t } from './i18n.js';

export const TOKEN_KEY = 'smx.staff.token';
export const SESSION_KEY = 'smx.staff.session';

/** A refused call: the HTTP status and the RFC 9457 problem the server sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get info() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null'); } catch { return null; }
  },
  save(login, username) {
    sessionStorage.setItem(TOKEN_KEY, login.token);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({
      username, role: login.role, jurisdiction: login.jurisdiction ?? null, expiresAt: login.expiresAt,
    }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SESSION_KEY);
  },
  get valid() {
    const info = this.info;
    return !!this.token && !!info && (!info.expiresAt || new Date(info.expiresAt).getTime() > Date.now());
  },
};

/**
 * An API caller with the Bearer token. `raw` sends a Blob/string body with its own content type. A 401 on
 * anything but the sign-in clears the session and calls `onSignedOut` (the page goes back to its sign-in).
 */
export function createApi(onSignedOut) {
  return async function api(method, path, body, { raw, contentType } = {}) {
    const headers = { Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = raw ? (contentType ?? 'application/octet-stream') : 'application/json';
    const token = session.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      // Data calls carry only the Bearer token. Sign-in and sign-out keep the HttpOnly cookie in step, which
      // the Orleans dashboard (/ops/orleans/) accepts for reads.
      const credentials = path.startsWith('/api/auth/') ? 'same-origin' : 'omit';
      response = await fetch(path, { method, headers, credentials, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
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
      if (response.status === 401 && path !== '/api/auth/staff/login') {
        session.clear();
        onSignedOut?.();
        error.signedOut = true;
      }
      throw error;
    }
    return data;
  };
}
