// Saves a CSV export the API answers (GET with the staff token; a refusal is an ApiError like any other call).
// The file is built from a Blob and saved through a temporary link: nothing personal goes into a URL.
import { ApiError } from './http.js';
import { t } from './i18n.js';

/** GETs `path` with the Bearer token and saves the answer as a file named by the server (or `fallbackName`). */
export async function downloadFile(path, token, fallbackName) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'text/csv, application/problem+json', Authorization: `Bearer ${token}` }, credentials: 'omit' });
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
