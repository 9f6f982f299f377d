// The command dashboard's charts, drawn so they do not mislead (docs/dashboard.md "Charts"):
//  - the heat map (tiles and the city's map) colours a SHARE on one fixed scale, the same at every level and for every
//    metric, never stretched to the largest child;
//  - the codes by child region are a 100 % stacked bar of residents in which a red or yellow count above zero is always
//    at least a thin bar, or grouped bars on a log axis;
//  - the trend is small multiples, one chart per figure with its own axis, so fever is not flattened by applied.
// ECharts is vendored under lib/ (window.echarts); every label goes through i18n.js.
import { t } from './i18n.js';
import { $ } from './dom.js';
import { ticketsOf } from './dashboard-tickets.js';

export const MAP_NAME = '三门峡';
const ZONE = 'Asia/Shanghai';
export const COLOURS = { green: '#1a9b4a', yellow: '#e0a800', red: '#d2302c', none: '#a9b3bd', applied: '#0b5cad', clockedInToday: '#7b4bb7', fever: '#e8590c', isolated: '#6d4c41' };

const share = (part, whole) => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : 0);
const KEY_PERSONS = ['fromOutsideCity', 'fromHubei', 'fromWuhan', 'closeContacts', 'feverNoExposure'];
export const keyPersons = c => KEY_PERSONS.reduce((sum, k) => sum + (c?.[k] ?? 0), 0);

/** Heat metrics: each a share (0..1) of applied codes or of residents, with the count behind it for the tooltip. */
export const HEAT_METRICS = {
  riskShare: { count: c => c.red + c.yellow, of: c => c.applied },
  notClockedInShare: { count: c => Math.max(0, c.applied - c.clockedInToday), of: c => c.applied },
  red: { count: c => c.red, of: c => c.applied },
  yellow: { count: c => c.yellow, of: c => c.applied },
  fever: { count: c => c.fever, of: c => c.residents },
  isolated: { count: c => c.isolated, of: c => c.residents },
  openNeeds: { count: c => c.openNeeds, of: c => c.residents },
  keyPersons: { count: keyPersons, of: c => c.residents },
  applied: { count: c => c.applied, of: c => c.residents },
  ticketsOpen: { count: c => ticketsOf(c).open, of: c => c.residents },
  ticketsOverdue: { count: c => ticketsOf(c).overdue, of: c => c.residents },
};
export const heatValue = (metric, counts) => share(HEAT_METRICS[metric].count(counts), HEAT_METRICS[metric].of(counts));

/**
 * The fixed heat scale: band 0 is exactly zero, then (0, 1 %), [1 %, 2 %), [2 %, 5 %), [5 %, 10 %), [10 %, 20 %),
 * [20 %, 50 %), [50 %, 100 %]. Text on bands 5-7 is white; every pair is at least 4.5:1.
 */
export const HEAT_BANDS = [
  { lower: 0, upper: 0, colour: '#eef1f4', dark: false },
  { lower: 0, upper: 0.01, colour: '#fff1e6', dark: false },
  { lower: 0.01, upper: 0.02, colour: '#fdd9bf', dark: false },
  { lower: 0.02, upper: 0.05, colour: '#fcb995', dark: false },
  { lower: 0.05, upper: 0.1, colour: '#f98f68', dark: false },
  { lower: 0.1, upper: 0.2, colour: '#c8382a', dark: true },
  { lower: 0.2, upper: 0.5, colour: '#9c1f1a', dark: true },
  { lower: 0.5, upper: 1, colour: '#67000d', dark: true },
];
export function heatBand(value) {
  if (!(value > 0)) return 0;
  for (let i = 1; i < HEAT_BANDS.length - 1; i++) if (value < HEAT_BANDS[i].upper) return i;
  return HEAT_BANDS.length - 1;
}
const pct = v => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
const bandText = (b, i) => (i === 0 ? '0' : `${pct(b.lower).replace(/\.0+%$/, '%')}–${pct(b.upper).replace(/\.0+%$/, '%')}`);

const fmt = new Intl.NumberFormat('zh-CN');
const timeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false });
const dayFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, month: '2-digit', day: '2-digit' });

// ---------------------------------------------------------------- chart instances

const charts = {};
let theme = null;

/** Light charts, or dark ones for the big screen: the instances are made again in the new theme. */
export function setChartTheme(dark) {
  const next = dark ? 'dark' : null;
  if (next === theme) return;
  theme = next;
  for (const [id, c] of Object.entries(charts)) { c.dispose(); delete charts[id]; }
}

export function chart(testid) {
  const el = $(testid);
  if (!window.echarts || el.hidden) return null;
  let c = charts[testid];
  if (!c) {
    c = charts[testid] = echarts.init(el, theme, { renderer: 'canvas' });
    c.setOption({ backgroundColor: 'transparent' });
    new ResizeObserver(() => c.resize()).observe(el);
  }
  return c;
}

const textColour = () => (theme ? '#e8eef5' : '#1d232a');

// ---------------------------------------------------------------- codes by child region

/** `view`: 'share' (100 % stacked, at least a thin bar for any red or yellow) or 'log' (grouped bars, log axis). */
export function renderBar(update, view, open) {
  const c = chart('chart-bar');
  if (!c) return;
  const children = update.children ?? [];
  const names = children.map(ch => ch.name);
  const log = view === 'log';
  const parts = [
    ['metric.green', ch => ch.counts.green, COLOURS.green, 0],
    ['metric.yellow', ch => ch.counts.yellow, COLOURS.yellow, 3],
    ['metric.red', ch => ch.counts.red, COLOURS.red, 3],
    ['dash.notApplied', ch => Math.max(0, ch.counts.residents - ch.counts.applied), COLOURS.none, 0],
  ];
  const series = parts.map(([key, count, colour, minHeight]) => ({
    name: t(key), type: 'bar', stack: log ? undefined : 'codes', itemStyle: { color: colour }, barMinHeight: log ? 0 : minHeight,
    emphasis: { focus: 'series' },
    data: children.map(ch => {
      const n = count(ch);
      if (log) return n > 0 ? n : '-';
      // Zero is left out ('-'), so the least height of a red or yellow bar goes only to a count above zero.
      return n > 0 && ch.counts.residents > 0 ? { value: (100 * n) / ch.counts.residents, count: n } : '-';
    }),
  }));
  c.setOption({
    animationDuration: 300,
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' },
      valueFormatter: log ? v => `${fmt.format(v)} ${t('dash.people')}` : v => `${Number(v).toFixed(2)}%`,
    },
    legend: { top: 0, textStyle: { fontSize: 12, color: textColour() } },
    grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 40 : 0, fontSize: 12, hideOverlap: true } },
    yAxis: log
      ? { type: 'log', min: 1, logBase: 10, name: t('dash.bar.axisLog'), nameTextStyle: { align: 'left' } }
      : { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, name: t('dash.bar.axisShare'), nameTextStyle: { align: 'left' } },
    series,
  }, { replaceMerge: ['series', 'yAxis'] });
  c.off('click');
  c.on('click', p => open(children[p.dataIndex]?.code));
}

// ---------------------------------------------------------------- heat map (tiles, the city's map, the legend)

export function renderHeatLegend(metric) {
  const legend = $('heat-legend');
  legend.dataset.scale = 'fixed';
  legend.dataset.metric = metric;
  legend.dataset.min = '0';
  legend.dataset.max = '1';
  const caption = document.createElement('span');
  caption.className = 'legend-caption';
  caption.textContent = `${t(`heat.${metric}`)} · ${t('dash.heat.scale')}`;
  const list = document.createElement('ul');
  list.className = 'legend-bands';
  HEAT_BANDS.forEach((b, i) => {
    const item = document.createElement('li');
    item.dataset.testid = 'heat-band';
    item.dataset.band = String(i);
    item.dataset.lower = String(b.lower);
    item.dataset.upper = String(b.upper);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = b.colour;
    item.append(swatch, bandText(b, i));
    list.append(item);
  });
  legend.replaceChildren(caption, list);
}

function tooltipText(name, metric, counts) {
  const m = HEAT_METRICS[metric];
  return `${name} · ${t(`heat.${metric}`)}: ${pct(heatValue(metric, counts))} (${fmt.format(m.count(counts))} / ${fmt.format(m.of(counts))})`;
}

export function renderHeat(update, metric, { drillable, open }) {
  const children = update.children ?? [];
  const tiles = $('heatmap');
  tiles.replaceChildren();
  for (const child of children) {
    const value = heatValue(metric, child.counts);
    const band = heatBand(value);
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.setAttribute('role', 'listitem');
    tile.dataset.testid = 'tile';
    tile.dataset.code = child.code;
    tile.dataset.value = String(value);
    tile.dataset.band = String(band);
    tile.style.background = HEAT_BANDS[band].colour;
    tile.dataset.dark = String(HEAT_BANDS[band].dark);
    tile.title = tooltipText(child.name, metric, child.counts);
    const name = document.createElement('span');
    name.className = 'tile-name';
    name.textContent = child.name;
    const text = document.createElement('span');
    text.className = 'tile-value';
    text.textContent = pct(value);
    tile.append(name, text);
    if (drillable(child.code)) tile.addEventListener('click', () => open(child.code));
    else tile.disabled = true;
    tiles.append(tile);
  }
  renderHeatLegend(metric);

  // The city's counties on the real map, when the vendored geometry knows every county by name.
  const mapEl = $('map');
  const geo = window.echarts?.getMap?.(MAP_NAME);
  const features = new Set((geo?.geoJSON?.features ?? geo?.geoJson?.features ?? []).map(f => f.properties?.name));
  const onMap = update.code.length === 6 && update.code.endsWith('00') && children.length > 0
    && (features.size === 0 ? !!geo : children.every(ch => features.has(ch.name)));
  mapEl.hidden = !onMap;
  document.body.dataset.map = String(onMap);
  if (!onMap) return;
  const c = chart('map');
  if (!c) return;
  c.setOption({
    tooltip: { trigger: 'item', formatter: p => { const ch = children.find(x => x.name === p.name); return ch ? tooltipText(ch.name, metric, ch.counts) : p.name; } },
    visualMap: {
      type: 'piecewise', show: false, dimension: 0, seriesIndex: 0,
      pieces: HEAT_BANDS.map((b, i) => (i === 0 ? { value: 0, color: b.colour } : i === HEAT_BANDS.length - 1
        ? { gt: b.lower, lte: b.upper, color: b.colour } : { gt: b.lower, lt: b.upper, color: b.colour })),
    },
    series: [{
      type: 'map', map: MAP_NAME, roam: false, layoutCenter: ['50%', '50%'], layoutSize: '95%',
      label: { show: true, fontSize: 13, color: '#1f2328', backgroundColor: 'rgba(255,255,255,0.75)', padding: [1, 3], borderRadius: 3 },
      labelLayout: { hideOverlap: true },
      emphasis: { label: { show: true } },
      data: children.map(ch => ({ name: ch.name, value: heatValue(metric, ch.counts), code: ch.code })),
    }],
  }, { replaceMerge: ['series', 'visualMap'] });
  c.off('click');
  c.on('click', p => { const code = p.data?.code; if (code && drillable(code)) open(code); });
}

// ---------------------------------------------------------------- trend: small multiples

const TREND_SERIES = ['applied', 'green', 'yellow', 'red', 'clockedInToday', 'fever'];

/** `points`: [{ at, counts }] oldest first. `columns`: charts per row (by default 3 on a wide panel, else 2). */
export function renderTrend(points, columns) {
  const c = chart('chart-trend');
  if (!c) return;
  columns ??= $('chart-trend').clientWidth >= 900 ? 3 : 2;
  const rows = Math.ceil(TREND_SERIES.length / columns);
  const span = points.length ? points[points.length - 1].at - points[0].at : 0;
  const label = v => (span > 86_400_000 ? dayFmt.format(new Date(v)) : timeFmt.format(new Date(v)));
  const cell = i => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    return { left: `${(100 / columns) * col + 1}%`, width: `${100 / columns - 3}%`, top: `${(100 / rows) * row + 9}%`, height: `${100 / rows - 16}%` };
  };
  const min = points[0]?.at;
  const max = points.length ? Math.max(points[points.length - 1].at, points[0].at + 60_000) : undefined;
  c.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    title: TREND_SERIES.map((key, i) => ({
      text: t(`metric.${key}`), left: cell(i).left, top: `${(100 / rows) * Math.floor(i / columns)}%`,
      textStyle: { fontSize: 13, fontWeight: 600, color: textColour() },
    })),
    grid: TREND_SERIES.map((_, i) => ({ ...cell(i), containLabel: true })),
    xAxis: TREND_SERIES.map((_, i) => ({ type: 'time', gridIndex: i, min, max, splitNumber: 3, axisLabel: { formatter: label, fontSize: 11, hideOverlap: true } })),
    yAxis: TREND_SERIES.map((_, i) => ({ type: 'value', gridIndex: i, minInterval: 1, splitNumber: 2, axisLabel: { fontSize: 11 } })),
    series: TREND_SERIES.map((key, i) => ({
      name: t(`metric.${key}`), type: 'line', step: 'end', xAxisIndex: i, yAxisIndex: i, showSymbol: points.length < 30,
      itemStyle: { color: COLOURS[key] }, areaStyle: { opacity: 0.12 }, data: points.map(p => [p.at, p.counts[key] ?? 0]),
    })),
  }, { replaceMerge: ['series', 'grid', 'xAxis', 'yAxis', 'title'] });
}
