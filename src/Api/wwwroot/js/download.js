// Saves a CSV export the API answers (GET with the staff token; a refusal is an ApiError like any other call).
// The file is built from a Blob and saved through a temporary link: nothing personal goes into a URL.
import { ApiError } from './http.js';
import { t } from './i18n.js';

/**
 * GETs `path` with the Bearer token (or POSTs `body` as JSON, for filters that must not be in a URL) and saves the
 * answer as a file named by the server (or `fallbackName`).
 */
export async function downloadFile(path, token, fallbackName, body) {
  let response;
  const headers = { Accept: 'text/csv, application/problem+json', Authorization: `Bearer ${token}` };
  const init = body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  try {
    response = await fetch(path, { ...init, credentials: 'omit' });
  } catch {
    throw new ApiError(0, { title: t('common.offline'), detail: '' });
  }
  if (!response.ok) {
    let problem;
    try { problem = await response.json(); } catch { problem = { title: `HTTP ${response.status}` }; }
    throw new ApiError(response.status, problem);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = decodeURIComponent(name);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
