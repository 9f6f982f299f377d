// 审计日志 · the audit reader (administrators and auditors): filter the append-only trail by resident (the ID number
// is typed in and sent in a POST body, never put in a URL or kept), actor, action, region and time; page with the
// server's opaque cursor; "who looked at this resident"; the break-the-glass tab; export the filtered trail as CSV
// (the server records the export). Uses the staff session staff.html keeps, or signs in itself the same way.
import { applyI18n, register, bi, t } from './i18n.js';
import { $, h } from './dom.js';
import { mountChrome } from './chrome.js';
import { createMessages } from './problems.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView, renderWho } from './session.js';
import { formatDateTime } from './format.js';
import { downloadFile } from './download.js';

register({
  'au.title': ['审计日志', 'Audit trail'],
  'au.subtitle': ['谁查看或修改了谁的个人信息', 'Who read or changed whose personal data'],
  'au.signin.intro': ['仅管理员和审计员可查看', 'Administrators and auditors only'],
  'au.refused': ['无权查看审计日志', 'You may not read the audit trail'],
  'au.refusedIntro': ['请使用管理员或审计员账号登录', 'Sign in with an administrator or auditor account'],
  'au.filter.heading': ['筛选', 'Filter'],
  'au.filter.intro': ['身份证号只用于匹配，不会保存或出现在网址中；所有条件同时生效', 'The ID number is only matched, never kept or put in an address; all filters apply together'],
  'au.tab.all': ['全部记录', 'All entries'],
  'au.tab.breakGlass': ['破窗访问（待复核）', 'Break-the-glass (to review)'],
  'au.idNumber': ['居民身份证号', 'Resident\'s ID number'],
  'au.actor': ['操作人（用户名）', 'Actor (username)'],
  'au.action': ['操作', 'Action'],
  'au.region': ['区域代码（含下级）', 'Region code (and below)'],
  'au.from': ['起始时间（北京时间）', 'From (Beijing time)'],
  'au.to': ['截止时间（北京时间）', 'To (Beijing time)'],
  'au.search': ['查询', 'Search'],
  'au.export': ['导出 CSV', 'Export CSV'],
  'au.clear': ['清空条件', 'Clear filters'],
  'au.more': ['加载更多', 'Load more'],
  'au.exported': ['已导出（导出已记入审计日志）', 'Exported (the export is on the audit trail)'],
  'au.who.heading': ['谁查看过该居民', 'Who looked at this resident'],
  'au.who.subject': ['居民标识', 'Resident key'],
  'au.rows.heading': ['审计记录', 'Entries'],
  'au.rows.count': ['已显示', 'Shown'],
  'au.rows.more': ['还有更多', 'more available'],
  'au.rows.empty': ['没有符合条件的记录', 'No entries match'],
  'au.col.at': ['时间', 'Time'],
  'au.col.actor': ['操作人', 'Actor'],
  'au.col.role': ['角色', 'Role'],
  'au.col.action': ['操作', 'Action'],
  'au.col.subject': ['居民标识', 'Subject key'],
  'au.col.region': ['区域', 'Region'],
  'au.col.detail': ['说明', 'Detail'],
  'au.col.entries': ['次数', 'Entries'],
  'au.col.first': ['首次', 'First'],
  'au.col.last': ['最近', 'Last'],
});

const ROLES = ['admin', 'auditor'];
const ACTIONS = ['resident.read', 'resident.passes.read', 'village.residents.list', 'code.verify', 'key-person.register.list',
  'break-glass.open', 'break-glass.resident.read', 'break-glass.resident.passes.read', 'audit.search', 'audit.export',
  'staff.create', 'staff.disable', 'staff.enable', 'residents.import', 'resident.fever.cleared', 'resident.need.handled'];

const api = createStaffApi(() => { showView('signin'); showNotice(t('common.sessionExpired')); });

const { clearError, showProblem, localProblem, showNotice, busy } = createMessages({
  fieldLabels: {
    username: 'staff.signin.username', password: 'staff.signin.password', idNumber: 'au.idNumber', residentKey: 'au.col.subject',
    actor: 'au.actor', action: 'au.action', region: 'au.region', from: 'au.from', to: 'au.to', cursor: 'au.more', take: 'au.more',
  },
});

let tab = 'all';
let lastFilters = null;
let nextCursor = null;
let shown = 0;

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
  await search();
}

/** A datetime-local value is Beijing time (the city's); '' is no bound. */
const instant = value => (value ? `${value}:00+08:00` : null);
const textOrNull = value => (String(value ?? '').trim() === '' ? null : String(value).trim());

function filters() {
  const el = $('audit-form').elements;
  return {
    idNumber: textOrNull(el.idNumber.value)?.toUpperCase() ?? null,
    actor: textOrNull(el.actor.value)?.toLowerCase() ?? null,
    action: tab === 'break-glass' ? null : textOrNull(el.action.value),
    region: textOrNull(el.region.value),
    from: instant(el.from.value),
    to: instant(el.to.value),
    breakGlass: tab === 'break-glass',
  };
}

async function search() {
  lastFilters = filters();
  const page = await api('POST', '/api/audit/search', { ...lastFilters, take: 50 });
  shown = 0;
  $('audit-rows').querySelector('tbody').replaceChildren();
  renderWhoLooked(page);
  appendRows(page);
}

async function more() {
  if (!nextCursor || !lastFilters) return;
  const page = await api('POST', '/api/audit/search', { ...lastFilters, cursor: nextCursor, take: 50 });
  appendRows(page);
}

function renderWhoLooked(page) {
  const box = $('who-looked');
  box.hidden = !page?.subjectKey;
  const body = $('who-table').querySelector('tbody');
  body.replaceChildren();
  if (!page?.subjectKey) return;
  $('who-subject').replaceChildren(`${t('au.who.subject')}: `, h('code', { 'data-testid': 'who-subject-key' }, page.subjectKey));
  for (const a of page.actors ?? []) {
    body.append(h('tr', { 'data-testid': 'who-row', 'data-actor': a.actorId },
      h('td', {}, a.actorId), h('td', {}, t(`role.${a.actorRole}`, a.actorRole)), h('td', {}, String(a.entries)),
      h('td', {}, formatDateTime(a.first)), h('td', {}, formatDateTime(a.last))));
  }
  if ((page.actors ?? []).length === 0) body.append(h('tr', {}, cellSpan(5, 'au.rows.empty')));
}

function cellSpan(span, key) {
  const td = bi('td', key);
  td.colSpan = span;
  td.className = 'empty';
  return td;
}

function appendRows(page) {
  const body = $('audit-rows').querySelector('tbody');
  const items = page?.items ?? [];
  for (const r of items) {
    body.append(h('tr', {
      'data-testid': 'audit-row', 'data-actor': r.actorId, 'data-action': r.action, 'data-id': String(r.id),
      class: r.action.startsWith('break-glass.') ? 'au-break-glass' : null,
    },
    h('td', {}, formatDateTime(r.at)), h('td', {}, r.actorId), h('td', {}, t(`role.${r.actorRole}`, r.actorRole)),
    h('td', {}, h('code', {}, r.action)), h('td', {}, r.subjectKey ? h('code', {}, r.subjectKey) : ''),
    h('td', {}, r.regionCode ?? ''), h('td', { translate: 'no' }, r.detail ?? '')));
  }
  shown += items.length;
  if (shown === 0) body.append(h('tr', {}, cellSpan(7, 'au.rows.empty')));
  nextCursor = page?.next ?? null;
  $('audit-more').hidden = !nextCursor;
  const count = $('rows-count');
  count.dataset.shown = String(shown);
  count.textContent = `${t('au.rows.count')}: ${shown}${nextCursor ? ` (${t('au.rows.more')})` : ''}`;
}

function setTab(name) {
  tab = name;
  for (const button of document.querySelectorAll('[data-tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === name));
  $('filter-action').disabled = name === 'break-glass';
  document.body.dataset.tab = name;
}

function setup() {
  setupStaffSignIn({
    api,
    run: busy,
    signedIn: () => enter(),
    signedOut: () => {
      clearError();
      $('audit-form').reset();
      $('audit-rows').querySelector('tbody').replaceChildren();
      $('who-looked').hidden = true;
      showView('signin');
    },
  });
  $('action-list').replaceChildren(...ACTIONS.map(a => h('option', { value: a })));
  const form = $('audit-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('audit-search'), form, search);
  });
  for (const button of document.querySelectorAll('[data-tab]')) {
    button.addEventListener('click', () => {
      setTab(button.dataset.tab);
      busy(button, form, search);
    });
  }
  $('audit-more').addEventListener('click', () => busy($('audit-more'), form, more));
  $('audit-clear').addEventListener('click', () => {
    form.reset();
    busy($('audit-clear'), form, search);
  });
  $('audit-export').addEventListener('click', () => busy($('audit-export'), form, async () => {
    const wanted = filters();
    if (wanted.from && wanted.to && wanted.to <= wanted.from) throw localProblem('to', 'au.to');
    const name = await downloadFile('/api/audit/export', session.token, 'audit.csv', wanted);
    $('audit-export').dataset.file = name;
    showNotice(t('au.exported'));
  }));
}

async function start() {
  mountChrome();
  mountStaffSignIn();
  applyI18n();
  document.title = t('au.title');
  setup();
  setTab('all');
  try {
    await enter();
  } catch (e) {
    if (!e?.signedOut) showProblem(e);
  }
  document.body.dataset.ready = 'true';
}

start();
