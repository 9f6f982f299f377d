// Break-the-glass (docs/security.md): a village staff member, commander or administrator opens one resident outside
// their jurisdiction by typing the resident's ID number (sent in the POST body, never in the address) and a reason.
// The grant lasts a short window; the page then reads the resident's record (masked as the API answers it) under the
// grant. Every grant and every read under it is recorded and reviewed on the auditor's page.
import { register, t } from './i18n.js';
import { $, h } from './dom.js';
import { formatDateTime } from './format.js';
import { ApiError } from './http.js';

register({
  'console.glass': ['紧急查阅', 'Break the glass'],
  'console.glass.desc': ['紧急情况下查阅辖区外的一名居民（须说明理由，限时，留痕复核）', 'Open one resident outside your jurisdiction in an emergency (reason required, time-limited, reviewed)'],
  'glass.warning': ['此访问将被记录并由审计人员复核。仅在紧急情况下使用，授权只对这一名居民有效，且限时。',
    'This access is recorded and reviewed by the auditors. Use it only in an emergency; the grant covers this one resident and expires.'],
  'glass.idNumber': ['居民身份证号', 'Resident\'s ID number'],
  'glass.reason': ['理由（至少 10 个字）', 'Reason (at least 10 characters)'],
  'glass.submit': ['说明理由并查阅', 'State the reason and open'],
  'glass.until': ['授权有效至', 'Grant valid until'],
  'glass.village': ['所属村（社区）', 'Village'],
  'glass.colour': ['健康码', 'Health code'],
  'glass.recorded': ['已记录：本次查阅将被复核', 'Recorded: this access will be reviewed'],
});

/** Wires the form; `helpers` are the page's api and messages (js/problems.js). */
export function setupBreakGlass({ api, showProblem, clearError, showNotice }) {
  const form = $('glass-form');
  const submit = $('glass-submit');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      clearError();
      $('glass-result').hidden = true;
      const grant = await api('POST', '/api/break-glass',
        { idNumber: form.elements.idNumber.value.trim(), reason: form.elements.reason.value.trim() });
      const overview = await api('GET',
        `/api/villages/${encodeURIComponent(grant.villageCode)}/residents/${encodeURIComponent(grant.residentKey)}`);
      form.elements.idNumber.value = '';
      renderResult(grant, overview);
      showNotice(t('glass.recorded'));
    } catch (error) {
      if (error?.signedOut) return;
      showProblem(error, form);
      // "Not needed" (422) is about the resident typed in: say so next to that field too.
      if (error instanceof ApiError && error.status === 422) {
        const slot = form.querySelector('.field-error[data-field="idNumber"]');
        slot.textContent = error.problem?.detail || error.message;
        form.elements.idNumber.setAttribute('aria-invalid', 'true');
      }
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });
}

/** Clears the form and the result (sign-out). */
export function resetBreakGlass() {
  $('glass-form').reset();
  $('glass-result').hidden = true;
  $('glass-profile').replaceChildren();
}

function renderResult(grant, overview) {
  const profile = overview.profile ?? {};
  const colour = overview.code?.explanation?.colour ?? 'None';
  // The masked name (as the grant answers it): the staff member typed the ID number, and is outside their jurisdiction.
  $('glass-name').textContent = grant.maskedName ?? '';
  const until = $('glass-until');
  until.dateTime = grant.until;
  until.textContent = formatDateTime(grant.until);
  const facts = [
    ['profile.idNumber', profile.maskedIdNumber, 'glass-id'],
    ['profile.phone', profile.maskedPhone || '–', 'glass-phone'],
    ['glass.village', grant.villageCode, 'glass-village'],
    ['glass.colour', t(`colour.${colour}`, colour), 'glass-colour'],
  ];
  $('glass-profile').replaceChildren(...facts.flatMap(([key, value, testid]) =>
    [h('dt', {}, t(key)), h('dd', { 'data-testid': testid }, value ?? '')]));
  const result = $('glass-result');
  result.dataset.residentKey = grant.residentKey;
  result.hidden = false;
  result.focus?.();
}
