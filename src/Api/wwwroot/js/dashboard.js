// 疫情大数据指挥平台 · the command dashboard: staff sign in (the one staff session of js/session.js, shared with
// staff.html), subscribe to their jurisdiction over SignalR (/hubs/dashboard), and watch the roll-ups live: headline
// numbers, the codes by child region, a heat map on a fixed scale, the trend as small multiples, and drill-down by
// clicking a child. ?screen=big (or the header's toggle) turns it into the wall screen (js/dashboard-screen.js).
// Plain ES module; the SignalR client and ECharts are vendored under lib/ (window.signalR, window.echarts).
import { applyI18n, fill, t } from './i18n.js';
import { $ } from './dom.js';
import { mountChrome } from './chrome.js';
import { createMessages } from './problems.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView, renderWho } from './session.js';
import { within } from './regions.js';
import { renderTicketKpis, renderTicketHistory } from './dashboard-tickets.js';
import { renderKpis, renderTable } from './dashboard-tables.js';
import { HEAT_METRICS, setChartTheme, renderBar, renderHeat, renderTrend } from './dashboard-charts.js';
import { initialMode, applyMode, setupModeToggle, syncTime, startClock, renderFigures, time } from './dashboard-screen.js';
import './dashboard-strings.js';

const ZONE = 'Asia/Shanghai';
const MAX_SERIES_POINTS = 720;
const VIEWS = ['signin', 'dashboard'];

const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

// ---------------------------------------------------------------- session + API (shared with staff.html)

const api = createStaffApi(() => signedOut(true));
const { busy } = createMessages({ fieldLabels: { username: 'staff.signin.username', password: 'staff.signin.password' } });

// ---------------------------------------------------------------- region codes (as RegionCode.cs)

function parentOf(code) {
  if (code.length === 12) return code.slice(0, 9);
  if (code.length === 9) return code.slice(0, 6);
  if (code.length === 6 && !code.endsWith('00')) return code.slice(0, 4) + '00';
  return null;
}

// ---------------------------------------------------------------- messages

function clearError() {
  $('error-fields')?.replaceChildren();
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
  rows: new Map(),       // code → [{ day, counts }] the same rows as the API answers them
  heatMetric: 'riskShare',
  barView: 'share',
  mode: 'normal',        // 'big': the wall screen
};

// ---------------------------------------------------------------- views

function showView(name) {
  showStaffView(VIEWS, name);
  if (name !== 'signin') renderWho();
}

function setConn(stateName) {
  const el = $('conn');
  el.dataset.state = stateName;
  fill(el, `dash.conn.${stateName}`);
}

// ---------------------------------------------------------------- sign in, sign out (js/session.js)

function setupSignIn() {
  setupStaffSignIn({
    api,
    run: busy,
    signedIn: () => startDashboard(),
    signedOut: () => signedOut(false),
  });
}

/** Back to the sign-in: after "sign out" (here or in another tab), or when the server refused the token (`expired`). */
async function signedOut(expired) {
  session.clear();
  const connection = state.connection;
  state.connection = null;
  state.code = null;
  await connection?.stop().catch(() => {});
  setConn('idle');
  clearError();
  showView('signin');
  if (expired) showError(t('common.sessionExpired'), '', 'signed-out');
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
    if (String(e?.message).includes('401')) return signedOut(true);
    setConn('disconnected');
    setTimeout(() => { if (state.connection === connection) restart(connection); }, 5000);
  }
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
    const rows = await api('GET', `/api/regions/${code}/history?days=30`);
    state.rows.set(code, rows);
    state.daily.set(code, rows.map(r => ({ at: Date.parse(`${r.day}T23:59:59+08:00`), counts: r.counts })));
    if (state.code === code) {
      showTrend(code);
      renderTicketHistory(rows);
      if (state.update) renderFigures(state.update.counts, rows, time.today);
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
  renderFigures(update.counts, state.rows.get(update.code) ?? [], time.today);
  renderCharts(update);
  renderTable(update, drillable, openRegion);
}

async function renderBreadcrumb(code) {
  const jurisdiction = session.info?.jurisdiction;
  const chain = [];
  for (let c = code; c; c = parentOf(c)) {
    chain.unshift(c);
    if (jurisdiction && c === jurisdiction) break;
  }
  // Names of ancestors not seen yet come from the (public) region API.
  await Promise.all(chain.filter(c => !state.names.has(c)).map(async c => {
    try {
      state.names.set(c, (await api('GET', `/api/regions/${c}`)).name);
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

function drillable(code) {
  const jurisdiction = session.info?.jurisdiction;
  return !jurisdiction || within(code, jurisdiction);
}

const openChild = code => { if (code && drillable(code)) openRegion(code); };

function renderCharts(update) {
  renderBar(update, state.barView, openChild);
  renderHeat(update, HEAT_METRICS[state.heatMetric] ? state.heatMetric : 'riskShare', { drillable, open: openChild });
  showTrend(update.code);
}

/** Daily closing values first (days before today), then the live points of this session. */
function showTrend(code) {
  const live = state.series.get(code) ?? [];
  const daily = state.daily.get(code) ?? [];
  const firstLive = live[0]?.at ?? Infinity;
  // Daily rows are dated by the system's clock, live points by this browser's: in a simulation (or a test with a
  // fake clock) they are years apart, and then the daily series is shown on its own.
  const sameTimeBase = daily.length === 0 || live.length === 0 || Math.abs(daily[daily.length - 1].at - firstLive) < 3 * 86_400_000;
  renderTrend(sameTimeBase ? [...daily.filter(p => p.at < firstLive), ...live] : daily, state.mode === 'big' ? 2 : undefined);
}


// ---------------------------------------------------------------- start

function setupHeatMetric() {
  const select = $('heat-metric');
  for (const key of Object.keys(HEAT_METRICS)) {
    const option = document.createElement('option');
    option.value = key;
    option.textContent = t(`heat.${key}`);
    select.append(option);
  }
  select.value = state.heatMetric;
  select.addEventListener('change', () => {
    state.heatMetric = select.value;
    if (state.update) renderCharts(state.update);
  });
  const view = $('bar-view');
  for (const key of ['share', 'log']) {
    const option = document.createElement('option');
    option.value = key;
    option.textContent = t(`dash.bar.${key}`);
    view.append(option);
  }
  view.value = state.barView;
  view.addEventListener('change', () => {
    state.barView = view.value;
    if (state.update) renderCharts(state.update);
  });
}

/** Normal or big screen: the page's layout and theme, the charts made again in the new theme. */
function setMode(mode) {
  state.mode = mode;
  applyMode(mode);
  setChartTheme(mode === 'big');
  if (state.update) render(state.update, null);
}

function requestedRegion() {
  const match = /region=(\d{6,12})/.exec(location.hash);
  return match ? match[1] : null;
}

async function startDashboard() {
  if (!session.valid) return signedOut(false);
  const user = session.info;
  showView('dashboard');
  if (!user?.jurisdiction) {
    showError(t('dash.noJurisdiction'), '', 'no-jurisdiction');
    return;
  }
  try {
    await connect();
  } catch (e) {
    if (String(e?.message).includes('401')) return signedOut(true);
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

/** The system's day and clock offset now, then every minute (a new day reloads the daily rows for the figures). */
async function keepTime() {
  const before = time.today;
  try { await syncTime(api); } catch { /* the browser's clock stands in */ }
  if (before && time.today !== before && state.code) loadDailyHistory(state.code);
  else if (state.update) renderFigures(state.update.counts, state.rows.get(state.code) ?? [], time.today);
  setTimeout(keepTime, 60_000);
}

window.addEventListener('hashchange', () => {
  const wanted = requestedRegion();
  if (wanted && wanted !== state.code && state.connection) openRegion(wanted);
});

mountChrome();
mountStaffSignIn();
applyI18n();
document.title = t('dash.title');
setupSignIn();
setupHeatMetric();
setupModeToggle(setMode);
setMode(initialMode());
setConn('idle');
startClock();
keepTime();
if (session.valid) startDashboard(); else signedOut(false);
