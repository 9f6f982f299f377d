// 疫情大数据指挥平台 · the command dashboard: staff sign in, subscribe to their jurisdiction over SignalR
// (/hubs/dashboard), and watch the roll-ups live: headline numbers, a bar chart and a heat map of the
// child regions, the live series of this session, and drill-down by clicking a child.
// Plain ES module; the SignalR client and ECharts are vendored under lib/ (window.signalR, window.echarts).
import { applyI18n, register, fill, bi, t } from './i18n.js';
import { $ } from './dom.js';
import { mountChrome } from './chrome.js';
import { ApiError, request } from './http.js';
import { within } from './regions.js';
import { renderTicketKpis, renderTicketHistory, TICKET_COLUMNS, TICKET_HEAT_METRICS } from './dashboard-tickets.js';

const TOKEN_KEY = 'smx.staff.token';
const USER_KEY = 'smx.staff.user';
const ZONE = 'Asia/Shanghai';
const MAP_NAME = '三门峡';
const MAX_SERIES_POINTS = 720;

register({
  'dash.title': ['疫情大数据指挥平台', 'Command dashboard'],
  'dash.subtitle': ['实时汇总 · 逐级下钻', 'Live roll-ups, drill down by region'],
  'dash.signin.heading': ['工作人员登录', 'Staff sign-in'],
  'dash.signin.username': ['用户名', 'Username'],
  'dash.signin.password': ['密码', 'Password'],
  'dash.signin.submit': ['登录', 'Sign in'],
  'dash.signin.failed': ['用户名或密码错误', 'Wrong username or password'],
  'dash.updatedAt': ['更新时间', 'Updated'],
  'dash.latency': ['推送延迟', 'Push latency'],
  'dash.snapshot': ['快照', 'snapshot'],
  'dash.conn.idle': ['未连接', 'Not connected'],
  'dash.conn.connecting': ['连接中', 'Connecting'],
  'dash.conn.connected': ['实时', 'Live'],
  'dash.conn.reconnecting': ['重连中', 'Reconnecting'],
  'dash.conn.disconnected': ['已断开', 'Disconnected'],
  'dash.bar.heading': ['下级地区健康码分布', 'Health codes by child region'],
  'dash.heat.heading': ['下级地区热力图', 'Heat map of child regions'],
  'dash.heat.metric': ['热力指标', 'Heat metric'],
  'dash.heat.max': ['颜色越深数值越高，最高', 'Darker is higher; highest'],
  'dash.trend.heading': ['走势', 'Trend'],
  'dash.trend.note': ['近30天每日收盘值（圆点），加上本次会话的实时序列', 'Daily closing values of the last 30 days (dots), then this session\'s live series'],
  'dash.table.heading': ['下级地区明细', 'Child regions'],
  'dash.table.empty': ['村（社区）为最末一级', 'A village or community has no child regions'],
  'dash.table.name': ['地区', 'Region'],
  'dash.refused': ['无权查看该地区', 'Not allowed to view this region'],
  'dash.unknown': ['未知地区', 'Unknown region'],
  'dash.invalid': ['地区代码有误', 'Invalid region code'],
  'dash.noJurisdiction': ['该账号未设置管辖范围', 'This account has no jurisdiction'],
  'dash.notApplied': ['未申领', 'Not applied'],

  'metric.residents': ['居民', 'Residents'],
  'metric.applied': ['已申领', 'Applied'],
  'metric.checkpointPasses': ['检测点今日登记', 'Checkpoint passes today'],
  'metric.green': ['绿码', 'Green'],
  'metric.yellow': ['黄码', 'Yellow'],
  'metric.red': ['红码', 'Red'],
  'metric.clockedInToday': ['今日打卡', 'Clocked in today'],
  'metric.fever': ['发热', 'Fever'],
  'metric.isolated': ['隔离', 'Isolated'],
  'metric.openNeeds': ['待办求助', 'Open needs'],
  'metric.fromOutsideCity': ['市外返回', 'Back from outside the city'],
  'metric.fromHubei': ['湖北返回（非武汉）', 'Back from Hubei (not Wuhan)'],
  'metric.fromWuhan': ['武汉返回', 'Back from Wuhan'],
  'metric.closeContacts': ['密切接触者', 'Close contacts'],
  'metric.feverNoExposure': ['发热无接触史', 'Fever, no known exposure'],
  'metric.riskShare': ['红黄码占比', 'Red + yellow share'],
  'metric.notClockedInShare': ['今日未打卡占比', 'Not clocked in today (share)'],
  'metric.keyPersons': ['重点人员合计', 'Key persons (all five)'],
});

// Headline numbers: the code counts, then the five key-person categories.
const KPIS = [
  ['residents'], ['applied'], ['green'], ['yellow'], ['red'], ['clockedInToday'], ['fever'], ['isolated'], ['openNeeds'],
  ['fromOutsideCity', 'key'], ['fromHubei', 'key'], ['fromWuhan', 'key'], ['closeContacts', 'key'], ['feverNoExposure', 'key'],
  ['checkpointPasses', 'checkpoint'],
];
// A KPI's value: the region's count, or (checkpoint passes) its checkpoints' totals for today, offline uploads included.
const kpi = (counts, key) => (key === 'checkpointPasses' ? counts?.checkpoints?.passesToday : counts?.[key]) ?? 0;
const TABLE_COLUMNS = ['residents', 'applied', 'green', 'yellow', 'red', 'clockedInToday', 'fever', 'isolated', 'openNeeds',
  'fromOutsideCity', 'fromHubei', 'fromWuhan', 'closeContacts', 'feverNoExposure'];
const KEY_PERSONS = ['fromOutsideCity', 'fromHubei', 'fromWuhan', 'closeContacts', 'feverNoExposure'];
const HEAT_METRICS = {
  riskShare: { value: c => share(c.red + c.yellow, c.applied), percent: true },
  notClockedInShare: { value: c => share(Math.max(0, c.applied - c.clockedInToday), c.applied), percent: true },
  red: { value: c => c.red }, yellow: { value: c => c.yellow }, fever: { value: c => c.fever },
  isolated: { value: c => c.isolated }, openNeeds: { value: c => c.openNeeds },
  keyPersons: { value: c => KEY_PERSONS.reduce((sum, k) => sum + (c[k] ?? 0), 0) },
  applied: { value: c => c.applied },
  ...TICKET_HEAT_METRICS,
};
const TREND_SERIES = ['applied', 'green', 'yellow', 'red', 'clockedInToday', 'fever'];
const COLOURS = { green: '#1a9b4a', yellow: '#e0a800', red: '#d2302c', none: '#a9b3bd', applied: '#0b5cad', clockedInToday: '#7b4bb7', fever: '#e8590c' };

const share = (part, whole) => (whole > 0 ? part / whole : 0);
const fmt = new Intl.NumberFormat('zh-CN');
const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

// ---------------------------------------------------------------- session

// Its own sign-in, kept in localStorage (it outlives the tab), not the sessionStorage one of the other staff pages.
const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  get user() { try { return JSON.parse(localStorage.getItem(USER_KEY) || 'null'); } catch { return null; } },
  save(token, user) { localStorage.setItem(TOKEN_KEY, token); localStorage.setItem(USER_KEY, JSON.stringify(user)); },
  clear() { localStorage.removeItem(TOKEN_KEY); localStorage.removeItem(USER_KEY); },
};

// ---------------------------------------------------------------- region codes (as RegionCode.cs)

function parentOf(code) {
  if (code.length === 12) return code.slice(0, 9);
  if (code.length === 9) return code.slice(0, 6);
  if (code.length === 6 && !code.endsWith('00')) return code.slice(0, 4) + '00';
  return null;
}

// ---------------------------------------------------------------- messages

function clearError() {
  $('error').hidden = true;
  $('error-title').textContent = '';
  $('error-detail').textContent = '';
  delete $('error').dataset.kind;
}

function showError(title, detail, kind = 'error') {
  $('error-title').textContent = title;
  $('error-detail').textContent = detail || '';
  $('error').dataset.kind = kind;
  $('error').hidden = false;
}

/** A hub refusal arrives as "... HubException: [kind] message"; shows it bilingually. */
function showRefusal(error, code) {
  const text = String(error?.message ?? error);
  const match = /\[([a-z-]+)\]\s*(.*)$/s.exec(text);
  const kind = match ? match[1] : 'error';
  const titleKey = { forbidden: 'dash.refused', unknown: 'dash.unknown', invalid: 'dash.invalid' }[kind] ?? 'common.error';
  showError(`${t(titleKey)} (${code})`, match ? match[2] : text, kind);
}

// ---------------------------------------------------------------- state

const state = {
  connection: null,
  code: null,            // the region on screen
  version: -1,           // highest version applied for it
  update: null,          // the last update applied
  names: new Map(),      // code → name, from updates and the region API
  series: new Map(),     // code → [{ at, counts }] received since the page opened
  daily: new Map(),      // code → [{ at, counts }] daily closing values from /api/regions/{code}/history
  heatMetric: 'riskShare',
  charts: {},
};

// ---------------------------------------------------------------- views

function showView(name) {
  $('loading').hidden = true;
  $('view-signin').hidden = name !== 'signin';
  $('view-dashboard').hidden = name !== 'dashboard';
  $('sign-out').hidden = name !== 'dashboard';
  $('user-info').hidden = name !== 'dashboard';
}

function setConn(stateName) {
  const el = $('conn');
  el.dataset.state = stateName;
  fill(el, `dash.conn.${stateName}`);
}

// ---------------------------------------------------------------- sign in

function setupSignIn() {
  $('signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    const button = $('login-submit');
    button.disabled = true;
    try {
      const username = $('login-username').value.trim();
      const login = await request('POST', '/api/auth/staff/login', { username, password: $('login-password').value });
      session.save(login.token, { username, role: login.role, jurisdiction: login.jurisdiction });
      $('login-password').value = '';
      await startDashboard();
    } catch (e) {
      if (e instanceof ApiError && e.status !== 0) {
        const { title, detail } = e.problem;
        showError(e.status === 401 || e.status === 400 ? t('dash.signin.failed') : (title || t('common.error')), detail || '', 'signin');
      } else {
        showError(t('common.offline'), '', 'offline');
      }
    } finally {
      button.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', async () => {
    session.clear();
    const connection = state.connection;
    state.connection = null;
    state.code = null;
    await connection?.stop().catch(() => {});
    setConn('idle');
    clearError();
    showView('signin');
  });
}

// ---------------------------------------------------------------- SignalR

function buildConnection() {
  return new signalR.HubConnectionBuilder()
    .withUrl('/hubs/dashboard', { accessTokenFactory: () => session.token ?? '' })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(10_000, 500 * 2 ** Math.min(ctx.previousRetryCount, 5)) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
}

async function connect() {
  const connection = buildConnection();
  state.connection = connection;
  connection.on('regionUpdate', onUpdate);
  connection.onreconnecting(() => setConn('reconnecting'));
  connection.onreconnected(async () => {
    setConn('connected');
    await resubscribe(); // groups do not survive a new connection
  });
  connection.onclose(() => {
    if (state.connection !== connection) return; // signed out
    setConn('disconnected');
    setTimeout(() => { if (state.connection === connection) restart(connection); }, 5000);
  });
  setConn('connecting');
  await connection.start();
  setConn('connected');
}

async function restart(connection) {
  try {
    setConn('connecting');
    await connection.start();
    setConn('connected');
    await resubscribe();
  } catch (e) {
    if (String(e?.message).includes('401')) return signedOut();
    setConn('disconnected');
    setTimeout(() => { if (state.connection === connection) restart(connection); }, 5000);
  }
}

function signedOut() {
  session.clear();
  state.connection?.stop().catch(() => {});
  state.connection = null;
  setConn('idle');
  showView('signin');
  showError(t('common.sessionExpired'), '', 'signed-out');
}

async function subscribe(code, { quiet = false } = {}) {
  const snapshot = await state.connection.invoke('Subscribe', code);
  return snapshot;
}

/**
 * After a new connection: subscribes to the open region again and shows the snapshot it returns. That snapshot is
 * the freshest state (whatever changed while the page was disconnected is in it), but has version 0: without the
 * reset it lost to the last update seen on the old connection, and the page showed the old numbers until the region
 * next changed.
 */
async function resubscribe() {
  if (!state.code) return;
  const snapshot = await subscribe(state.code, { quiet: true });
  state.version = -1;
  onUpdate(snapshot);
}

/** Opens a region: subscribes to it (the server checks the jurisdiction), then leaves the previous one. */
async function openRegion(code) {
  if (!state.connection) return;
  clearError();
  const previous = state.code;
  let snapshot;
  try {
    snapshot = await subscribe(code);
  } catch (e) {
    showRefusal(e, code);
    return false;
  }
  if (previous && previous !== code) state.connection.invoke('Unsubscribe', previous).catch(() => {});
  state.code = code;
  state.version = -1;
  state.update = null;
  history.replaceState(null, '', `#region=${code}`);
  onUpdate(snapshot);
  loadDailyHistory(code);
  return true;
}

/** The region's daily rows (one per day, PostgreSQL region_daily) for the trend chart. */
async function loadDailyHistory(code) {
  try {
    const rows = await request('GET', `/api/regions/${code}/history?days=30`, undefined, { token: session.token });
    state.daily.set(code, rows.map(r => ({ at: Date.parse(`${r.day}T23:59:59+08:00`), counts: r.counts })));
    if (state.code === code) {
      renderTrend(code);
      renderTicketHistory(rows);
    }
  } catch { /* the live series still shows */ }
}

function onUpdate(update) {
  if (!update || !update.code) return;
  state.names.set(update.code, update.name);
  for (const child of update.children ?? []) state.names.set(child.code, child.name);
  record(update);
  if (update.code !== state.code || update.version < state.version) return;
  state.version = update.version;
  const previous = state.update;
  state.update = update;
  render(update, previous);
}

/** The live series of this session: one point per update received, per region. */
function record(update) {
  let points = state.series.get(update.code);
  if (!points) state.series.set(update.code, points = []);
  const at = Date.parse(update.at);
  const last = points[points.length - 1];
  if (last && last.at >= at) return;
  points.push({ at, counts: update.counts });
  if (points.length > MAX_SERIES_POINTS) points.splice(0, points.length - MAX_SERIES_POINTS);
}

// ---------------------------------------------------------------- rendering

function render(update, previous) {
  $('region-name').textContent = update.name;
  $('region-code').textContent = update.code;
  const at = new Date(update.at);
  const updated = $('updated-at');
  updated.dateTime = update.at;
  updated.textContent = timeFmt.format(at) + (update.version === 0 ? ` (${t('dash.snapshot')})` : '');
  $('latency').textContent = update.version === 0 ? '—' : `${Math.max(0, Date.now() - at.getTime())} ms`;
  renderBreadcrumb(update.code);
  renderKpis(update.counts, previous?.code === update.code ? previous.counts : null);
  renderTicketKpis(update.counts, previous?.code === update.code ? previous.counts : null);
  renderBar(update);
  renderHeat(update);
  renderTrend(update.code);
  renderTable(update);
}

async function renderBreadcrumb(code) {
  const jurisdiction = session.user?.jurisdiction;
  const chain = [];
  for (let c = code; c; c = parentOf(c)) {
    chain.unshift(c);
    if (jurisdiction && c === jurisdiction) break;
  }
  // Names of ancestors not seen yet come from the (public) region API.
  await Promise.all(chain.filter(c => !state.names.has(c)).map(async c => {
    try {
      state.names.set(c, (await request('GET', `/api/regions/${c}`)).name);
    } catch { /* the code stands in */ }
  }));
  if (state.code !== code) return;
  const nav = $('breadcrumb');
  nav.replaceChildren();
  chain.forEach((c, i) => {
    if (i > 0) {
      const sep = document.createElement('span');
      sep.className = 'sep';
      sep.textContent = '›';
      nav.append(sep);
    }
    const name = state.names.get(c) ?? c;
    if (c === code) {
      const here = document.createElement('span');
      here.setAttribute('aria-current', 'page');
      here.dataset.testid = 'crumb';
      here.dataset.code = c;
      here.textContent = name;
      nav.append(here);
    } else {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.testid = 'crumb';
      button.dataset.code = c;
      button.textContent = name;
      button.addEventListener('click', () => openRegion(c));
      nav.append(button);
    }
  });
}

function renderKpis(counts, before) {
  const box = $('kpis');
  if (!box.childElementCount) {
    for (const [key, group] of KPIS) {
      const tile = document.createElement('div');
      tile.className = 'kpi';
      tile.dataset.key = key;
      if (group) tile.dataset.group = group;
      tile.dataset.testid = `kpi-${key}`;
      const label = bi('span', `metric.${key}`);
      label.className = 'kpi-label';
      const value = document.createElement('span');
      value.className = 'kpi-value';
      value.dataset.testid = `kpi-${key}-value`;
      tile.append(label, value);
      box.append(tile);
    }
  }
  for (const [key] of KPIS) {
    const value = kpi(counts, key);
    const el = $(`kpi-${key}-value`, box);
    el.textContent = fmt.format(value);
    el.dataset.value = String(value);
    const tile = el.parentElement;
    if (before && kpi(before, key) !== value) {
      tile.classList.remove('flash');
      void tile.offsetWidth; // restart the animation
      tile.classList.add('flash');
    }
  }
}

function chart(testid) {
  const el = $(testid);
  if (!window.echarts || el.hidden) return null;
  let c = state.charts[testid];
  if (!c) {
    c = state.charts[testid] = echarts.init(el, null, { renderer: 'canvas' });
    new ResizeObserver(() => c.resize()).observe(el);
  }
  return c;
}

function drillable(code) {
  const jurisdiction = session.user?.jurisdiction;
  return !jurisdiction || within(code, jurisdiction);
}

function renderBar(update) {
  const c = chart('chart-bar');
  if (!c) return;
  const children = update.children ?? [];
  const names = children.map(ch => ch.name);
  const series = [
    ['green', ch => ch.counts.green, COLOURS.green],
    ['yellow', ch => ch.counts.yellow, COLOURS.yellow],
    ['red', ch => ch.counts.red, COLOURS.red],
    ['dash.notApplied', ch => Math.max(0, ch.counts.residents - ch.counts.applied), COLOURS.none],
  ].map(([key, value, colour]) => ({
    name: t(key.startsWith('dash.') ? key : `metric.${key}`), type: 'bar', stack: 'codes', itemStyle: { color: colour },
    emphasis: { focus: 'series' }, data: children.map(value),
  }));
  c.setOption({
    animationDuration: 300,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 40 : 0, fontSize: 11 } },
    yAxis: { type: 'value', minInterval: 1 },
    series,
  }, { replaceMerge: ['series'] });
  c.off('click');
  c.on('click', p => { const child = children[p.dataIndex]; if (child && drillable(child.code)) openRegion(child.code); });
}

function heatColour(ratio) {
  // white → red-brown, perceptually even enough for a tile map
  const r = Math.round(255 - ratio * (255 - 150));
  const g = Math.round(255 - ratio * (255 - 30));
  const b = Math.round(255 - ratio * (255 - 28));
  return `rgb(${r}, ${g}, ${b})`;
}

function heatText(metric, value) {
  return HEAT_METRICS[metric].percent ? `${(value * 100).toFixed(1)}%` : fmt.format(value);
}

function renderHeat(update) {
  const children = update.children ?? [];
  const metric = HEAT_METRICS[state.heatMetric] ? state.heatMetric : 'riskShare';
  const values = children.map(ch => HEAT_METRICS[metric].value(ch.counts));
  const max = Math.max(0, ...values);
  const tiles = $('heatmap');
  tiles.replaceChildren();
  children.forEach((child, i) => {
    const ratio = max > 0 ? values[i] / max : 0;
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.setAttribute('role', 'listitem');
    tile.dataset.testid = 'tile';
    tile.dataset.code = child.code;
    tile.dataset.value = String(values[i]);
    tile.style.background = heatColour(ratio);
    tile.dataset.dark = String(ratio > 0.55);
    tile.title = `${child.name} · ${t(`metric.${metric}`)}: ${heatText(metric, values[i])}`;
    const name = document.createElement('span');
    name.className = 'tile-name';
    name.textContent = child.name;
    const value = document.createElement('span');
    value.className = 'tile-value';
    value.textContent = heatText(metric, values[i]);
    tile.append(name, value);
    if (drillable(child.code)) tile.addEventListener('click', () => openRegion(child.code));
    else tile.disabled = true;
    tiles.append(tile);
  });
  $('heat-legend').textContent = children.length ? `${t('dash.heat.max')}: ${heatText(metric, max)}` : '';

  // The city's counties also on the real map, when the vendored geometry knows every county by name.
  const mapEl = $('map');
  const geo = window.echarts?.getMap?.(MAP_NAME);
  const features = new Set((geo?.geoJSON?.features ?? geo?.geoJson?.features ?? []).map(f => f.properties?.name));
  const onMap = update.code.length === 6 && update.code.endsWith('00') && children.length > 0
    && (features.size === 0 ? !!geo : children.every(ch => features.has(ch.name)));
  mapEl.hidden = !onMap;
  if (!onMap) return;
  const c = chart('map');
  if (!c) return;
  c.setOption({
    tooltip: { trigger: 'item', formatter: p => `${p.name}<br>${t(`metric.${metric}`)}: ${heatText(metric, p.value ?? 0)}` },
    visualMap: { min: 0, max: max || 1, left: 0, bottom: 0, calculable: false, inRange: { color: ['#fff5f0', '#fb6a4a', '#96201c'] }, text: ['', ''], itemHeight: 80 },
    series: [{ type: 'map', map: MAP_NAME, roam: false, layoutCenter: ['55%', '50%'], layoutSize: '95%', label: { show: true, fontSize: 11 },
      data: children.map((ch, i) => ({ name: ch.name, value: values[i], code: ch.code })) }],
  });
  c.off('click');
  c.on('click', p => { const code = p.data?.code; if (code && drillable(code)) openRegion(code); });
}

function renderTrend(code) {
  const c = chart('chart-trend');
  if (!c) return;
  // Daily closing values first (days before today), then the live points of this session.
  const live = state.series.get(code) ?? [];
  const daily = state.daily.get(code) ?? [];
  const firstLive = live[0]?.at ?? Infinity;
  // Daily rows are dated by the system's clock, live points by this browser's: in a simulation (or a test with a
  // fake clock) they are years apart, and then the daily series is shown on its own.
  const sameTimeBase = daily.length === 0 || live.length === 0 || Math.abs(daily[daily.length - 1].at - firstLive) < 3 * 86_400_000;
  const points = sameTimeBase ? [...daily.filter(p => p.at < firstLive), ...live] : daily;
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { fontSize: 11 } },
    grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
    // At least a minute wide, so one point does not stretch the axis over days.
    xAxis: { type: 'time', min: points[0]?.at, max: points.length ? Math.max(points[points.length - 1].at, points[0].at + 60_000) : undefined,
      axisLabel: { formatter: v => (points.length && points[points.length - 1].at - points[0].at > 86_400_000 ? new Date(v).toLocaleDateString('zh-CN') : timeFmt.format(new Date(v))), fontSize: 11, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: TREND_SERIES.map(key => ({
      name: t(`metric.${key}`), type: 'line', step: 'end', showSymbol: points.length < 30,
      itemStyle: { color: COLOURS[key] }, data: points.map(p => [p.at, p.counts[key] ?? 0]),
    })),
  }, { replaceMerge: ['series'] });
}

function renderTable(update) {
  const head = $('children-head');
  if (!head.childElementCount) {
    head.append(bi('th', 'dash.table.name'));
    for (const key of TABLE_COLUMNS) head.append(bi('th', `metric.${key}`));
    for (const [key] of TICKET_COLUMNS) head.append(bi('th', `ticket.${key}`));
    for (const th of head.children) th.scope = 'col';
  }
  const body = $('children-table').tBodies[0];
  body.replaceChildren();
  const children = update.children ?? [];
  $('children-empty').hidden = children.length > 0;
  for (const child of children) {
    const row = body.insertRow();
    row.dataset.testid = 'child-row';
    row.dataset.code = child.code;
    const name = row.insertCell();
    if (drillable(child.code)) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.testid = 'child-open';
      button.textContent = child.name;
      button.addEventListener('click', () => openRegion(child.code));
      name.append(button);
    } else {
      name.textContent = child.name;
    }
    for (const key of TABLE_COLUMNS) {
      const cell = row.insertCell();
      cell.dataset.key = key;
      cell.textContent = fmt.format(child.counts[key] ?? 0);
    }
    for (const [key, value] of TICKET_COLUMNS) {
      const cell = row.insertCell();
      cell.dataset.key = `tickets.${key}`;
      cell.textContent = fmt.format(value(child.counts) ?? 0);
    }
  }
}

// ---------------------------------------------------------------- start

function setupHeatMetric() {
  const select = $('heat-metric');
  for (const key of Object.keys(HEAT_METRICS)) {
    const option = document.createElement('option');
    option.value = key;
    option.textContent = t(`metric.${key}`);
    select.append(option);
  }
  select.value = state.heatMetric;
  select.addEventListener('change', () => {
    state.heatMetric = select.value;
    if (state.update) renderHeat(state.update);
  });
}

function requestedRegion() {
  const match = /region=(\d{6,12})/.exec(location.hash);
  return match ? match[1] : null;
}

async function startDashboard() {
  const user = session.user;
  if (!user?.jurisdiction) {
    showView('signin');
    showError(t('dash.noJurisdiction'), '', 'no-jurisdiction');
    return;
  }
  $('user-info').textContent = `${user.username} · ${user.role} · ${user.jurisdiction}`;
  showView('dashboard');
  try {
    await connect();
  } catch (e) {
    if (String(e?.message).includes('401')) return signedOut();
    setConn('disconnected');
    showError(t('common.offline'), String(e?.message ?? ''), 'offline');
    return;
  }
  // A region named in the address (e.g. a bookmark) is tried first; the server refuses one outside the
  // jurisdiction, and the jurisdiction itself is shown instead, with the refusal above it.
  const wanted = requestedRegion();
  if (wanted && wanted !== user.jurisdiction) {
    const opened = await openRegion(wanted);
    if (opened) return;
    const refusal = [$('error-title').textContent, $('error-detail').textContent, $('error').dataset.kind];
    await openRegion(user.jurisdiction);
    showError(refusal[0], refusal[1], refusal[2]);
    return;
  }
  await openRegion(user.jurisdiction);
}

window.addEventListener('hashchange', () => {
  const wanted = requestedRegion();
  if (wanted && wanted !== state.code && state.connection) openRegion(wanted);
});

mountChrome();
applyI18n();
setupSignIn();
setupHeatMetric();
setConn('idle');
if (session.token) startDashboard(); else showView('signin');
