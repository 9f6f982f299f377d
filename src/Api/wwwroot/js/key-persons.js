// 重点人员登记 · the village's key-person register (platform 4) inside the staff console's village view: the five
// categories as tabs with counts; pending entries (a backend comparison or a co-traveler match) at the top, to confirm
// with a measure or dismiss with a reason; today's follow-up as a checklist of the open entries (overdue first), each
// with temperature and symptoms, an early release with a reason and its history; closed entries; registering a new
// entry for a resident found by name or the last digits of their phone or ID number.
// The API: GET /api/villages/{code}/key-persons (KeyPersonRegisterEndpoints.cs) and the key-person actions of
// KeyPersonEndpoints.cs. Staff who may open a village (village staff, commanders, administrators, within their
// jurisdiction) may also act on its register: the API allows exactly that, so the console offers it.
import { register, t, bi, fill } from './i18n.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';

register({
  'kp.register': ['重点人员登记', 'Key-person register'],
  'kp.all': ['全部', 'All'],
  'kp.pending': ['待确认', 'To confirm'],
  'kp.pendingIntro': ['后台比对或同行查询发现的人员，请核实后确认管控或排除', 'Flagged by a backend comparison or a co-traveler match: check, then confirm a measure or dismiss'],
  'kp.pendingEmpty': ['没有待确认的人员', 'Nothing to confirm'],
  'kp.decideBy': ['须在此前核实', 'Decide by'],
  'kp.overdue': ['已超时，已上报乡镇', 'Overdue: escalated to the township'],
  'kp.followUp': ['今日随访', "Today's follow-up"],
  'kp.followUpIntro': ['在管人员每天随访一次：测体温、问症状。漏随访的排在最前', 'Each open entry is followed up once a day: temperature and symptoms. Overdue first'],
  'kp.followUpEmpty': ['没有在管人员', 'No open entries'],
  'kp.followUpDone': ['今日已随访', 'Followed up today'],
  'kp.progress': ['已完成', 'Done'],
  'kp.closed': ['已解除 / 已排除', 'Released / dismissed'],
  'kp.closedEmpty': ['暂无', 'None yet'],
  'kp.new': ['登记重点人员', 'Register a key person'],
  'kp.findResident': ['查找居民', 'Find the resident'],
  'kp.resident': ['居民', 'Resident'],
  'kp.searchFirst': ['先按姓名或尾号查找，再选择居民', 'Search by name or last digits, then choose the resident'],
  'kp.noCandidates': ['没有找到居民', 'No resident found'],
  'kp.chooseResident': ['请选择居民', 'choose a resident'],
  'kp.category': ['类别', 'Category'],
  'kp.measure': ['管控措施', 'Control measure'],
  'kp.site': ['集中隔离点（集中隔离时必填）', 'Isolation site (required for central isolation)'],
  'kp.exposureDate': ['返回 / 接触 / 发热日期', 'Arrival, contact or fever date'],
  'kp.exposureHint': ['观察期从此日起算', 'The observation period counts from this day'],
  'kp.origin': ['来自何处 / 接触何人', 'Where from, or contact of whom'],
  'kp.problems': ['存在问题（选填）', 'Problems (optional)'],
  'kp.submit': ['登记', 'Register'],
  'kp.registered': ['已登记', 'Registered'],
  'kp.reason': ['原因', 'Reason'],
  'kp.source': ['来源', 'Source'],
  'kp.confirm': ['确认并管控', 'Confirm'],
  'kp.confirmed': ['已确认，健康码已更新', 'Confirmed; the health code follows'],
  'kp.dismiss': ['排除', 'Dismiss'],
  'kp.dismissReason': ['排除原因（必填）', 'Reason to dismiss (required)'],
  'kp.dismissed': ['已排除', 'Dismissed'],
  'kp.reasonRequired': ['请填写原因', 'a reason is required'],
  'kp.release': ['提前解除', 'Release early'],
  'kp.releaseReason': ['解除原因（必填）', 'Reason to release (required)'],
  'kp.released': ['已解除', 'Released'],
  'kp.endsOn': ['观察期至', 'Observation ends'],
  'kp.exposure': ['起算日', 'Counted from'],
  'kp.missed': ['漏随访天数', 'Days missed'],
  'kp.needsReview': ['观察期已因症状延长，请复核', 'Extended for symptoms: review'],
  'kp.reached': ['已联系上（上门或电话）', 'Reached (visit or call)'],
  'kp.notReached': ['未联系上', 'Not reached'],
  'kp.symptoms': ['症状', 'Symptoms'],
  'kp.note': ['备注', 'Note'],
  'kp.record': ['记录随访', 'Record'],
  'kp.recorded': ['随访已记录', 'Follow-up recorded'],
  'kp.temperatureRequired': ['请填写体温', 'enter the temperature'],
  'kp.history': ['记录', 'History'],
  'kp.h.created': ['登记', 'Registered'],
  'kp.h.opened': ['开始管控', 'Measure started'],
  'kp.h.closed': ['结束', 'Closed'],
  'kp.by': ['经办', 'by'],
  'kp.colour': ['健康码', 'Code'],

  'kpStatus.Pending': ['待确认', 'Pending'],
  'kpStatus.Open': ['在管', 'Open'],
  'kpStatus.Released': ['已解除', 'Released'],
  'kpStatus.Dismissed': ['已排除', 'Dismissed'],
  'measure.None': ['未定', 'None yet'],
  'measure.HomeIsolation': ['居家隔离', 'Home isolation'],
  'measure.CentralIsolation': ['集中隔离', 'Central isolation'],
  'measure.MedicalObservation': ['医学观察', 'Medical observation'],
  'fu.SeenWell': ['正常', 'Well'],
  'fu.SeenWithSymptoms': ['有症状', 'Symptoms'],
  'fu.NotReached': ['未联系上', 'Not reached'],
});

export const CATEGORIES = ['FromOutsideCity', 'FromHubei', 'FromWuhan', 'CloseContact', 'FeverNoExposure'];
const MEASURES = ['HomeIsolation', 'CentralIsolation', 'MedicalObservation'];
const SYMPTOMS = ['fever', 'cough', 'fatigue', 'short-of-breath', 'sore-throat', 'diarrhoea'];

/** An <option> with its text (in the page's language). */
const option = (value, text, selected = false) => h('option', { value, selected }, text);

function badge(key, fallback, cls = '') {
  const b = bi('span', key, fallback);
  b.className = `badge ${cls}`.trim();
  return b;
}

/**
 * Wires the register pane. `ctx`: api, busy, showNotice, showProblem, clearError, localProblem (problems.js),
 * village() → the open village's code, changed() → counts and the residents list are read again.
 */
export function setupRegister(ctx) {
  const $ = testid => document.querySelector(`[data-testid="${testid}"]`);
  const state = { code: null, today: null, lines: [], category: 'all' };
  const base = (residentKey) => `/api/villages/${encodeURIComponent(state.code)}/residents/${encodeURIComponent(residentKey)}/key-person`;

  // ------------------------------------------------------------ the form's static options
  const form = $('kp-form');
  form.elements.category.replaceChildren(option('', t('common.choose')), ...CATEGORIES.map(c => option(c, t(`kp.${c}`))));
  form.elements.measure.replaceChildren(option('', t('common.choose')), ...MEASURES.map(m => option(m, t(`measure.${m}`))));
  const siteField = $('kp-site-field');
  const syncSite = () => { siteField.hidden = form.elements.measure.value !== 'CentralIsolation'; };
  form.elements.measure.addEventListener('change', syncSite);
  syncSite();

  // ------------------------------------------------------------ loading and rendering

  async function load(code, { focus } = {}) {
    state.code = code;
    const pane = $('register-pane');
    pane.dataset.loaded = 'false';
    const register = await ctx.api('GET', `/api/villages/${encodeURIComponent(code)}/key-persons`);
    if (state.code !== code) return;
    state.today = register.today;
    state.lines = register.lines ?? [];
    if (!form.elements.exposureDate.value) form.elements.exposureDate.value = state.today;
    form.elements.exposureDate.max = state.today;
    render();
    pane.dataset.loaded = 'true';
    if (focus) focusEntry(focus);
  }

  const inCategory = l => state.category === 'all' || l.entry.category === state.category;
  const live = l => l.entry.status === 'Pending' || l.entry.status === 'Open';

  function render() {
    renderTabs();
    const shown = state.lines.filter(inCategory);
    // The village's queue: overdue first, then by the deadline of the decision.
    const pending = shown.filter(l => l.entry.status === 'Pending')
      .sort((a, b) => Number(!!b.entry.overdue) - Number(!!a.entry.overdue)
        || String(a.entry.decideBy ?? a.entry.createdAt).localeCompare(String(b.entry.decideBy ?? b.entry.createdAt)));
    fillList($('pending-list'), pending, 'kp.pendingEmpty', pendingItem);
    $('pending-section').dataset.count = String(pending.length);

    // Due first, the most overdue first; then those done today; by name within.
    const open = shown.filter(l => l.entry.status === 'Open').sort((a, b) =>
      (Number(b.followUpDue) - Number(a.followUpDue)) || (b.missedFollowUpDays - a.missedFollowUpDays) || a.name.localeCompare(b.name, 'zh-CN'));
    fillList($('followup-list'), open, 'kp.followUpEmpty', followUpItem);
    const done = open.filter(l => !l.followUpDue).length;
    const progress = $('followup-progress');
    progress.textContent = `${t('kp.progress')} ${done}/${open.length}`;
    progress.dataset.done = String(done);
    progress.dataset.total = String(open.length);

    const closed = shown.filter(l => !live(l)).sort((a, b) => String(b.entry.closedOn).localeCompare(String(a.entry.closedOn)));
    fillList($('closed-list'), closed, 'kp.closedEmpty', closedItem);
    $('closed-count').textContent = String(closed.length);
  }

  function fillList(list, lines, emptyKey, item) {
    if (lines.length === 0) {
      const li = bi('li', emptyKey);
      li.className = 'empty';
      list.replaceChildren(li);
      return;
    }
    list.replaceChildren(...lines.map(item));
  }

  function renderTabs() {
    const tabs = $('kp-tabs');
    const count = c => state.lines.filter(l => live(l) && (c === 'all' || l.entry.category === c)).length;
    tabs.replaceChildren(...['all', ...CATEGORIES].map(c => {
      const selected = state.category === c;
      const tab = h('button', {
        type: 'button', role: 'tab', class: 'kp-tab', 'data-testid': `kp-tab-${c}`, 'data-category': c,
        'aria-selected': String(selected), tabindex: selected ? '0' : '-1', 'data-count': String(count(c)),
      });
      const label = bi('span', c === 'all' ? 'kp.all' : `kp.${c}`);
      label.className = 'kp-tab-label';
      tab.append(h('span', { class: 'kp-tab-count' }, String(count(c))), label);
      tab.addEventListener('click', () => { state.category = c; render(); $(`kp-tab-${c}`).focus(); });
      return tab;
    }));
  }

  // Arrow keys move between the category tabs (the tablist pattern); Enter/Space select as any button.
  $('kp-tabs').addEventListener('keydown', e => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    const tabs = [...e.currentTarget.querySelectorAll('[role=tab]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length;
    tabs[next].click();
  });

  /** The card's head: name, masked ID, category, status and today's code colour. */
  function entryHead(line) {
    const e = line.entry;
    const colour = h('span', { class: `colour-pill colour-${line.colour}`, 'data-testid': 'entry-colour', 'data-colour': line.colour },
      t(`colour.${line.colour}`, line.colour));
    return h('div', { class: 'entry-head' },
      h('span', { class: 'row-name', 'data-testid': 'entry-name' }, line.name),
      h('span', { class: 'row-id' }, line.maskedIdNumber),
      badge(`kp.${e.category}`, e.category, 'kp'),
      badge(`kpStatus.${e.status}`, e.status, `kp-status kp-status-${e.status}`),
      colour);
  }

  function entryShell(line, testid) {
    const e = line.entry;
    return h('li', {
      class: 'entry', tabindex: '-1', 'data-testid': testid, 'data-entry-id': e.id, 'data-resident-key': line.residentKey,
      'data-status': e.status, 'data-category': e.category,
    }, entryHead(line));
  }

  function facts(pairs) {
    const dl = h('dl', { class: 'facts entry-facts' });
    for (const [key, value, testid] of pairs) {
      if (value == null || value === '') continue;
      dl.append(bi('dt', key), h('dd', testid ? { 'data-testid': testid } : {}, String(value)));
    }
    return dl;
  }

  /** An entry id is unique within its resident only (every co-traveler of one trip gets the same id). */
  const uid = line => `${line.residentKey}-${line.entry.id}`;

  /** A small form inside an entry: unique ids, a label on every field, its own error slots. */
  function field(entryId, name, labelKey, input, { hint } = {}) {
    const id = `${name}-${entryId}`;
    input.id = id;
    input.name = name;
    const label = bi('label', labelKey);
    label.htmlFor = id;
    return h('div', { class: 'field' }, label, input, ...(hint ? [hint] : []), h('p', { class: 'field-error', 'data-field': name }));
  }

  function pendingItem(line) {
    const e = line.entry;
    const li = entryShell(line, 'pending-entry');
    li.dataset.overdue = String(!!e.overdue);
    if (e.overdue) {
      const overdue = badge('kp.overdue', 'Overdue', 'overdue-badge');
      overdue.dataset.testid = 'entry-overdue';
      li.querySelector('.entry-head').append(overdue);
    }
    li.append(facts([
      ['kp.reason', e.origin, 'entry-reason'],
      ['kp.source', e.source, 'entry-source'],
      ['kp.exposure', e.exposureDate],
      ['kp.decideBy', formatDateTime(e.decideBy), 'entry-decide-by'],
    ]));

    const measure = h('select', { required: true, 'data-testid': 'confirm-measure' },
      option('', t('common.choose')), ...MEASURES.map(m => option(m, t(`measure.${m}`), m === 'HomeIsolation' && e.category !== 'CloseContact')));
    const site = h('input', { maxlength: 100, autocomplete: 'off', 'data-testid': 'confirm-site' });
    const siteField = field(uid(line), 'site', 'kp.site', site);
    const sync = () => { siteField.hidden = measure.value !== 'CentralIsolation'; };
    measure.addEventListener('change', sync);
    const confirmButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'confirm-submit' });
    confirmButton.append(bi('span', 'kp.confirm'));
    const confirm = h('form', { class: 'entry-action', novalidate: true, 'data-testid': 'confirm-form' },
      field(uid(line), 'measure', 'kp.measure', measure), siteField, confirmButton);
    sync();
    confirm.addEventListener('submit', ev => {
      ev.preventDefault();
      ctx.busy(confirmButton, confirm, async () => {
        if (!measure.value) throw ctx.localProblem('measure', 'common.choose');
        const entry = await ctx.api('POST', `${base(line.residentKey)}/${encodeURIComponent(e.id)}/confirm`,
          { measure: measure.value, site: site.value.trim() || null });
        await afterChange('kp.confirmed', { residentKey: line.residentKey, entryId: entry.id });
      });
    });

    const reason = h('input', { maxlength: 500, autocomplete: 'off', required: true, 'data-testid': 'dismiss-reason' });
    const dismissButton = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'dismiss-submit' });
    dismissButton.append(bi('span', 'kp.dismiss'));
    const dismiss = h('form', { class: 'entry-action', novalidate: true, 'data-testid': 'dismiss-form' },
      field(uid(line), 'reason', 'kp.dismissReason', reason), dismissButton);
    dismiss.addEventListener('submit', ev => {
      ev.preventDefault();
      ctx.busy(dismissButton, dismiss, async () => {
        if (!reason.value.trim()) throw ctx.localProblem('reason', 'kp.reasonRequired');
        await ctx.api('POST', `${base(line.residentKey)}/${encodeURIComponent(e.id)}/dismiss`, { reason: reason.value.trim() });
        await afterChange('kp.dismissed', null, 'pending-h');
      });
    });
    li.append(h('div', { class: 'entry-actions' }, confirm, dismiss), historyOf(line));
    return li;
  }

  function followUpItem(line) {
    const e = line.entry;
    const li = entryShell(line, 'followup-item');
    li.dataset.due = String(!!line.followUpDue);
    li.dataset.missed = String(line.missedFollowUpDays ?? 0);
    if (line.missedFollowUpDays > 0) {
      const overdue = h('span', { class: 'badge overdue', 'data-testid': 'entry-overdue' });
      overdue.append(bi('span', 'kp.missed'), ` ${line.missedFollowUpDays}`);
      li.querySelector('.entry-head').append(overdue);
    }
    if (e.needsReview) li.querySelector('.entry-head').append(badge('kp.needsReview', null, 'needs-review'));
    li.append(facts([
      ['kp.measure', `${t(`measure.${e.measure}`, e.measure)}${e.site ? ` · ${e.site}` : ''}`],
      ['kp.exposure', e.exposureDate],
      ['kp.endsOn', e.observationEndsOn, 'entry-ends-on'],
      ['kp.reason', e.origin],
    ]));

    if (line.followUpDue) li.append(checkForm(line));
    else {
      const today = [...e.followUps].reverse().find(f => f.day === state.today);
      const done = h('p', { class: 'followup-done', 'data-testid': 'followup-done', 'data-status': today?.status ?? '' }, '✓ ');
      done.append(bi('span', 'kp.followUpDone'));
      if (today) done.append(' · ', t(`fu.${today.status}`, today.status), today.note ? ` · ${today.note}` : '');
      li.append(done);
    }
    li.append(releaseForm(line), historyOf(line));
    return li;
  }

  /** Today's check: reached or not, temperature, symptoms, note. */
  function checkForm(line) {
    const e = line.entry;
    const reached = h('input', { type: 'checkbox', checked: true, 'data-testid': 'check-reached' });
    const reachedId = `reached-${uid(line)}`;
    reached.id = reachedId;
    reached.name = 'reached';
    const reachedLabel = bi('label', 'kp.reached');
    reachedLabel.htmlFor = reachedId;
    const temperature = h('input', { type: 'number', inputmode: 'decimal', step: '0.1', min: '34', max: '43', 'data-testid': 'check-temperature' });
    const symptoms = h('fieldset', { class: 'field checks-field' },
      bi('legend', 'kp.symptoms'),
      h('div', { class: 'checks' }, ...SYMPTOMS.map(s => {
        const id = `symptom-${s}-${uid(line)}`;
        const box = h('input', { type: 'checkbox', id, name: 'symptoms', value: s, 'data-testid': `check-symptom-${s}` });
        const label = bi('label', `symptom.${s}`);
        label.htmlFor = id;
        return h('div', { class: 'check' }, box, label);
      })),
      h('p', { class: 'field-error', 'data-field': 'symptoms' }));
    const note = h('input', { maxlength: 300, autocomplete: 'off', 'data-testid': 'check-note' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'check-submit' });
    submit.append(bi('span', 'kp.record'));
    const tempField = field(uid(line), 'temperature', 'common.temperature', temperature);
    const form = h('form', { class: 'entry-action check-form', novalidate: true, 'data-testid': 'check-form' },
      h('div', { class: 'field check' }, reached, reachedLabel, h('p', { class: 'field-error', 'data-field': 'reached' })),
      h('div', { class: 'check-grid' }, tempField, field(uid(line), 'note', 'kp.note', note)),
      symptoms, submit);
    const sync = () => {
      tempField.hidden = !reached.checked;
      symptoms.hidden = !reached.checked;
    };
    reached.addEventListener('change', sync);
    sync();
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      ctx.busy(submit, form, async () => {
        const isReached = reached.checked;
        if (isReached && temperature.value.trim() === '') throw ctx.localProblem('temperature', 'kp.temperatureRequired');
        const body = {
          reached: isReached,
          temperature: isReached ? Number(temperature.value) : null,
          symptoms: isReached ? [...form.querySelectorAll('input[name=symptoms]:checked')].map(b => b.value) : [],
          note: note.value.trim() || null,
        };
        const entry = await ctx.api('POST', `${base(line.residentKey)}/${encodeURIComponent(e.id)}/daily-check`, body);
        await afterChange('kp.recorded', { residentKey: line.residentKey, entryId: entry.id });
      });
    });
    return form;
  }

  function releaseForm(line) {
    const e = line.entry;
    const reason = h('input', { maxlength: 500, autocomplete: 'off', required: true, 'data-testid': 'release-reason' });
    const submit = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'release-submit' });
    submit.append(bi('span', 'kp.release'));
    const form = h('form', { class: 'entry-action', novalidate: true, 'data-testid': 'release-form' },
      field(uid(line), 'reason', 'kp.releaseReason', reason), submit);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      ctx.busy(submit, form, async () => {
        if (!reason.value.trim()) throw ctx.localProblem('reason', 'kp.reasonRequired');
        const entry = await ctx.api('POST', `${base(line.residentKey)}/${encodeURIComponent(e.id)}/release`, { reason: reason.value.trim() });
        await afterChange('kp.released', { residentKey: line.residentKey, entryId: entry.id });
      });
    });
    const details = h('details', { class: 'entry-more', 'data-testid': 'release-details' });
    const summary = h('summary');
    summary.append(bi('span', 'kp.release'));
    details.append(summary, form);
    return details;
  }

  function closedItem(line) {
    const e = line.entry;
    const li = entryShell(line, 'closed-entry');
    li.append(facts([
      ['kp.h.closed', e.closedOn],
      ['kp.reason', e.closeReason, 'entry-close-reason'],
    ]), historyOf(line));
    return li;
  }

  /** Everything that happened to the entry, oldest first: registered, measure started, each day's follow-up, closed. */
  function historyOf(line) {
    const e = line.entry;
    const items = [];
    const item = (when, key, text, testid = 'entry-event') => {
      const li = h('li', { 'data-testid': testid });
      li.append(h('time', {}, when ?? ''), ' ', bi('strong', key), text ? ` ${text}` : '');
      items.push(li);
    };
    item(formatDateTime(e.createdAt), 'kp.h.created', `${t(`kp.${e.category}`)} · ${e.source}${e.createdBy ? ` · ${t('kp.by')} ${e.createdBy}` : ''}`);
    if (e.openedOn) item(e.openedOn, 'kp.h.opened', t(`measure.${e.measure}`, e.measure));
    for (const f of e.followUps ?? []) {
      item(f.day, `fu.${f.status}`, `${f.note ?? ''}${f.by ? ` · ${t('kp.by')} ${f.by}` : ''}`, 'entry-follow-up');
    }
    if (e.closedOn) item(e.closedOn, `kpStatus.${e.status}`, e.closeReason ?? '');
    const details = h('details', { class: 'entry-more', 'data-testid': 'entry-history' });
    const summary = h('summary');
    summary.append(bi('span', 'kp.history'), ` (${items.length})`);
    details.append(summary, h('ol', { class: 'history entry-history' }, ...items));
    return details;
  }

  const entrySelector = ({ residentKey, entryId }) =>
    `[data-testid=register-pane] li.entry[data-resident-key="${CSS.escape(residentKey)}"][data-entry-id="${CSS.escape(entryId)}"]`;

  function focusEntry(target) {
    const el = target && document.querySelector(entrySelector(target));
    if (el) {
      el.scrollIntoView?.({ block: 'center' });
      el.focus({ preventScroll: true });
      el.classList.add('just-changed');
    }
  }

  /** After an action: a notice, the register and the village's counts read again, focus on the result. */
  async function afterChange(noticeKey, target, headingId) {
    ctx.showNotice(t(noticeKey));
    await load(state.code);
    await ctx.changed();
    if (target && document.querySelector(entrySelector(target))) focusEntry(target);
    else document.getElementById(headingId ?? 'register-h')?.focus();
  }

  // ------------------------------------------------------------ registering an entry

  const search = $('kp-resident-search');
  search.addEventListener('submit', ev => {
    ev.preventDefault();
    ctx.busy($('kp-resident-search-submit'), search, async () => {
      const page = await ctx.api('POST', `/api/villages/${encodeURIComponent(state.code)}/residents/search`,
        { query: search.elements.query.value.trim(), take: 10 });
      const items = page.items ?? [];
      const box = $('kp-candidates');
      box.replaceChildren(...items.map((r, i) => {
        const id = `kp-candidate-${i}`;
        const radio = h('input', { type: 'radio', id, name: 'residentKey', value: r.residentKey, 'data-testid': 'kp-candidate', checked: items.length === 1 });
        const head = (r.household?.members ?? []).find(m => m.isHead);
        const label = h('label', { for: id },
          h('span', { class: 'row-name' }, r.name), ' ', h('span', { class: 'row-id' }, r.maskedIdNumber),
          head && head.residentKey !== r.residentKey ? h('span', { class: 'row-id' }, ` · ${t('household.head')} ${head.name}`) : '');
        return h('div', { class: 'check' }, radio, label);
      }));
      const empty = $('kp-candidates-empty');
      empty.hidden = items.length > 0;
      fill(empty, items.length ? 'kp.searchFirst' : 'kp.noCandidates');
      (box.querySelector('input:checked') ?? box.querySelector('input') ?? search.elements.query).focus();
    });
  });

  form.addEventListener('submit', ev => {
    ev.preventDefault();
    ctx.busy($('kp-submit'), form, async () => {
      const residentKey = form.querySelector('input[name=residentKey]:checked')?.value;
      if (!residentKey) throw ctx.localProblem('residentKey', 'kp.chooseResident');
      const value = name => form.elements[name].value.trim() || null;
      const entry = await ctx.api('POST', `${base(residentKey)}/`, {
        category: value('category'), measure: value('measure'), site: value('measure') === 'CentralIsolation' ? value('site') : null,
        exposureDate: value('exposureDate'), origin: value('origin'), problems: value('problems'),
      });
      form.reset();
      form.elements.exposureDate.value = state.today;
      syncSite();
      $('kp-candidates').replaceChildren();
      $('kp-candidates-empty').hidden = false;
      search.reset();
      await afterChange('kp.registered', { residentKey, entryId: entry.id });
    });
  });

  return {
    load,
    get code() { return state.code; },
    reset() { state.code = null; state.lines = []; state.category = 'all'; },
  };
}
