// 工作人员入口 · the staff consoles entry and the village console (platforms 3 and 4): sign in with
// username + password, see the consoles the role may use; in a village of the jurisdiction see the
// counts, list residents by colour, fever, isolation, open needs and key-person category, open one
// (audited), mark a need handled, clear a fever after a visit, and onboard residents from CSV.
// Plain ES module, no framework, no network beyond this site's own API.
import { applyI18n, register, fill, bi, t, has } from './i18n.js';
import { $, h } from './dom.js';
import { mountChrome, showToday } from './chrome.js';
import { createMessages, statusKey } from './problems.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView, renderWho } from './session.js';
import { formatDateTime } from './format.js';
import { renderList, needItem, handledNote, historyItem } from './resident-records.js';
import { regionLabel, within, fillRegionSelect } from './regions.js';
import { setupRegister } from './key-persons.js';
import { downloadFile } from './download.js';
import { setupTickets } from './hotline.js';
import { setupDeletionRequests, loadDeletionRequests } from './deletion-requests.js';
import { setupBreakGlass, resetBreakGlass } from './break-glass.js';
import { setupVillageContact, loadVillageContact } from './village-contact.js';

register({
  'staff.title': ['三门峡疫情防控', 'Sanmenxia epidemic control'],
  'staff.subtitle': ['工作人员入口', 'Staff consoles'],
  'staff.signin.intro': ['请使用管理员分配的账号登录', 'Use the account your administrator gave you'],
  'staff.residentPortal': ['居民端', 'Resident portal'],
  'staff.consoles': ['工作台', 'Consoles'],
  'staff.noConsoles': ['您的角色暂无可用的工作台', 'No console is available to your role yet'],
  'staff.outside': ['不在您的管辖范围内', 'Outside your jurisdiction'],

  'console.village': ['村（社区）工作台', 'Village console'],
  'console.village.desc': ['居民分类、发热、隔离、求助，并处理', 'Residents by type, fever, isolation and open needs, and act on them'],
  'console.checkpoint': ['检测点登记', 'Checkpoint console'],
  'console.checkpoint.desc': ['扫码、刷身份证登记进出，今日统计', 'Register entries and exits by QR or ID card; today\'s counts'],
  'console.dashboard': ['指挥大数据', 'Command dashboard'],
  'console.dashboard.desc': ['全市汇总、趋势、逐级下钻', 'Totals, trends and drill-down by region'],
  'console.trips': ['同行查询发布', 'Co-traveler publication'],
  'console.audit': ['审计日志', 'Audit trail'],
  'console.audit.desc': ['谁查看或修改了谁的个人信息；破窗访问复核；导出', 'Who read or changed whose data; break-the-glass review; export'],
  'console.trips.desc': ['发布、导入、撤回确诊病例的行程', 'Publish, import and withdraw confirmed cases\' trips'],
  'console.admin': ['系统管理', 'Administration'],
  'console.admin.desc': ['工作人员账号、检测点、行政区划', 'Staff accounts, checkpoints and the region tree'],
  'console.docs': ['接口文档', 'API reference'],
  'console.docs.desc': ['交互式 API 文档', 'Interactive API reference'],
  'console.orleans': ['Orleans 集群监控', 'Orleans dashboard'],
  'console.orleans.desc': ['节点与 grain 运行状态', 'Silos and grains at a glance'],

  'village.pick': ['选择村（社区）', 'Choose a village or community'],
  'village.code': ['村（社区）代码（12 位）', 'Village code (12 digits)'],
  'village.open': ['打开', 'Open'],
  'village.refresh': ['刷新', 'Refresh'],
  'village.counts': ['统计', 'Counts'],
  'village.keyPersons': ['五类重点人员', 'The five key-person categories'],
  'village.residents': ['居民', 'Residents'],
  'village.noResidents': ['没有符合条件的居民', 'No residents match'],
  'village.total': ['共', 'Total'],
  'village.codeRequired': ['请输入 12 位村（社区）代码', 'enter a 12-digit village code'],
  'village.other': ['打开其他村（社区）', 'Open another village'],

  'search.label': ['查找居民：姓名、手机后 4 位或身份证后 2 位', 'Find a resident: name, last 4 phone digits or last 2 ID characters'],
  'search.submit': ['查找', 'Search'],
  'search.hint': ['不要输入完整的手机号或身份证号', 'Never type a whole phone or ID number'],
  'search.matched.name': ['姓名', 'name'],
  'search.matched.phoneSuffix': ['手机尾号', 'phone ending'],
  'search.matched.idSuffix': ['身份证尾号', 'ID ending'],
  'export.residents': ['导出名单（CSV）', 'Export list (CSV)'],
  'export.register': ['导出登记（CSV）', 'Export register (CSV)'],
  'export.done': ['已导出（访问已记录）', 'Exported (the export is audited)'],
  'count.notClockedInToday': ['今日未打卡', 'Not clocked in today'],
  'household.members': ['人', 'members'],

  'count.residents': ['居民', 'Residents'],
  'count.applied': ['已申领', 'Applied'],
  'count.green': ['绿码', 'Green'],
  'count.yellow': ['黄码', 'Yellow'],
  'count.red': ['红码', 'Red'],
  'count.clockedInToday': ['今日已打卡', 'Clocked in today'],
  'count.fever': ['发热', 'Fever'],
  'count.isolated': ['隔离中', 'Isolated'],
  'count.openNeeds': ['待处理求助', 'Open needs'],
  'count.fromOutsideCity': ['市外返回', 'From outside the city'],
  'count.fromHubei': ['湖北（非武汉）返回', 'From Hubei (not Wuhan)'],
  'count.fromWuhan': ['武汉返回', 'From Wuhan'],
  'count.closeContacts': ['密切接触者', 'Close contacts'],
  'count.feverNoExposure': ['无接触史发热', 'Fever, no known exposure'],

  'filter.colour': ['健康码', 'Code colour'],
  'filter.fever': ['发热', 'Fever'],
  'filter.isolated': ['隔离', 'Isolated'],
  'filter.openNeeds': ['待处理求助', 'Open needs'],
  'filter.clockedInToday': ['今日打卡', 'Clocked in today'],
  'filter.keyPerson': ['重点人员类别', 'Key-person category'],
  'filter.any': ['全部', 'Any'],
  'filter.reset': ['清除筛选', 'Clear filters'],

  'kp.FromOutsideCity': ['市外返回', 'From outside the city'],
  'kp.FromHubei': ['湖北返回', 'From Hubei'],
  'kp.FromWuhan': ['武汉返回', 'From Wuhan'],
  'kp.CloseContact': ['密接', 'Close contact'],
  'kp.FeverNoExposure': ['无接触史发热', 'Fever, no exposure'],
  'iso.None': ['无', 'None'],
  'iso.Home': ['居家隔离', 'Home isolation'],
  'iso.Central': ['集中隔离', 'Central isolation'],
  'iso.MedicalObservation': ['医学观察', 'Medical observation'],

  'col.name': ['姓名', 'Name'],
  'col.colour': ['健康码', 'Code'],
  'col.clockedIn': ['今日打卡', 'Clocked in'],
  'col.temperature': ['最近体温', 'Last temp.'],
  'col.needs': ['求助', 'Needs'],
  'col.keyPersons': ['重点人员', 'Key person'],
  'col.isolation': ['隔离', 'Isolation'],

  'page.prev': ['上一页', 'Previous'],
  'page.next': ['下一页', 'Next'],

  'detail.audited': ['访问已记录', 'access is audited'],
  'detail.household': ['户号', 'Household'],
  'detail.birth': ['出生日期', 'Born'],
  'detail.sex': ['性别', 'Sex'],
  'detail.male': ['男', 'Male'],
  'detail.female': ['女', 'Female'],
  'detail.registeredAt': ['登记时间', 'Registered'],
  'detail.noSelfReport': ['尚未填报', 'Nothing reported yet'],
  'detail.symptoms': ['症状', 'Symptoms'],
  'detail.travel': ['近期行程', 'Recent travel'],
  'detail.updatedAt': ['更新', 'Updated'],
  'detail.thisResident': ['本人', 'This resident'],

  'fever.heading': ['上门核查后解除发热', 'Clear the fever after a visit'],
  'fever.intro': ['请记录核查情况（体温、症状），操作将被记录', 'Note what was checked (temperature, symptoms); the action is recorded'],
  'fever.note': ['核查说明（必填）', 'What was checked (required)'],
  'fever.submit': ['解除发热', 'Clear fever'],
  'fever.required': ['请填写核查说明', 'a note is required'],
  'fever.cleared': ['已解除发热', 'Fever cleared'],

  'need.note': ['处理说明（选填）', 'Note (optional)'],
  'need.handle': ['标记已处理', 'Mark handled'],
  'need.handled': ['求助已标记为已处理', 'Need marked handled'],

  'import.heading': ['批量导入居民（CSV）', 'Onboard residents from CSV'],
  'import.intro': ['CSV 首行须为表头：', 'The first line must be the header:'],
  'import.file': ['选择 CSV 文件', 'CSV file'],
  'import.submit': ['上传并导入', 'Upload and import'],
  'import.chooseFile': ['请选择文件', 'choose a file'],
  'import.rows': ['行数', 'Rows'],
  'import.imported': ['新导入', 'Imported'],
  'import.already': ['已登记', 'Already registered'],
  'import.errorCount': ['错误', 'Errors'],
  'import.line': ['行号', 'Line'],
  'import.field': ['字段', 'Field'],
  'import.reason': ['原因', 'Reason'],
  'import.done': ['导入完成', 'Import finished'],
});

const CITY = '411200';
const PAGE_SIZE = 50;
const VILLAGE_ROLES = ['village', 'commander', 'admin'];
const DASHBOARD_ROLES = ['commander', 'admin'];
const TICKET_ROLES = ['hotline', 'commander', 'admin'];
// The consoles offered on the home view, in order, and the roles that see each.
const CONSOLES = [
  { name: 'tickets', href: '#/tickets', roles: TICKET_ROLES },
  { name: 'village', href: '#/village', roles: VILLAGE_ROLES },
  { name: 'glass', href: '#/break-glass', roles: VILLAGE_ROLES },
  { name: 'checkpoint', href: 'checkpoint.html', roles: ['checkpoint', 'admin'] },
  { name: 'dashboard', href: 'dashboard.html', roles: DASHBOARD_ROLES },
  { name: 'trips', href: 'trips.html', roles: DASHBOARD_ROLES },
  { name: 'audit', href: 'audit.html', roles: ['admin', 'auditor'] },
  { name: 'admin', href: 'admin.html', roles: ['admin'] },
  { name: 'docs', href: '/docs', roles: ['admin'] },
  { name: 'orleans', href: '/ops/orleans/', roles: ['admin'] },
];
const COLOURS = ['None', 'Green', 'Yellow', 'Red'];
const KEY_PERSONS = ['FromOutsideCity', 'FromHubei', 'FromWuhan', 'CloseContact', 'FeverNoExposure'];
const COUNTS = ['residents', 'applied', 'green', 'yellow', 'red', 'clockedInToday', 'notClockedInToday', 'fever', 'isolated', 'openNeeds'];
const KEY_COUNTS = ['fromOutsideCity', 'fromHubei', 'fromWuhan', 'closeContacts', 'feverNoExposure'];
// A count tile that narrows the list when clicked.
const COUNT_FILTERS = {
  green: { colour: 'Green' }, yellow: { colour: 'Yellow' }, red: { colour: 'Red' },
  clockedInToday: { clockedInToday: 'true' }, notClockedInToday: { clockedInToday: 'false' }, fever: { fever: 'true' }, isolated: { isolated: 'true' },
  openNeeds: { openNeeds: 'true' }, fromOutsideCity: { keyPerson: 'FromOutsideCity' }, fromHubei: { keyPerson: 'FromHubei' },
  fromWuhan: { keyPerson: 'FromWuhan' }, closeContacts: { keyPerson: 'CloseContact' }, feverNoExposure: { keyPerson: 'FeverNoExposure' },
};
const FILTER_NAMES = ['colour', 'fever', 'isolated', 'openNeeds', 'clockedInToday', 'keyPerson'];

// ---------------------------------------------------------------- session + API + messages

// A 401 sends the page back to sign-in, saying why.
const api = createStaffApi(() => { route('signin'); showNotice(t('common.sessionExpired')); });

const { clearError, showProblem, localProblem, showNotice, busy } = createMessages({
  fieldLabels: {
    username: 'staff.signin.username', password: 'staff.signin.password', code: 'village.code',
    note: 'fever.note', file: 'import.file', colour: 'filter.colour', keyPerson: 'filter.keyPerson',
    query: 'search.label', residentKey: 'kp.resident', category: 'kp.category', measure: 'kp.measure', site: 'kp.site',
    exposureDate: 'kp.exposureDate', origin: 'kp.origin', problems: 'kp.problems', reason: 'kp.reason',
    temperature: 'common.temperature', symptoms: 'kp.symptoms', reached: 'kp.reached',
    phone: 'call.phone', kind: 'call.kind', regionCode: 'call.place', address: 'call.address', description: 'call.description',
    name: 'call.name', result: 'act.result', outcome: 'act.outcome', department: 'act.dispatchTo', village: 'act.dispatchVillage',
    duplicateOf: 'act.duplicateOf', idNumber: 'glass.idNumber', dutyPhone: 'contact.phone',
  },
  // 403 is about the jurisdiction (or the role) here, whatever the body says.
  titleKey: status => (status === 403 ? 'staff.outside' : statusKey(status)),
  fallbackTitle: status => (status === 403 ? t('staff.outside') : t('common.error')),
});

// ---------------------------------------------------------------- formatting

function badge(key, fallback, cls = '') {
  const b = bi('span', key, fallback);
  b.className = `badge ${cls}`.trim();
  return b;
}

function colourBadge(colour) {
  const b = document.createElement('span');
  b.className = `colour-pill colour-${colour}`;
  b.dataset.testid = 'row-colour';
  b.dataset.colour = colour;
  b.textContent = t(`colour.${colour}`, colour);
  return b;
}

/** "FromWuhan, CloseContact" (a flags enum as JSON text) or a number → names. */
function keyPersonNames(value) {
  if (value == null || value === 'None' || value === 0) return [];
  if (typeof value === 'number') return KEY_PERSONS.filter((_, i) => value & (1 << i));
  return String(value).split(',').map(s => s.trim()).filter(s => s && s !== 'None');
}

async function loadTime() {
  try {
    showToday(await api('GET', '/api/time'));
  } catch {
    // The header date is a convenience only.
  }
}

// ---------------------------------------------------------------- jurisdiction

/** A region worth offering: inside the jurisdiction, or on the way down to it. */
const onPath = (code, jurisdiction) => within(code, jurisdiction) || within(jurisdiction, code);

// ---------------------------------------------------------------- views + routing

const VIEWS = ['signin', 'home', 'village', 'tickets', 'break-glass'];

const showView = name => showStaffView(VIEWS, name);

/** Navigation is the URL hash: #/ (consoles), #/village, #/village/<code>, #/break-glass. */
function route(forced) {
  if (forced === 'signin' || !session.valid) {
    if (!session.valid) session.clear();
    showView('signin');
    $('staff-username').focus?.();
    return;
  }
  renderWho();
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, code, pane] = hash.split('/');
  if (page === 'tickets' && TICKET_ROLES.includes(session.info?.role)) {
    showView('tickets');
    ticketsUi.enter().catch(e => { if (!e?.signedOut) showProblem(e); });
    return;
  }
  if (page === 'break-glass' && canUseVillage()) {
    showView('break-glass');
    return;
  }
  if (page === 'village' && canUseVillage()) {
    showView('village');
    enterVillageConsole(code ?? '', ['register', 'tickets'].includes(pane) ? pane : 'residents').catch(e => { if (!e?.signedOut) showProblem(e); });
    return;
  }
  showHome();
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash; // hashchange → route()
}

function canUseVillage() {
  return VILLAGE_ROLES.includes(session.info?.role);
}

/** The consoles list: one item per console (labels console.<name> and console.<name>.desc), shown to its roles. */
function buildConsoles() {
  $('consoles').replaceChildren(...CONSOLES.map(({ name, href }) => h('li', { 'data-console': name, hidden: true },
    h('a', { class: 'console', href, 'data-testid': `console-${name}` },
      h('span', { class: 'console-name', 'data-i18n': `console.${name}` }),
      h('span', { class: 'console-desc', 'data-i18n': `console.${name}.desc` })))));
}

function showHome() {
  showView('home');
  const role = session.info?.role;
  let any = false;
  for (const { name, roles } of CONSOLES) {
    const visible = roles.includes(role);
    document.querySelector(`[data-console="${name}"]`).hidden = !visible;
    any ||= visible;
  }
  $('no-consoles').hidden = any;
}

// ---------------------------------------------------------------- sign in

function setupSignIn() {
  setupStaffSignIn({
    api,
    run: busy,
    // One console only → straight into it; otherwise the list.
    // One console only, or a jurisdiction of exactly one village → straight into it; otherwise the list.
    signedIn: login => go(login.role === 'hotline' ? '#/tickets' : login.role === 'village' || (VILLAGE_ROLES.includes(login.role) && /^\d{12}$/.test(login.jurisdiction ?? ''))
      ? '#/village' : '#/'),
    signedOut: () => {
      closeVillage();
      village.cascadeReady = false;
      registerUi.reset();
      ticketsUi.reset();
      resetBreakGlass();
      $('search-query').value = '';
      $('village-code').value = '';
      $('import-report').hidden = true;
      clearError();
      history.replaceState(null, '', location.pathname);
      route('signin');
    },
  });
}

// ---------------------------------------------------------------- village console

const village = {
  code: null,
  info: null,
  skip: 0,
  total: 0,
  rows: new Map(),
  selected: null, // residentKey of the open detail
  cascadeReady: false,
};

/** The picker's regions: only those inside the jurisdiction or on the way down to it. */
async function fillPicker(select, parent) {
  const jurisdiction = session.info?.jurisdiction ?? CITY;
  await fillRegionSelect(select, parent, api, code => onPath(code, jurisdiction));
  if (!parent) return;
  // Only one choice (the jurisdiction itself, or the way down to it): take it.
  if (select.options.length === 2) {
    select.selectedIndex = 1;
    select.dispatchEvent(new Event('change'));
  }
}

function setupCascade() {
  const county = $('pick-county'), township = $('pick-township'), pickVillage = $('pick-village');
  const guard = fn => async () => { try { clearError(); await fn(); } catch (e) { if (!e?.signedOut) showProblem(e); } };
  county.addEventListener('change', guard(async () => {
    await fillPicker(pickVillage, null);
    await fillPicker(township, county.value);
  }));
  township.addEventListener('change', guard(() => fillPicker(pickVillage, township.value)));
  pickVillage.addEventListener('change', () => {
    if (pickVillage.value && pickVillage.value !== village.code) {
      $('village-code').value = pickVillage.value;
      go(`#/village/${pickVillage.value}`);
    }
  });
  const form = $('village-code-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    clearError();
    const code = form.elements.code.value.replace(/\s+/g, '');
    if (!/^\d{12}$/.test(code)) { showProblem(localProblem('code', 'village.codeRequired'), form); return; }
    go(`#/village/${code}`);
  });
}

async function prepareCascade() {
  const jurisdiction = session.info?.jurisdiction ?? '';
  const isVillageJurisdiction = /^\d{12}$/.test(jurisdiction);
  $('cascade').hidden = isVillageJurisdiction;
  // A jurisdiction of exactly one village: no picker, only a way to type another code (which the API refuses).
  $('village-other-wrap').hidden = !isVillageJurisdiction;
  if (!isVillageJurisdiction) $('village-picker').hidden = false;
  else if ($('village-other').getAttribute('aria-expanded') !== 'true') $('village-picker').hidden = true;
  if (!$('village-code').value && isVillageJurisdiction) $('village-code').value = jurisdiction;
  if (isVillageJurisdiction || village.cascadeReady) return;
  village.cascadeReady = true;
  await fillPicker($('pick-township'), null);
  await fillPicker($('pick-village'), null);
  await fillPicker($('pick-county'), CITY);
}

let villageRoute = 0;
async function enterVillageConsole(code, pane = 'residents') {
  const mine = ++villageRoute; // a newer route (a tab clicked while this village opens) wins
  await prepareCascade();
  const jurisdiction = session.info?.jurisdiction ?? '';
  if (!code && /^\d{12}$/.test(jurisdiction)) code = jurisdiction; // village staff: their own village
  if (!code) { closeVillage(); return; }
  if (code !== village.code) await openVillage(code);
  if (mine === villageRoute) await showPane(pane);
}

function setPaneLinks(code) {
  for (const tab of document.querySelectorAll('.pane-tab')) {
    const c = encodeURIComponent(code ?? '');
    tab.href = tab.dataset.pane === 'residents' ? `#/village/${c}` : `#/village/${c}/${tab.dataset.pane}`;
  }
}

/** The village's panes: the residents (counts, search, list, one resident), the key-person register and the tickets dispatched to it. */
async function showPane(pane) {
  village.pane = pane;
  for (const body of document.querySelectorAll('[data-pane-body]')) body.hidden = body.dataset.paneBody !== pane;
  setPaneLinks(village.code);
  for (const tab of document.querySelectorAll('.pane-tab')) {
    if (tab.dataset.pane === pane) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  }
  if (pane === 'register' && village.code) await registerUi.load(village.code);
  if (pane === 'tickets' && village.code) await ticketsUi.loadVillage(village.code);
  else ticketsUi.leaveVillage();
  if (pane === 'residents' && village.stale) { village.stale = false; await loadResidents(); }
}

function closeVillage() {
  village.code = null;
  $('village-panel').hidden = true;
  closeDetail();
}

async function openVillage(code) {
  clearError();
  $('village-code').value = code;
  closeVillage();
  const picker = $('village-picker');
  picker.dataset.state = 'loading';
  try {
    // Counts first: they refuse a village outside the jurisdiction (403) or an unknown one (404).
    const counts = await api('GET', `/api/villages/${encodeURIComponent(code)}/counts`);
    let info = null;
    try { info = await api('GET', `/api/regions/${encodeURIComponent(code)}`); } catch { /* the name is decoration */ }
    village.code = code;
    village.info = info;
    village.skip = 0;
    const panel = $('village-panel');
    panel.dataset.code = code;
    $('village-name').textContent = info ? regionLabel(info) : code;
    $('village-code-text').textContent = code;
    renderCounts(counts);
    setPaneLinks(code);
    panel.hidden = false;
    picker.dataset.state = 'open';
    await loadResidents();
    loadDeletionRequests(() => village.code, api).catch(() => { $('deletion-card').hidden = true; });
    loadVillageContact(code, api).catch(() => { $('village-contact-card').hidden = true; });
  } catch (e) {
    picker.dataset.state = 'refused';
    throw e;
  }
}

function renderCounts(counts) {
  counts = { ...counts, notClockedInToday: Math.max(0, (counts?.residents ?? 0) - (counts?.clockedInToday ?? 0)) };
  const tile = key => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = `count count-${key}`;
    button.dataset.testid = `count-${key}`;
    button.dataset.value = String(counts?.[key] ?? 0);
    const value = document.createElement('span');
    value.className = 'count-value';
    value.textContent = String(counts?.[key] ?? 0);
    const label = bi('span', `count.${key}`);
    label.className = 'count-label';
    button.append(value, label);
    const filter = COUNT_FILTERS[key];
    button.addEventListener('click', () => setFilters(filter ?? {}));
    return button;
  };
  $('counts').replaceChildren(...COUNTS.map(tile));
  $('counts-key').replaceChildren(...KEY_COUNTS.map(tile));
}

async function refreshCounts() {
  if (!village.code) return;
  renderCounts(await api('GET', `/api/villages/${encodeURIComponent(village.code)}/counts`));
}

// ---------------------------------------------------------------- filters + list

function setupFilters() {
  const form = $('filters');
  const option = (value, text) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  };
  form.elements.colour.replaceChildren(option('', t('filter.any')), ...COLOURS.map(c => option(c, t(`colour.${c}`))));
  form.elements.keyPerson.replaceChildren(option('', t('filter.any')), ...KEY_PERSONS.map(k => option(k, t(`kp.${k}`))));
  for (const select of form.querySelectorAll('[data-tristate]')) {
    select.replaceChildren(option('', t('filter.any')), option('true', t('common.yes')), option('false', t('common.no')));
  }
  form.addEventListener('change', () => { village.skip = 0; reloadList(); });
  form.addEventListener('submit', e => e.preventDefault());
  $('filter-reset').addEventListener('click', () => setFilters({}));
  const search = $('search-form');
  search.addEventListener('submit', e => {
    e.preventDefault();
    village.skip = 0;
    busy($('search-submit'), search, async () => {
      await loadResidents();
      // Focus the result: the first row found, or the "nobody" note.
      const first = $('residents').querySelector('tr');
      if (first) first.focus(); else $('residents-empty').focus();
    });
  });
  $('residents-export').addEventListener('click', () => busy($('residents-export'), null, async () => {
    const q = listQuery();
    q.delete('skip');
    q.delete('take');
    await downloadFile(`/api/villages/${encodeURIComponent(village.code)}/residents/export?${q}`, session.token, `residents-${village.code}.csv`);
    showNotice(t('export.done'));
  }));
  $('page-prev').addEventListener('click', () => { village.skip = Math.max(0, village.skip - PAGE_SIZE); reloadList(); });
  $('page-next').addEventListener('click', () => { village.skip += PAGE_SIZE; reloadList(); });
  $('village-refresh').addEventListener('click', () => busy($('village-refresh'), null, async () => {
    await refreshCounts();
    await loadResidents();
    if (village.selected) await openResident(village.selected, { keepScroll: true });
  }));
}

function setFilters(values) {
  const form = $('filters');
  for (const name of FILTER_NAMES) form.elements[name].value = values[name] ?? '';
  village.skip = 0;
  reloadList();
}

function reloadList() {
  clearError();
  loadResidents().catch(e => { if (!e?.signedOut) showProblem(e); });
}

function listQuery() {
  const form = $('filters');
  const q = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const v = form.elements[name].value;
    if (v) q.set(name, v);
  }
  q.set('skip', String(village.skip));
  q.set('take', String(PAGE_SIZE));
  return q;
}

/** The search body: the filters (tri-states as booleans), the typed name or last digits, the page. */
function searchBody() {
  const form = $('filters');
  const body = { query: $('search-query').value.trim() || null, skip: village.skip, take: PAGE_SIZE };
  for (const name of FILTER_NAMES) {
    const v = form.elements[name].value;
    if (v) body[name] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return body;
}

let listRequest = 0;
/** The list: red, then yellow, then not clocked in today first (the server's order), searched server-side by POST. */
async function loadResidents() {
  if (!village.code) return;
  const mine = ++listRequest;
  const table = $('residents-table');
  table.dataset.loaded = 'false';
  const query = listQuery();
  const page = await api('POST', `/api/villages/${encodeURIComponent(village.code)}/residents/search`, searchBody());
  if (mine !== listRequest) return; // a newer filter won
  village.total = page.total ?? 0;
  village.rows = new Map((page.items ?? []).map(r => [r.residentKey, r]));
  const body = $('residents');
  body.replaceChildren(...(page.items ?? []).map(residentRow));
  const empty = (page.items ?? []).length === 0;
  $('residents-empty').hidden = !empty;
  table.hidden = empty;
  const from = empty ? 0 : village.skip + 1;
  const to = village.skip + (page.items ?? []).length;
  $('residents-total').textContent = `${t('village.total')} ${village.total}`;
  $('residents-total').dataset.value = String(village.total);
  $('page-info').textContent = `${from}–${to} / ${village.total}`;
  $('page-prev').disabled = village.skip <= 0;
  $('page-next').disabled = to >= village.total;
  table.dataset.query = query.toString();
  table.dataset.loaded = 'true';
  highlightSelected();
}

function cell(label) {
  const td = document.createElement('td');
  td.dataset.label = label;
  return td;
}

function residentRow(r) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'resident-row';
  tr.dataset.residentKey = r.residentKey;
  tr.dataset.colour = r.colour;
  tr.dataset.fever = String(!!r.fever);
  tr.dataset.openNeeds = String(r.openNeeds ?? 0);
  tr.dataset.isolation = r.isolation ?? 'None';
  tr.tabIndex = 0;
  tr.setAttribute('role', 'button');
  tr.setAttribute('aria-label', `${r.name} ${t(`colour.${r.colour}`, r.colour)}`);

  const name = cell(t('col.name'));
  const strong = document.createElement('span');
  strong.className = 'row-name';
  strong.dataset.testid = 'row-name';
  strong.textContent = r.name;
  const id = document.createElement('span');
  id.className = 'row-id';
  id.textContent = r.maskedIdNumber ?? '';
  name.append(strong, id);
  if (r.matchedBy) {
    const matched = badge(`search.matched.${r.matchedBy}`, r.matchedBy, 'matched');
    matched.dataset.testid = 'row-matched';
    matched.dataset.matched = r.matchedBy;
    name.append(matched);
  }
  const members = r.household?.members ?? [];
  if (members.length > 0) {
    const head = members.find(m => m.isHead);
    const household = document.createElement('span');
    household.className = 'row-household';
    household.dataset.testid = 'row-household';
    const headLabel = t('household.head');
    household.textContent = head ? (head.residentKey === r.residentKey ? headLabel : `${headLabel} ${head.name}`) : '';
    household.textContent += `${head ? ' · ' : ''}${members.length} ${t('household.members')}`;
    household.title = members.map(m => m.name).join('、');
    name.append(household);
  }

  const colour = cell(t('col.colour'));
  colour.append(colourBadge(r.colour ?? 'None'));

  const clocked = cell(t('col.clockedIn'));
  clocked.dataset.testid = 'row-clocked-in';
  clocked.textContent = r.clockedInToday ? '✓' : '–';
  clocked.title = t(r.clockedInToday ? 'code.clockedInToday' : 'code.notClockedInToday');

  const temp = cell(t('col.temperature'));
  temp.dataset.testid = 'row-temperature';
  temp.textContent = r.lastTemperature != null ? `${Number(r.lastTemperature).toFixed(1)} °C` : '–';
  if (r.fever) {
    temp.classList.add('fever');
    temp.append(' ', badge('count.fever', null, 'fever-badge'));
  }

  const needs = cell(t('col.needs'));
  needs.dataset.testid = 'row-open-needs';
  needs.textContent = r.openNeeds ? String(r.openNeeds) : '–';
  if (r.openNeeds) needs.classList.add('has-needs');

  const kp = cell(t('col.keyPersons'));
  const names = keyPersonNames(r.keyPersons);
  if (names.length === 0) kp.textContent = '–';
  for (const k of names) kp.append(badge(`kp.${k}`, k, 'kp'));

  const iso = cell(t('col.isolation'));
  iso.textContent = !r.isolation || r.isolation === 'None' ? '–' : t(`iso.${r.isolation}`, r.isolation);

  tr.append(name, colour, clocked, temp, needs, kp, iso);
  const open = () => openResident(r.residentKey).catch(e => { if (!e?.signedOut) showProblem(e); });
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
  return tr;
}

function highlightSelected() {
  for (const tr of $('residents').querySelectorAll('tr')) {
    tr.setAttribute('aria-current', String(tr.dataset.residentKey === village.selected));
  }
}

// ---------------------------------------------------------------- one resident

function closeDetail() {
  village.selected = null;
  const panel = $('resident-detail');
  panel.hidden = true;
  delete panel.dataset.residentKey;
  highlightSelected();
}

function residentBase(key) {
  return `/api/villages/${encodeURIComponent(village.code)}/residents/${encodeURIComponent(key)}`;
}

async function openResident(key, { keepScroll } = {}) {
  clearError();
  const overview = await api('GET', residentBase(key));
  village.selected = key;
  renderDetail(overview);
  highlightSelected();
  const panel = $('resident-detail');
  panel.hidden = false;
  if (!keepScroll) {
    panel.scrollIntoView?.({ block: 'start' });
    panel.focus?.({ preventScroll: true });
  }
}

function fact(dl, key, value, testid) {
  const dt = bi('dt', key);
  const dd = document.createElement('dd');
  dd.textContent = value ?? '';
  if (testid) dd.dataset.testid = testid;
  dl.append(dt, dd);
}

function renderDetail(overview) {
  const panel = $('resident-detail');
  const profile = overview.profile ?? {};
  const code = overview.code ?? {};
  const ex = code.explanation ?? {};
  const colour = ex.colour ?? 'None';
  panel.dataset.residentKey = profile.residentKey ?? village.selected ?? '';
  panel.dataset.colour = colour;
  $('detail-name').textContent = profile.name ?? '';

  const dl = $('detail-profile');
  dl.replaceChildren();
  fact(dl, 'profile.idNumber', profile.maskedIdNumber, 'detail-id');
  fact(dl, 'profile.phone', profile.maskedPhone || '–');
  fact(dl, 'detail.birth', profile.birthDate);
  fact(dl, 'detail.sex', profile.isMale == null ? '' : t(profile.isMale ? 'detail.male' : 'detail.female'));
  fact(dl, 'detail.registeredAt', formatDateTime(profile.registeredAt));

  $('detail-code').dataset.colour = colour;
  const colourEl = $('detail-colour');
  colourEl.dataset.colour = colour;
  fill(colourEl, `colour.${colour}`, colour);
  const reason = $('detail-reason');
  reason.dataset.code = ex.reasonCode ?? '';
  if (ex.reasonCode && has(`reason.${ex.reasonCode}`)) fill(reason, `reason.${ex.reasonCode}`); else reason.textContent = ex.reason ?? '';
  const next = $('detail-next-step');
  next.dataset.code = ex.nextStepCode ?? '';
  if (ex.nextStepCode && has(`next.${ex.nextStepCode}`)) fill(next, `next.${ex.nextStepCode}`); else next.textContent = ex.nextStep ?? '';

  // Clear fever: when the code is blocked by a fever, or the village list says fever.
  const row = village.rows.get(profile.residentKey);
  const feverish = ex.reasonCode === 'blocked.fever' || !!row?.fever;
  const feverForm = $('clear-fever-form');
  feverForm.hidden = !feverish;
  feverForm.reset();

  loadHousehold(profile.residentKey ?? village.selected).catch(e => { if (!e?.signedOut) showProblem(e); });
  renderNeeds(overview.needs ?? []);
  renderSelfReport(overview.selfReport);
  renderHistory(code.history ?? []);
}

/** The resident's household as its members: names, the head marked, the resident themselves marked. */
async function loadHousehold(key) {
  const list = $('detail-household');
  list.dataset.loaded = 'false';
  const household = await api('GET', `${residentBase(key)}/household`);
  if (village.selected !== key) return;
  renderList(list, household.members ?? [], 'common.none', m => {
    const li = document.createElement('li');
    li.dataset.testid = 'household-member';
    li.dataset.head = String(!!m.isHead);
    const name = document.createElement('span');
    name.className = 'member-name';
    name.textContent = m.name;
    li.append(name);
    const badges = document.createElement('span');
    badges.className = 'badges';
    if (m.isHead) badges.append(badge('household.head'));
    if (m.residentKey === key) badges.append(badge('detail.thisResident'));
    li.append(badges);
    return li;
  });
  list.dataset.loaded = 'true';
}

/** Open needs first (each with its "mark handled" form), newest first within each. */
function renderNeeds(needs) {
  const sorted = [...needs].sort((a, b) => (a.status === b.status ? String(b.createdAt).localeCompare(String(a.createdAt)) : a.status === 'Open' ? -1 : 1));
  renderList($('detail-needs'), sorted, 'needs.empty', staffNeedItem);
}

function staffNeedItem(need) {
  const li = needItem(need);
  if (need.status === 'Open') {
    const form = document.createElement('form');
    form.className = 'need-handle';
    form.noValidate = true;
    const id = `need-note-${need.id}`;
    const label = bi('label', 'need.note');
    label.htmlFor = id;
    const input = document.createElement('input');
    input.id = id;
    input.name = 'note';
    input.maxLength = 500;
    input.autocomplete = 'off';
    input.dataset.testid = 'need-note';
    const error = document.createElement('p');
    error.className = 'field-error';
    error.dataset.field = 'note';
    const button = bi('button', 'need.handle');
    button.type = 'submit';
    button.className = 'secondary';
    button.dataset.testid = 'need-handle';
    const row = document.createElement('div');
    row.className = 'row';
    row.append(input, button);
    form.append(label, row, error);
    form.addEventListener('submit', e => {
      e.preventDefault();
      busy(button, form, async () => {
        const key = village.selected;
        await api('POST', `${residentBase(key)}/needs/${encodeURIComponent(need.id)}/handled`, { note: input.value.trim() || null });
        showNotice(t('need.handled'));
        await afterAction(key);
      });
    });
    li.append(form);
  } else if (need.handledAt || need.note) {
    li.append(handledNote(need));
  }
  return li;
}

function renderSelfReport(report) {
  const box = $('detail-self-report');
  box.replaceChildren();
  if (!report) {
    const p = bi('p', 'detail.noSelfReport');
    p.className = 'hint';
    box.append(p);
    return;
  }
  const dl = document.createElement('dl');
  dl.className = 'facts';
  fact(dl, 'common.temperature', report.temperature != null ? `${Number(report.temperature).toFixed(1)}` : '–');
  fact(dl, 'detail.symptoms', (report.symptoms ?? []).map(s => t(`symptom.${s}`, s)).join('、') || t('common.none'));
  fact(dl, 'detail.travel', report.recentTravel || '–');
  fact(dl, 'detail.updatedAt', formatDateTime(report.updatedAt));
  box.append(dl);
}

/** The last ten changes, newest first. */
function renderHistory(history) {
  renderList($('detail-history'), [...history].reverse().slice(0, 10), 'code.noHistory', historyItem);
}

/** After an action on a resident: counts, list and the open detail are read again. */
async function afterAction(key) {
  await refreshCounts();
  await loadResidents();
  const overview = await api('GET', residentBase(key));
  village.selected = key;
  renderDetail(overview);
  highlightSelected();
}

function setupDetail() {
  $('detail-close').addEventListener('click', closeDetail);
  const form = $('clear-fever-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('clear-fever-submit'), form, async () => {
      const note = form.elements.note.value.trim();
      if (!note) throw localProblem('note', 'fever.required');
      const key = village.selected;
      await api('POST', `${residentBase(key)}/clear-fever`, { note });
      showNotice(t('fever.cleared'));
      await afterAction(key);
    });
  });
}

// ---------------------------------------------------------------- CSV import

function setupImport() {
  const form = $('import-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('import-submit'), form, async () => {
      const file = form.elements.file.files?.[0];
      if (!file) throw localProblem('file', 'import.chooseFile');
      $('import-report').hidden = true;
      const report = await api('POST', '/api/admin/residents/import', file, { raw: true, contentType: 'text/csv' });
      renderImport(report);
      showNotice(t('import.done'));
      if (village.code) {
        await refreshCounts();
        await loadResidents();
      }
    });
  });
}

function renderImport(report) {
  const box = $('import-report');
  const errors = report.errors ?? [];
  $('import-rows').textContent = String(report.rows ?? 0);
  $('import-imported').textContent = String(report.imported ?? 0);
  $('import-already').textContent = String(report.alreadyRegistered ?? 0);
  $('import-error-count').textContent = String(errors.length);
  box.dataset.errors = String(errors.length);
  const table = $('import-errors');
  const body = table.querySelector('tbody');
  body.replaceChildren(...errors.map(err => {
    const tr = document.createElement('tr');
    tr.dataset.testid = 'import-error';
    tr.dataset.line = String(err.line);
    tr.dataset.field = err.field ?? '';
    for (const [value, label, testid] of [[err.line, 'import.line', 'import-error-line'], [err.field, 'import.field', 'import-error-field'], [err.reason, 'import.reason', 'import-error-reason']]) {
      const td = document.createElement('td');
      td.dataset.label = t(label);
      td.dataset.testid = testid;
      td.textContent = String(value ?? '');
      tr.append(td);
    }
    return tr;
  }));
  table.hidden = errors.length === 0;
  box.hidden = false;
}

// ---------------------------------------------------------------- key-person register

const registerUi = setupRegister({
  api, busy, showNotice, showProblem, clearError, localProblem,
  // The residents pane is read again when it is shown next (its rows carry the key-person badges and colours).
  changed: async () => { await refreshCounts(); village.stale = true; },
});

function setupRegisterPane() {
  $('register-export').addEventListener('click', () => busy($('register-export'), null, async () => {
    await downloadFile(`/api/villages/${encodeURIComponent(village.code)}/key-persons/export`, session.token, `key-persons-${village.code}.csv`);
    showNotice(t('export.done'));
  }));
  $('village-other').addEventListener('click', () => {
    const button = $('village-other');
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    $('village-picker').hidden = !open;
    if (open) $('village-code').focus();
  });
}

// ---------------------------------------------------------------- tickets (platform 6)

const ticketsUi = setupTickets({
  api, busy, showNotice, showProblem, clearError, localProblem,
  role: () => session.info?.role, jurisdiction: () => session.info?.jurisdiction,
});

// ---------------------------------------------------------------- start

function start() {
  mountChrome();
  mountStaffSignIn();
  buildConsoles();
  applyI18n();
  document.title = t('staff.subtitle');
  setupSignIn();
  setupCascade();
  setupFilters();
  setupDetail();
  setupImport();
  setupDeletionRequests(() => village.code, { api, busy, showNotice, showProblem });
  setupVillageContact(() => village.code, { api, busy, showNotice });
  setupBreakGlass({ api, showProblem, clearError, showNotice });
  setupRegisterPane();
  window.addEventListener('hashchange', () => { clearError(); route(); });
  loadTime();
  route();
  document.body.dataset.ready = 'true';
}

start();
