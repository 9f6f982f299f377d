// 同行查询发布 · the commanders' publication page for platform 2: publish a confirmed case's trip, import
// the published lists as CSV (report by line), list what is published and withdraw a wrong publication
// with a reason. Uses the staff session that staff.html keeps in sessionStorage, or signs in itself the same way.
// Plain ES module, no framework, no network beyond this site's own API.
import { applyI18n, register, bi, t } from './i18n.js';
import { $ } from './dom.js';
import { mountChrome } from './chrome.js';
import { request } from './http.js';
import { createMessages } from './problems.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView, renderWho } from './session.js';
import { formatDateTime } from './format.js';
import { addModeOptions, seatText } from './trip-fields.js';

register({
  'tp.title': ['病例行程发布（同行查询）', 'Co-traveler: publish cases\' trips'],
  'tp.subtitle': ['指挥部', 'Command centre'],
  'tp.signin.intro': ['仅指挥部和管理员可发布', 'Commanders and administrators only'],
  'tp.refused': ['无权发布病例行程', 'You may not publish cases\' trips'],
  'tp.refusedIntro': ['请使用指挥部或管理员账号登录', 'Sign in with a commander or administrator account'],
  'tp.staffHome': ['工作台', 'Staff consoles'],
  'tp.publicQuery': ['居民同行查询', 'Public co-traveler check'],

  'tp.seatOptional': ['座位号（选填）', 'Seat (optional)'],
  'tp.from': ['上车站 / 出发地（选填）', 'From (optional)'],
  'tp.to': ['下车站 / 目的地（选填）', 'To (optional)'],
  'tp.source': ['信息来源', 'Source'],
  'tp.sourcePlaceholder': ['如 三门峡市卫健委通报', 'e.g. the city health commission bulletin'],
  'tp.publish.heading': ['发布病例行程', 'Publish a case\'s trip'],
  'tp.publish.intro': ['发布后，登记了该行程的居民会收到提醒，所在村（社区）会收到待核实的密接人员', 'Residents who saved the trip are told at once; their villages get a pending close-contact entry'],
  'tp.publish.submit': ['发布', 'Publish'],
  'tp.published': ['已发布', 'Published'],

  'tp.import.heading': ['导入病例行程名单（CSV）', 'Import a list (CSV)'],
  'tp.import.intro': ['首行须为表头（重复导入不会重复发布）：', 'The first line must be the header (importing twice publishes nothing twice):'],
  'tp.import.file': ['选择 CSV 文件', 'CSV file'],
  'tp.import.submit': ['上传并导入', 'Upload and import'],
  'tp.import.chooseFile': ['请选择文件', 'choose a file'],
  'tp.import.rows': ['行数', 'Rows'],
  'tp.import.published': ['已发布', 'Published'],
  'tp.import.errors': ['错误', 'Errors'],
  'tp.import.line': ['行号', 'Line'],
  'tp.import.field': ['字段', 'Field'],
  'tp.import.reason': ['原因', 'Reason'],
  'tp.import.noErrors': ['没有错误', 'No errors'],
  'tp.import.done': ['导入完成', 'Import finished'],

  'tp.list.heading': ['已发布的行程', 'Published trips'],
  'tp.list.intro': ['撤回须填写原因，撤回后相关居民的提醒和待核实记录会一并撤销', 'A withdrawal needs a reason; the residents\' matches and pending entries are undone'],
  'tp.list.refresh': ['刷新', 'Refresh'],
  'tp.list.empty': ['尚未发布', 'Nothing published yet'],
  'tp.list.allWithdrawn': ['该行程的病例均已撤回', 'Every case on this trip was withdrawn'],
  'tp.col.seat': ['车厢 / 座位', 'Carriage / seat'],
  'tp.col.route': ['区间', 'From → to'],
  'tp.col.source': ['来源', 'Source'],
  'tp.col.publishedAt': ['发布时间', 'Published'],
  'tp.col.by': ['发布人', 'By'],
  'tp.withdraw': ['撤回', 'Withdraw'],
  'tp.withdraw.reason': ['撤回原因（必填）', 'Why it is withdrawn (required)'],
  'tp.withdraw.confirm': ['确认撤回', 'Confirm withdrawal'],
  'tp.withdraw.cancel': ['取消', 'Cancel'],
  'tp.withdraw.required': ['请填写撤回原因', 'a reason is required'],
  'tp.withdrawn': ['已撤回', 'Withdrawn'],
});

const ROLES = ['commander', 'admin'];

// ---------------------------------------------------------------- session + API + messages (as staff.js)

const api = createStaffApi(() => { showView('signin'); showNotice(t('common.sessionExpired')); });

const { clearError, showProblem, localProblem, showNotice, busy, fieldLabel } = createMessages({
  fieldLabels: {
    username: 'staff.signin.username', password: 'staff.signin.password', mode: 'trip.mode', number: 'trip.number',
    date: 'trip.date', carriage: 'trip.carriage', row: 'trip.row', seat: 'trip.seat', from: 'tp.from', to: 'tp.to',
    source: 'tp.source', file: 'tp.import.file', reason: 'tp.withdraw.reason',
  },
});

// ---------------------------------------------------------------- views

function showView(name) {
  showStaffView(['signin', 'refused', 'main'], name);
  if (name !== 'signin') renderWho();
}

async function enter() {
  if (!session.valid) {
    session.clear();
    showView('signin');
    return;
  }
  if (!ROLES.includes(session.info?.role)) {
    showView('refused');
    return;
  }
  showView('main');
  await loadPublished();
}

// ---------------------------------------------------------------- forms

function setupSignIn() {
  setupStaffSignIn({
    api,
    run: busy,
    signedIn: () => enter(),
    signedOut: () => {
      clearError();
      $('published-trips').replaceChildren();
      $('import-report').hidden = true;
      showView('signin');
    },
  });
}

const intOrNull = value => (String(value ?? '').trim() === '' ? null : Number(value));
const textOrNull = value => (String(value ?? '').trim() === '' ? null : String(value).trim());

function setupPublish() {
  const form = $('publish-form');
  addModeOptions(form.elements.mode);
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('publish-submit'), form, async () => {
      const el = form.elements;
      const result = await api('POST', '/api/trips/cases', {
        mode: el.mode.value,
        number: el.number.value.trim(),
        date: el.date.value || null,
        carriage: intOrNull(el.carriage.value),
        row: intOrNull(el.row.value),
        seat: textOrNull(el.seat.value),
        from: textOrNull(el.from.value),
        to: textOrNull(el.to.value),
        source: el.source.value.trim(),
      });
      for (const name of ['number', 'carriage', 'row', 'seat', 'from', 'to']) el[name].value = '';
      showNotice(`${t('tp.published')}: ${result?.trip ?? ''} ${result?.published?.caseId ?? ''}`.trim());
      $('publish-form').dataset.lastCase = result?.published?.caseId ?? '';
      await loadPublished();
    });
  });
}

function setupImport() {
  const form = $('import-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('import-submit'), form, async () => {
      const file = form.elements.file.files?.[0];
      if (!file) throw localProblem('file', 'tp.import.chooseFile');
      const report = await api('POST', '/api/trips/cases/import', file, { raw: true, contentType: 'text/csv' });
      renderReport(report);
      showNotice(t('tp.import.done'));
      await loadPublished();
    });
  });
}

function renderReport(report) {
  const box = $('import-report');
  const errors = report?.errors ?? [];
  $('import-rows').textContent = String(report?.rows ?? 0);
  $('import-published').textContent = String(report?.published ?? 0);
  $('import-error-count').textContent = String(errors.length);
  box.dataset.rows = String(report?.rows ?? 0);
  box.dataset.published = String(report?.published ?? 0);
  box.dataset.errors = String(errors.length);
  const body = $('import-errors').querySelector('tbody');
  body.replaceChildren();
  if (errors.length === 0) {
    const tr = document.createElement('tr');
    const td = bi('td', 'tp.import.noErrors');
    td.colSpan = 3;
    td.className = 'empty';
    tr.append(td);
    body.append(tr);
  }
  for (const error of errors) {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'import-error';
    tr.dataset.line = String(error.line);
    tr.dataset.field = error.field;
    for (const value of [error.line, fieldLabel(error.field), error.reason]) {
      const td = document.createElement('td');
      td.textContent = String(value);
      tr.append(td);
    }
    body.append(tr);
  }
  box.hidden = false;
}

// ---------------------------------------------------------------- published list + withdrawal

async function loadPublished() {
  const trips = await api('GET', '/api/trips/cases');
  renderPublished(trips ?? []);
}

const caseSeat = seat => seatText(seat?.carriage, seat?.row, seat?.seat) || '—';

function renderPublished(trips) {
  const root = $('published-trips');
  root.replaceChildren();
  if (trips.length === 0) {
    const p = bi('p', 'tp.list.empty');
    p.className = 'empty';
    p.dataset.testid = 'published-empty';
    root.append(p);
    return;
  }
  for (const trip of trips) {
    const block = document.createElement('article');
    block.className = 'tp-trip';
    block.dataset.testid = 'published-trip';
    block.dataset.trip = trip.trip;
    block.dataset.number = trip.number;
    const head = document.createElement('h3');
    head.textContent = `${t(`mode.${trip.mode}`, trip.mode)} ${trip.number} · ${trip.date}`;
    block.append(head);
    const cases = trip.cases ?? [];
    if (cases.length === 0) {
      const p = bi('p', 'tp.list.allWithdrawn');
      p.className = 'hint';
      block.append(p);
      root.append(block);
      continue;
    }
    const wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    const table = document.createElement('table');
    table.className = 'tp-table tp-cases';
    const thead = document.createElement('thead');
    const hr = document.createElement('tr');
    for (const key of ['tp.col.seat', 'tp.col.route', 'tp.col.source', 'tp.col.publishedAt', 'tp.col.by']) hr.append(bi('th', key));
    hr.append(document.createElement('th'));
    thead.append(hr);
    const tbody = document.createElement('tbody');
    for (const c of cases) tbody.append(...caseRows(trip, c));
    table.append(thead, tbody);
    wrap.append(table);
    block.append(wrap);
    root.append(block);
  }
}

function caseRows(trip, c) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'published-case';
  tr.dataset.caseId = c.caseId;
  tr.dataset.withdrawn = String(!!c.withdrawn);
  const route = c.from || c.to ? `${c.from ?? '?'} → ${c.to ?? '?'}` : '—';
  const cells = [[caseSeat(c.seat), 'tp.col.seat'], [route, 'tp.col.route'], [c.source, 'tp.col.source'],
    [formatDateTime(c.publishedAt), 'tp.col.publishedAt'], [c.publishedBy ?? '', 'tp.col.by']];
  for (const [value, label] of cells) {
    const td = document.createElement('td');
    td.dataset.label = t(label);
    td.textContent = value;
    tr.append(td);
  }
  const actions = document.createElement('td');
  const formRow = document.createElement('tr');
  formRow.className = 'tp-withdraw-row';
  formRow.hidden = true;
  if (c.withdrawn) {
    const badge = bi('span', 'tp.withdrawn');
    badge.className = 'badge';
    actions.append(badge);
  } else {
    const button = bi('button', 'tp.withdraw');
    button.type = 'button';
    button.className = 'secondary danger';
    button.dataset.testid = 'case-withdraw';
    button.setAttribute('aria-label', `${t('tp.withdraw')} ${trip.number} ${caseSeat(c.seat)}`);
    button.addEventListener('click', () => {
      formRow.hidden = false;
      formRow.querySelector('textarea').focus();
    });
    actions.append(button);
    formRow.append(withdrawCell(trip, c, formRow));
  }
  tr.append(actions);
  return [tr, formRow];
}

let uid = 0;
function withdrawCell(trip, c, formRow) {
  const td = document.createElement('td');
  td.colSpan = 6;
  const form = document.createElement('form');
  form.noValidate = true;
  form.className = 'tp-withdraw';
  form.dataset.testid = 'withdraw-form';
  const field = document.createElement('div');
  field.className = 'field';
  const id = `withdraw-reason-${++uid}`;
  const label = bi('label', 'tp.withdraw.reason');
  label.htmlFor = id;
  const reason = document.createElement('textarea');
  reason.id = id;
  reason.name = 'reason';
  reason.rows = 2;
  reason.maxLength = 500;
  reason.required = true;
  reason.dataset.testid = 'withdraw-reason';
  const error = document.createElement('p');
  error.className = 'field-error';
  error.dataset.field = 'reason';
  error.dataset.testid = 'withdraw-error-reason';
  field.append(label, reason, error);
  const confirm = bi('button', 'tp.withdraw.confirm');
  confirm.type = 'submit';
  confirm.className = 'primary danger';
  confirm.dataset.testid = 'withdraw-confirm';
  const cancel = bi('button', 'tp.withdraw.cancel');
  cancel.type = 'button';
  cancel.className = 'link';
  cancel.addEventListener('click', () => { formRow.hidden = true; reason.value = ''; });
  const buttons = document.createElement('div');
  buttons.className = 'tp-buttons';
  buttons.append(confirm, cancel);
  form.append(field, buttons);
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy(confirm, form, async () => {
      const text = reason.value.trim();
      if (!text) throw localProblem('reason', 'tp.withdraw.required');
      await api('POST', `/api/trips/${encodeURIComponent(trip.trip)}/cases/${encodeURIComponent(c.caseId)}/withdraw`, { reason: text });
      showNotice(`${t('tp.withdrawn')}: ${trip.number} ${caseSeat(c.seat)}`);
      await loadPublished();
    });
  });
  td.append(form);
  return td;
}

// ---------------------------------------------------------------- start

async function loadToday() {
  try {
    const time = await request('GET', '/api/time', undefined, { credentials: 'omit' });
    const input = $('publish-date');
    input.max = time.today;
    if (!input.value) input.value = time.today;
  } catch {
    // the date field can be filled by hand
  }
}

async function start() {
  mountChrome();
  mountStaffSignIn();
  applyI18n();
  document.title = t('tp.title');
  setupSignIn();
  setupPublish();
  setupImport();
  $('list-refresh').addEventListener('click', () => busy($('list-refresh'), null, loadPublished));
  await loadToday();
  try {
    await enter();
  } catch (e) {
    if (!e?.signedOut) showProblem(e);
  }
  document.body.dataset.ready = 'true';
}

start();
