// The person behind a ticket, in the ticket detail of the staff console (docs/tickets.md): an appeal's appellant or a
// signed-in reporter as the masked name and phone, today's code and its reason (the API audits the read); on an appeal
// the village resolves it with the existing actions (clear a fever; dismiss a pending or release an open key-person
// entry) before recording its answer; on a lead about a person the village registers the key-person entry and hands in
// the result in one step (POST /api/tickets/{number}/key-person, the register's own rules).
import { register, t, bi, fill } from './i18n.js';
import { h } from './dom.js';

export const MEASURES = ['HomeIsolation', 'CentralIsolation', 'MedicalObservation', 'None'];
const CATEGORIES = ['FromOutsideCity', 'FromHubei', 'FromWuhan', 'CloseContact', 'FeverNoExposure'];

register({
  'person.appellant': ['申诉人', 'Appellant'],
  'person.reporter': ['上报人（已登录居民）', 'Reporter (signed-in resident)'],
  'person.audited': ['查看个人信息已记录', 'Reading personal data is audited'],
  'person.name': ['姓名', 'Name'],
  'person.phone': ['手机', 'Phone'],
  'person.code': ['当前健康码', 'Code today'],
  'person.reason': ['赋码原因', 'Reason'],
  'person.entries': ['重点人员登记', 'Key-person entries'],
  'person.noEntries': ['无在管或待确认登记', 'No open or pending entries'],
  'person.clearFever': ['解除发热标记', 'Clear the fever'],
  'person.clearNote': ['核实情况', 'What was checked'],
  'person.dismiss': ['排除', 'Dismiss'],
  'person.release': ['提前解除', 'Release early'],
  'person.why': ['理由', 'Reason'],
  'person.noteRequired': ['请填写', 'required'],
  'person.done': ['已处理，请记录申诉答复', 'Done: now record the answer'],
  'appeal.decision': ['答复', 'Decision'],
  'appeal.resultLabel': ['答复内容 / 驳回理由（居民可见）', 'Answer / reason for rejecting (the resident sees it)'],
  'lead.kp.heading': ['核实属实：登记为重点人员并办结', 'Confirmed: register as a key person and hand in the result'],
  'lead.kp.idNumber': ['身份证号（工作人员录入）', 'ID number (typed by staff)'],
  'lead.kp.category': ['人员类别', 'Category'],
  'lead.kp.exposure': ['返回 / 接触 / 发热日期', 'Arrival, contact or fever date'],
  'lead.kp.origin': ['来源地 / 接触对象', 'From where / which case'],
  'lead.kp.measure': ['管控措施', 'Measure'],
  'lead.kp.site': ['集中隔离点', 'Isolation site'],
  'lead.kp.submit': ['登记并提交办理结果', 'Register and hand in the result'],
  'lead.kp.done': ['已登记为重点人员', 'Registered as a key person'],
});

/**
 * The section "who is behind this ticket" (filled once the audited read answers) with, for an appeal and a role that
 * keeps the village's residents, the actions that resolve it. `deps`: api, busy, showNotice, localProblem, role().
 */
export function personSection(ticket, { api, busy, showNotice, localProblem, role }) {
  const appeal = ticket.source === 'ResidentAppeal';
  const section = h('section', { class: 'ticket-person', 'data-testid': 'ticket-person', 'aria-live': 'polite' },
    bi('h4', appeal ? 'person.appellant' : 'person.reporter'));
  const village = ticket.assigneeKind === 'Village' ? ticket.assignee : ticket.regionCode;
  const mayAct = appeal && ['village', 'commander', 'admin'].includes(role()) && ticket.state === 'Dispatched' && /^\d{12}$/.test(village ?? '');

  async function load() {
    const p = await api('GET', `/api/tickets/${encodeURIComponent(ticket.number)}/resident`);
    section.dataset.colour = p.colour;
    section.dataset.fever = String(!!p.fever);
    const dl = h('dl', { class: 'facts' });
    const fact = (key, value, testid) => dl.append(fill(document.createElement('dt'), key), h('dd', { 'data-testid': testid }, value ?? ''));
    fact('person.name', p.maskedName, 'person-name');
    fact('person.phone', p.maskedPhone, 'person-phone');
    const colour = bi('span', `colour.${p.colour}`, p.colour);
    colour.className = `badge colour colour-${p.colour}`;
    colour.dataset.colour = p.colour;
    fact('person.code', colour, 'person-colour');
    dl.lastChild.dataset.colour = p.colour;
    fact('person.reason', p.reason, 'person-reason');
    const audited = bi('p', 'person.audited');
    audited.className = 'audited';
    const parts = [bi('h4', appeal ? 'person.appellant' : 'person.reporter'), audited, dl];
    if (appeal) {
      parts.push(bi('h5', 'person.entries'));
      const entries = h('ul', { class: 'person-entries', 'data-testid': 'person-entries' });
      for (const e of p.keyPersonEntries ?? []) {
        const li = h('li', { 'data-testid': 'person-entry', 'data-entry': e.id, 'data-status': e.status },
          `${t(`kp.${e.category}`, e.category)} · ${e.status} · ${e.exposureDate} → ${e.observationEndsOn}`);
        if (mayAct) li.append(entryAction(p, e, e.status === 'Pending' ? 'dismiss' : 'release'));
        entries.append(li);
      }
      if (!(p.keyPersonEntries ?? []).length) entries.append(h('li', { class: 'hint' }, t('person.noEntries')));
      parts.push(entries);
      if (mayAct && p.fever) parts.push(noteForm('clear-fever', 'person.clearFever', 'person.clearNote',
        note => api('POST', `/api/villages/${village}/residents/${encodeURIComponent(p.residentKey)}/clear-fever`, { note })));
    }
    section.replaceChildren(...parts);
  }

  function entryAction(p, entry, action) {
    return noteForm(`${action}-entry`, `person.${action}`, 'person.why',
      reason => api('POST', `/api/villages/${village}/residents/${encodeURIComponent(p.residentKey)}/key-person/${encodeURIComponent(entry.id)}/${action}`, { reason }));
  }

  function noteForm(testid, buttonKey, labelKey, send) {
    const form = h('form', { class: 'person-action', 'data-testid': testid, novalidate: true });
    const input = h('input', { name: 'note', maxlength: 500, autocomplete: 'off', 'data-testid': `${testid}-note` });
    const label = bi('label', labelKey);
    input.id = `${testid}-${Math.random().toString(36).slice(2, 8)}`;
    label.htmlFor = input.id;
    const submit = bi('button', buttonKey);
    submit.type = 'submit';
    submit.className = 'secondary';
    submit.dataset.testid = `${testid}-submit`;
    form.append(h('div', { class: 'field' }, label, input, h('p', { class: 'field-error', 'data-field': 'note' })), submit);
    form.addEventListener('submit', e => {
      e.preventDefault();
      busy(submit, form, async () => {
        const note = input.value.trim();
        if (!note) throw localProblem('note', 'person.noteRequired');
        await send(note);
        showNotice(t('person.done'));
        await load();
      });
    });
    return form;
  }

  section.load = load;
  return section;
}

/** The one-step registration of a lead about a person (village staff; commanders and administrators too). */
export function keyPersonForm(ticket, { api, busy, showNotice, localProblem, field, after }) {
  const form = h('form', { class: 'ticket-action action-key-person', 'data-testid': 'action-key-person', novalidate: true });
  const select = (values, prefix, chosen) => {
    const s = document.createElement('select');
    s.append(...values.map(v => h('option', { value: v, selected: v === chosen }, t(prefix + v, v))));
    return s;
  };
  form.append(bi('h4', 'lead.kp.heading'),
    field('idNumber', 'lead.kp.idNumber', h('input', { maxlength: 18, autocomplete: 'off', spellcheck: 'false' }), 'kp-id-number'),
    field('category', 'lead.kp.category', select(CATEGORIES, 'kp.', ticket.suggestedKeyPersonCategory), 'kp-category'),
    field('exposureDate', 'lead.kp.exposure', h('input', { type: 'date' }), 'kp-exposure'),
    field('origin', 'lead.kp.origin', h('input', { maxlength: 500, autocomplete: 'off' }), 'kp-origin'),
    field('measure', 'lead.kp.measure', select(MEASURES, 'measure.', 'HomeIsolation'), 'kp-measure'),
    field('site', 'lead.kp.site', h('input', { maxlength: 100, autocomplete: 'off' }), 'kp-site'),
    field('result', 'act.result', h('textarea', { rows: 2, maxlength: 2000 }), 'kp-result'));
  const submit = bi('button', 'lead.kp.submit');
  submit.type = 'submit';
  submit.className = 'primary';
  submit.dataset.testid = 'kp-submit';
  form.append(submit);
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy(submit, form, async () => {
      const f = form.elements;
      const result = f.result.value.trim();
      if (!result) throw localProblem('result', 'act.resultRequired');
      const done = await api('POST', `/api/tickets/${encodeURIComponent(ticket.number)}/key-person`, {
        idNumber: f.idNumber.value.trim(), category: f.category.value, exposureDate: f.exposureDate.value || null,
        origin: f.origin.value.trim() || null, measure: f.measure.value, site: f.site.value.trim() || null, result,
      });
      showNotice(`${t('lead.kp.done')} · ${done.maskedName} · ${ticket.number}`);
      await after(done.ticket);
    });
  });
  return form;
}
