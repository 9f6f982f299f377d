// The village's deletion requests (docs/data-governance.md): village staff record a resident's request with a reason;
// administrators carry it out (the record is erased) or refuse it, each with a reason. ID numbers travel only in POST
// bodies; the list shows masked names and ID numbers.
import { register, t } from './i18n.js';
import { $, h } from './dom.js';
import { session } from './session.js';
import { formatDateTime } from './format.js';

register({
  'deletion.heading': ['删除申请', 'Deletion requests'],
  'deletion.intro': ['居民申请删除本人数据时，在此登记；由管理员决定执行或拒绝', 'Record a resident\'s request to delete their data; an administrator carries it out or refuses it'],
  'deletion.idNumber': ['身份证号', 'ID number'],
  'deletion.reason': ['理由', 'Reason'],
  'deletion.submit': ['登记申请', 'Record the request'],
  'deletion.recorded': ['删除申请已登记', 'Deletion request recorded'],
  'deletion.none': ['暂无删除申请', 'No deletion requests'],
  'deletion.carryOut': ['执行删除', 'Carry out'],
  'deletion.refuse': ['拒绝', 'Refuse'],
  'deletion.decisionReason': ['决定理由（管理员）', 'Reason of the decision (administrator)'],
  'deletion.decided': ['已处理', 'Decided'],
  'deletion.status.Requested': ['待处理', 'Requested'],
  'deletion.status.CarriedOut': ['已删除', 'Carried out'],
  'deletion.status.Refused': ['已拒绝', 'Refused'],
});

/** Wires the card; `villageCode()` names the open village, `helpers` are the page's api and messages. */
export function setupDeletionRequests(villageCode, { api, busy, showNotice, showProblem }) {
  const form = $('deletion-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('deletion-submit'), form, async () => {
      const code = villageCode();
      await api('POST', `/api/villages/${encodeURIComponent(code)}/deletion-requests`,
        { idNumber: form.elements.idNumber.value.trim(), reason: form.elements.reason.value.trim() });
      form.reset();
      showNotice(t('deletion.recorded'));
      await loadDeletionRequests(villageCode, api);
    });
  });
  $('deletion-list').addEventListener('click', async e => {
    const button = e.target.closest('button[data-decision]');
    if (!button) return;
    try {
      await api('POST', `/api/admin/deletion-requests/${encodeURIComponent(villageCode())}/${encodeURIComponent(button.dataset.id)}/decision`,
        { carryOut: button.dataset.decision === 'carry-out', reason: $('deletion-decision-reason').value.trim() });
      showNotice(t('deletion.decided'));
      await loadDeletionRequests(villageCode, api);
    } catch (error) {
      showProblem(error);
    }
  });
}

/** Shows the open village's requests (the list read is audited). */
export async function loadDeletionRequests(villageCode, api) {
  const card = $('deletion-card');
  const code = villageCode();
  if (!code) { card.hidden = true; return; }
  const requests = await api('GET', `/api/villages/${encodeURIComponent(code)}/deletion-requests`);
  const isAdmin = session.info?.role === 'admin';
  $('deletion-admin').hidden = !isAdmin;
  const list = $('deletion-list');
  list.replaceChildren(...requests.map(r => h('li', { 'data-testid': 'deletion-request', 'data-status': r.status },
    h('span', {}, `${r.maskedName} ${r.maskedIdNumber} · ${t('deletion.status.' + r.status)} · ${formatDateTime(r.requestedAt)}`),
    h('span', { class: 'hint' }, ` ${r.reason}${r.decisionReason ? ' → ' + r.decisionReason : ''}`),
    ...(isAdmin && r.status === 'Requested'
      ? [h('button', { type: 'button', class: 'secondary', 'data-decision': 'carry-out', 'data-id': r.id }, t('deletion.carryOut')),
         h('button', { type: 'button', class: 'secondary', 'data-decision': 'refuse', 'data-id': r.id }, t('deletion.refuse'))]
      : []))));
  $('deletion-empty').hidden = requests.length > 0;
  card.hidden = false;
}
