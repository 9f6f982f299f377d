// How every page shows an RFC 9457 problem (an ApiError from http.js, or a check made before calling): the alert
// region (title, detail, a list of field errors, all in the page's language: the server words them from the
// Accept-Language http.js sends) and each field's own error slot; also the
// short-lived notice and the busy state of a button while its action runs. The markup is chrome.js's.
import { t, has } from './i18n.js';
import { ApiError } from './http.js';
import { $ } from './dom.js';

/** "$.idNumber" or "IdNumber" (server spellings) → "idNumber" (the form's field names). */
export function normaliseField(key) {
  const k = String(key).replace(/^\$\.?/, '');
  return k ? k[0].toLowerCase() + k.slice(1) : k;
}

/** Lists each field's reasons in `list` and in the form's `.field-error[data-field]` slot, marking the input invalid. */
export function showFieldErrors(problem, form, list, labelOf) {
  const fields = problem?.errors && typeof problem.errors === 'object' ? problem.errors : {};
  for (const [raw, reasons] of Object.entries(fields)) {
    const field = normaliseField(raw);
    const texts = Array.isArray(reasons) ? reasons : [String(reasons)];
    const li = document.createElement('li');
    li.dataset.field = field;
    li.textContent = `${labelOf(field)}: ${texts.join('; ')}`;
    list.append(li);
    const slot = form?.querySelector(`.field-error[data-field="${field}"]`);
    if (slot) {
      slot.textContent = texts.join('; ');
      form.querySelector(`[name="${field}"]`)?.setAttribute('aria-invalid', 'true');
    }
  }
}

/** The i18n key of the local title for an HTTP status ("problem.404"; any unlisted 5xx as 500). */
export const statusKey = status => `problem.${status >= 500 && !has(`problem.${status}`) ? 500 : status}`;

/**
 * A page's message functions. `fieldLabels` maps a field name to the i18n key of its label (for the alert's list);
 * a problem's own title is shown as the server sent it (already in the page's language); one without a title gets
 * `titleKey(status)`'s text, else `fallbackTitle(status)`; `localTitle` is the title of a problem found before
 * calling the API (the text itself, or by default the text of 'problem.400').
 */
export function createMessages({
  fieldLabels = {},
  titleKey = statusKey,
  fallbackTitle = () => t('common.error'),
  localTitle,
} = {}) {
  const fieldLabel = field => (fieldLabels[field] ? t(fieldLabels[field]) : field);

  function clearError() {
    const box = $('error');
    box.hidden = true;
    delete box.dataset.status;
    $('error-title').textContent = '';
    $('error-detail').textContent = '';
    $('error-fields').replaceChildren();
    for (const el of document.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  }

  /** Shows a problem: title, detail, field errors in the alert and next to the form's fields. */
  function showProblem(error, form) {
    clearError();
    const problem = error instanceof ApiError ? error.problem : { title: t('common.error'), detail: String(error?.message ?? error) };
    const status = error instanceof ApiError ? error.status : 0;
    const key = titleKey(status);
    const title = problem.title || (has(key) ? t(key) : fallbackTitle(status));
    const box = $('error');
    box.dataset.status = String(status);
    $('error-title').textContent = title;
    $('error-detail').textContent = problem.detail || '';
    const list = $('error-fields');
    showFieldErrors(problem, form, list, fieldLabel);
    // A refusal with several reasons (a health-code application) lists them all.
    if (Array.isArray(problem.reasons) && problem.reasons.length > 1) {
      for (const reason of problem.reasons) {
        const li = document.createElement('li');
        li.textContent = String(reason);
        list.append(li);
      }
    }
    box.hidden = false;
    box.scrollIntoView?.({ block: 'nearest' });
  }

  /** A field error found before calling the API (`key` names its text), shown the same way as the server's. */
  function localProblem(field, key) {
    return new ApiError(400, { title: localTitle ?? t('problem.400'), errors: { [field]: [t(key)] } });
  }

  let noticeTimer;
  function showNotice(text) {
    const el = $('notice');
    el.textContent = text;
    el.hidden = !text;
    clearTimeout(noticeTimer);
    if (text) noticeTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  /** Runs an action with its button disabled and busy, and shows what it throws (unless it signed the page out). */
  async function busy(button, form, action) {
    if (button?.disabled) return;
    if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
    try {
      clearError();
      await action();
    } catch (e) {
      if (!e?.signedOut) showProblem(e, form);
    } finally {
      if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
    }
  }

  return { clearError, showProblem, localProblem, showNotice, busy, fieldLabel };
}
