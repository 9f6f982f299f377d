// 我要上报疫情 · platform 1 in the resident portal: anyone (no sign-in) reports a lead in one of the ten categories, with
// the place (county → township → village, an address), a description and, if they like, a phone for a call-back; the
// ticket number is shown large, and anyone follows a ticket by its number (state and dates only, no personal data).
// The calls carry no token, except the filing of a signed-in resident who keeps "attach my identity" ticked: that lead
// carries the resident's pseudonymous key so the village can follow up (docs/tickets.md); unticked, it stays anonymous.
// The number is what the reporter keeps.
import { register, t, fill } from './i18n.js';
import { $, h } from './dom.js';
import { request } from './http.js';
import { formatDateTime } from './format.js';
import { fillRegionSelect } from './regions.js';
import { loadCatalogue, fillOptions, stateBadge } from './tickets.js';

register({
  'lead.entry': ['我要上报疫情', 'Report an epidemic lead'],
  'lead.entryDesc': ['无需登录：发现发热人员、聚集、哄抬物价等线索，请告诉我们；凭工单编号查询办理进度', 'No sign-in needed: tell us about a fever, a gathering, price gouging…; follow it by its ticket number'],
  'lead.back': ['← 返回', '← Back'],
  'lead.heading': ['我要上报疫情', 'Report an epidemic lead'],
  'lead.intro': ['您的上报将转入 12345 热线工单办理。无需登录，不会记录您的身份。', 'Your report becomes a 12345 ticket. No sign-in needed; your identity is not recorded.'],
  'lead.category': ['线索类别', 'What is it about?'],
  'lead.place': ['发生地点', 'Where'],
  'lead.address': ['详细地址（选填）', 'Address (optional)'],
  'lead.addressPlaceholder': ['如 某小区 3 号楼、某路口', 'e.g. building 3 of a compound, a crossroads'],
  'lead.description': ['情况描述', 'What did you see?'],
  'lead.phone': ['联系电话（选填）', 'Phone (optional)'],
  'lead.callback': ['需要工作人员回电告知结果', 'Call me back with the result'],
  'lead.phoneHint': ['仅用于回电，不会公开', 'Used only to call you back; never shown'],
  'lead.submit': ['提交上报', 'Send the report'],
  'lead.received': ['上报成功，请记下工单编号', 'Report received: note your ticket number'],
  'lead.numberHint': ['凭此编号可随时查询办理进度', 'Use this number to follow the report'],
  'lead.dueAt': ['预计受理时限', 'To be accepted by'],
  'lead.another': ['再报一条', 'Report another'],
  'lead.checkThis': ['查询此工单', 'Check this ticket'],
  'lead.status.heading': ['查询办理进度', 'Follow a ticket'],
  'lead.status.intro': ['输入工单编号（12345-年月日-序号）', 'Enter the ticket number (12345-YYYYMMDD-NNNNNN)'],
  'lead.status.submit': ['查询', 'Check'],
  'lead.numberInvalid': ['工单编号格式为 12345-YYYYMMDD-NNNNNN', 'a ticket number looks like 12345-YYYYMMDD-NNNNNN'],
  'lead.categoryRequired': ['请选择线索类别', 'choose what it is about'],
  'lead.placeRequired': ['请至少选择县（市、区）', 'choose at least the county'],
  'lead.descriptionRequired': ['请描述情况', 'describe what you saw'],
  'lead.callbackNeedsPhone': ['需要回电请填写电话', 'a call-back needs a phone number'],
  'lead.identify': ['附上我的实名身份，便于核实回访（不公开）', 'Attach my identity for follow-up (never shown publicly)'],
});

const CITY = '411200';
const NUMBER = /^12345-\d{8}-\d{6}$/;
const anonymous = (method, path, body) => request(method, path, body, { credentials: 'omit' });
let residentToken = () => null;

/** Wires the lead form and the status lookup; `messages` is the page's problems.js set. */
export function setupLead({ busy, clearError, showProblem, localProblem, showNotice, token = () => null }) {
  residentToken = token;
  const form = $('lead-form');
  const county = $('lead-county'), township = $('lead-township'), village = $('lead-village');
  const guard = fn => async () => { try { clearError(); await fn(); } catch (e) { showProblem(e, form); } };
  county.addEventListener('change', guard(async () => {
    await fillRegionSelect(village, null, anonymous);
    await fillRegionSelect(township, county.value || null, anonymous);
  }));
  township.addEventListener('change', guard(() => fillRegionSelect(village, township.value || null, anonymous)));

  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('lead-submit'), form, async () => {
      const f = form.elements;
      if (!f.category.value) throw localProblem('category', 'lead.categoryRequired');
      const regionCode = village.value || township.value || county.value;
      if (!regionCode) throw localProblem('regionCode', 'lead.placeRequired');
      const description = f.description.value.trim();
      if (!description) throw localProblem('description', 'lead.descriptionRequired');
      const phone = f.phone.value.trim();
      if (f.callback.checked && !phone) throw localProblem('phone', 'lead.callbackNeedsPhone');
      const signedIn = residentToken();
      const send = signedIn && f.identify.checked
        ? (method, path, body) => request(method, path, body, { token: signedIn, credentials: 'omit' }) : anonymous;
      const receipt = await send('POST', '/api/tickets/leads', {
        category: f.category.value,
        regionCode,
        address: f.address.value.trim() || null,
        description,
        phone: phone || null,
        callback: f.callback.checked,
      });
      showReceipt(receipt);
      showNotice(t('lead.received'));
    });
  });

  $('lead-another').addEventListener('click', () => {
    $('lead-receipt').hidden = true;
    form.reset();
    form.hidden = false;
    form.elements.category.focus();
  });
  $('lead-check-this').addEventListener('click', () => {
    const number = $('lead-number').textContent;
    $('lead-status-number').value = number;
    $('lead-status-form').requestSubmit();
  });

  const statusForm = $('lead-status-form');
  statusForm.addEventListener('submit', e => {
    e.preventDefault();
    busy($('lead-status-submit'), statusForm, async () => {
      const number = statusForm.elements.number.value.trim();
      $('lead-status').hidden = true;
      if (!NUMBER.test(number)) throw localProblem('number', 'lead.numberInvalid');
      renderStatus(await anonymous('GET', `/api/tickets/public/${encodeURIComponent(number)}`));
    });
  });
}

/** Fills the categories and the counties (once); the form is ready when `data-ready` is "true". */
export async function showLead() {
  const form = $('lead-form');
  // Only a signed-in resident may attach their identity; anyone else files anonymously.
  $('lead-identify-field').hidden = !residentToken();
  if (form.dataset.ready === 'true') return;
  const catalogue = await loadCatalogue(path => anonymous('GET', path));
  fillOptions(form.elements.category, (catalogue.categories ?? []).map(c => c.code), 'cat.');
  await fillRegionSelect($('lead-county'), CITY, anonymous);
  await fillRegionSelect($('lead-township'), null, anonymous);
  await fillRegionSelect($('lead-village'), null, anonymous);
  form.dataset.ready = 'true';
}

function showReceipt(receipt) {
  $('lead-form').hidden = true;
  const box = $('lead-receipt');
  $('lead-number').textContent = receipt.number;
  box.dataset.number = receipt.number;
  $('lead-receipt-due').textContent = receipt.dueAt ? `${t('lead.dueAt')}: ${formatDateTime(receipt.dueAt)}` : '';
  box.hidden = false;
  box.focus?.();
}

function renderStatus(status) {
  const box = $('lead-status');
  box.dataset.number = status.number;
  box.dataset.state = status.state;
  $('lead-status-state').replaceChildren(stateBadge(status.state));
  const facts = $('lead-status-facts');
  facts.replaceChildren();
  const fact = (key, value, testid) => {
    if (!value) return;
    facts.append(fill(document.createElement('dt'), key), h('dd', { 'data-testid': testid }, value));
  };
  fact('ticket.number', status.number, 'lead-status-number-text');
  fact('ticket.kind', t(`ticketKind.${status.kind}`, status.kind), 'lead-status-kind');
  if (status.category) fact('ticket.category', t(`cat.${status.category}`, status.category), 'lead-status-category');
  fact('ticket.receivedAt', formatDateTime(status.receivedAt), 'lead-status-received');
  fact('ticket.updatedAt', formatDateTime(status.updatedAt), 'lead-status-updated');
  fact('ticket.closedAt', formatDateTime(status.closedAt), 'lead-status-closed');
  $('lead-status-steps').replaceChildren(...(status.steps ?? []).map(s => {
    return h('li', { 'data-testid': 'lead-status-step', 'data-kind': s.kind },
      h('time', { datetime: s.at }, formatDateTime(s.at)), ' ', h('span', {}, t(`step.${s.kind}`, s.kind)));
  }));
  box.hidden = false;
}
