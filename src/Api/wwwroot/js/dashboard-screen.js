// The dashboard's big-screen mode (数据大屏) for a control-room wall: dark, one 1920×1080 screen without scrolling,
// a running clock, and today's figures beside the cumulative ones with the change from yesterday.
//   Mode: dashboard.html?screen=big (or ?screen=normal) chooses and remembers it on this device (localStorage; no
//   personal data); the header's toggle does the same.
//   Figures: from the pushed counts and the region's daily rows (/api/regions/{code}/history), dated by the system's
//   day (/api/time). See docs/dashboard.md "Big screen".
import { t, fill } from './i18n.js';
import { $ } from './dom.js';
import { ticketsOf } from './dashboard-tickets.js';
import { keyPersons } from './dashboard-charts.js';

const MODE_KEY = 'smx.dash.screen';
const ZONE = 'Asia/Shanghai';

// ---------------------------------------------------------------- mode

/** 'big' or 'normal': the address's ?screen= wins (and is remembered), else what this device remembers. */
export function initialMode() {
  const asked = new URLSearchParams(location.search).get('screen');
  if (asked === 'big' || asked === 'normal') {
    try { localStorage.setItem(MODE_KEY, asked); } catch { /* private mode: not remembered */ }
    return asked;
  }
  try { return localStorage.getItem(MODE_KEY) === 'big' ? 'big' : 'normal'; } catch { return 'normal'; }
}

export function applyMode(mode) {
  const big = mode === 'big';
  document.body.dataset.screen = mode;
  document.querySelector('meta[name="color-scheme"]')?.setAttribute('content', big ? 'dark' : 'light');
  const toggle = $('screen-toggle');
  toggle.setAttribute('aria-pressed', String(big));
  fill(toggle, big ? 'dash.screen.toNormal' : 'dash.screen.toBig');
  $('clock').hidden = !big;
  $('figures').hidden = !big;
}

/** Wires the toggle: remembers the new mode and calls `changed(mode)`. */
export function setupModeToggle(changed) {
  $('screen-toggle').addEventListener('click', () => {
    const mode = document.body.dataset.screen === 'big' ? 'normal' : 'big';
    try { localStorage.setItem(MODE_KEY, mode); } catch { /* not remembered */ }
    const url = new URL(location.href);
    url.searchParams.set('screen', mode);
    history.replaceState(null, '', url);
    changed(mode);
  });
}

// ---------------------------------------------------------------- clock (the system's time, ticking by the second)

const CLOCK = { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
const clockFormats = new Map();
/** The clock in the page's language (i18n.js sets <html lang>), on Beijing time. */
const clockFmt = () => {
  const lang = document.documentElement.lang || 'zh-CN';
  if (!clockFormats.has(lang)) clockFormats.set(lang, new Intl.DateTimeFormat(lang, CLOCK));
  return clockFormats.get(lang);
};

export const time = { offset: 0, today: null, simulated: false };

/** Reads /api/time: the system's day for the figures and the clock's offset from this browser's clock. */
export async function syncTime(request) {
  const asked = Date.now();
  const answer = await request('GET', '/api/time');
  const answered = Date.now();
  time.offset = Date.parse(answer.now) - (asked + answered) / 2;
  time.today = answer.today;
  time.simulated = !!answer.simulated;
  return answer;
}

export function startClock() {
  const el = $('clock-time');
  const tick = () => {
    const now = new Date(Date.now() + time.offset);
    el.dateTime = now.toISOString();
    el.textContent = clockFmt().format(now);
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  };
  tick();
}

// ---------------------------------------------------------------- figures: today, cumulative, change from yesterday

// 'stock': a value that is now (cumulative applied, current red...), today's new = now − yesterday's close.
// 'daily': a value of the day itself (clock-ins, checkpoint passes), compared with yesterday's.
// 'tickets': today's received, cumulative received, compared with yesterday's received.
export const FIGURES = [
  ['applied', 'stock', c => c.applied],
  ['green', 'stock', c => c.green],
  ['yellow', 'stock', c => c.yellow],
  ['red', 'stock', c => c.red],
  ['fever', 'stock', c => c.fever],
  ['isolated', 'stock', c => c.isolated],
  ['keyPersons', 'stock', keyPersons],
  ['clockedInToday', 'daily', c => c.clockedInToday],
  ['checkpointPasses', 'daily', c => c.checkpoints?.passesToday ?? 0],
  ['ticketsReceived', 'tickets', (c, day) => ticketsOf(c, day).today.received],
];

const addDays = (day, n) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** The counts at the close of `day`: its own row, else the last row before it (a quiet day wrote none). */
const closeOf = (rows, day) => [...rows].reverse().find(r => r.day <= day) ?? null;

/**
 * One figure's { total, today, change } (null where the history does not say) from the counts now, the daily rows
 * ({ day, counts }, any order) and today's date.
 */
export function figure([, kind, value], counts, rows, today) {
  const yesterday = addDays(today, -1);
  const before = addDays(today, -2);
  const sorted = rows.filter(r => r.day < today).sort((a, b) => (a.day < b.day ? -1 : 1));
  if (kind === 'stock') {
    const now = value(counts);
    const close1 = closeOf(sorted, yesterday);
    const close2 = closeOf(sorted, before);
    const newToday = close1 ? now - value(close1.counts) : null;
    const newYesterday = close1 && close2 ? value(close1.counts) - value(close2.counts) : null;
    return { total: now, today: newToday, change: newToday !== null && newYesterday !== null ? newToday - newYesterday : null };
  }
  const row = sorted.find(r => r.day === yesterday);
  const now = value(counts, today);
  const then = row ? value(row.counts, row.day) : null;
  const total = kind === 'tickets' ? ticketsOf(counts).total.received ?? 0 : null;
  return { total, today: now, change: then !== null ? now - then : null };
}

const fmt = new Intl.NumberFormat('zh-CN');
const signed = v => (v === null ? '—' : v > 0 ? `+${fmt.format(v)}` : v < 0 ? `−${fmt.format(-v)}` : '0');

function part(cls, labelKey, testid) {
  const row = document.createElement('span');
  row.className = cls;
  const label = document.createElement('span');
  label.className = 'fig-label';
  label.textContent = t(labelKey);
  const number = document.createElement('span');
  number.className = 'fig-number';
  number.dataset.testid = testid;
  row.append(label, ' ', number);
  return row;
}

function build(box) {
  for (const [key, kind] of FIGURES) {
    const card = document.createElement('li');
    card.className = 'fig';
    card.dataset.key = key;
    card.dataset.kind = kind;
    card.dataset.testid = `fig-${key}`;
    const name = document.createElement('span');
    name.className = 'fig-name';
    name.textContent = t(`metric.${key}`);
    const total = document.createElement('span');
    total.className = 'fig-total';
    total.dataset.testid = `fig-${key}-total`;
    card.append(name, total,
      part('fig-today', kind === 'stock' ? 'dash.fig.today' : 'dash.fig.todayDaily', `fig-${key}-today`),
      part('fig-change', 'dash.fig.change', `fig-${key}-change`));
    box.append(card);
  }
}

const put = (el, value, text) => {
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = text;
};

/** Renders the figure cards; `rows` may be empty until the history has loaded. */
export function renderFigures(counts, rows, today) {
  const box = $('figure-list');
  if (!box.childElementCount) build(box);
  box.dataset.today = today ?? '';
  if (!counts || !today) return;
  for (const spec of FIGURES) {
    const [key, kind] = spec;
    const f = figure(spec, counts, rows, today);
    const card = box.querySelector(`[data-key="${key}"]`);
    card.classList.toggle('no-total', f.total === null);
    put($(`fig-${key}-total`, card), f.total, f.total === null ? fmt.format(f.today) : fmt.format(f.total));
    put($(`fig-${key}-today`, card), f.today, kind === 'stock' ? signed(f.today) : fmt.format(f.today));
    put($(`fig-${key}-change`, card), f.change, signed(f.change));
    card.querySelector('.fig-change').dataset.trend = f.change > 0 ? 'up' : f.change < 0 ? 'down' : 'flat';
  }
}
