// The command dashboard's ticket figures (platforms 1 and 6): tiles for the region on screen (today's and cumulative,
// pushed with the other counts in counts.tickets), ticket columns for the child regions, and the daily history from
// region_daily. See docs/tickets.md "Roll-up" for what each figure means.
import { register, bi, t } from './i18n.js';
import { $ } from './dom.js';

register({
  'dash.tickets.heading': ['12345 工单与线索', '12345 tickets and leads'],
  'dash.tickets.note': ['大字为今日，小字为累计；在办、超期为当前值', 'Large: today; small: cumulative. Open and overdue: now'],
  'dash.tickets.total': ['累计', 'Cumulative'],
  'dash.tickets.history': ['工单每日数', 'Tickets per day'],
  'dash.tickets.day': ['日期', 'Day'],
  'dash.tickets.noHistory': ['暂无每日记录', 'No daily rows yet'],
  'ticket.received': ['受理登记', 'Received'],
  'ticket.accepted': ['已受理', 'Accepted'],
  'ticket.rejected': ['不予受理', 'Rejected'],
  'ticket.closed': ['已办结', 'Closed'],
  'ticket.open': ['在办', 'Open'],
  'ticket.overdue': ['超期', 'Overdue'],
  'ticket.closingRate': ['办结率', 'Closing rate'],
  'ticket.medianHours': ['办结时长中位数(小时)', 'Median hours to close'],
  'ticket.p90Hours': ['办结时长P90(小时)', 'p90 hours to close'],
  'metric.ticketsOpen': ['在办工单', 'Open tickets'],
  'metric.ticketsOverdue': ['超期工单', 'Overdue tickets'],
});

const fmt = new Intl.NumberFormat('zh-CN');
const ZERO = { received: 0, accepted: 0, rejected: 0, closed: 0, acceptedClosed: 0, closingRate: null, medianHours: null, p90Hours: null };

/** Tiles: [key, kind]; 'count' shows today and cumulative, 'now' the current value, 'rate'/'hours' a derived figure. */
export const TICKET_TILES = [
  ['received', 'count'], ['accepted', 'count'], ['closed', 'count'], ['open', 'now'], ['overdue', 'now'],
  ['closingRate', 'rate'], ['medianHours', 'hours'], ['p90Hours', 'hours'],
];

/** The ticket counts of a region's counts, with today's figures only when they are of the counts' own day. */
export function ticketsOf(counts, day) {
  const tk = counts?.tickets ?? {};
  const today = (!day || tk.day === day) ? (tk.today ?? ZERO) : ZERO;
  return { today, total: tk.total ?? ZERO, open: tk.open ?? 0, overdue: tk.overdue ?? 0, escalated: tk.escalated ?? 0 };
}

function text(kind, value) {
  if (value === null || value === undefined) return '—';
  if (kind === 'rate') return `${(value * 100).toFixed(1)}%`;
  if (kind === 'hours') return value.toFixed(1);
  return fmt.format(value);
}

function values(key, kind, tk) {
  if (kind === 'now') return [tk[key], null];
  return [tk.today[key] ?? (kind === 'count' ? 0 : null), tk.total[key] ?? (kind === 'count' ? 0 : null)];
}

/** Renders the tiles for the region's counts; a tile whose values changed since `before` flashes. */
export function renderTicketKpis(counts, before) {
  const box = $('ticket-kpis');
  if (!box) return;
  if (!box.childElementCount) {
    for (const [key, kind] of TICKET_TILES) {
      const tile = document.createElement('div');
      tile.className = 'kpi';
      tile.dataset.key = key;
      tile.dataset.group = 'tickets';
      tile.dataset.testid = `tkpi-${key}`;
      const label = bi('span', `ticket.${key}`);
      label.className = 'kpi-label';
      const value = document.createElement('span');
      value.className = 'kpi-value';
      value.dataset.testid = `tkpi-${key}-value`;
      tile.append(label, value);
      if (kind !== 'now') {
        const total = document.createElement('span');
        total.className = 'kpi-sub';
        total.append(bi('span', 'dash.tickets.total'), document.createTextNode(' '));
        const number = document.createElement('span');
        number.dataset.testid = `tkpi-${key}-total`;
        total.append(number);
        tile.append(total);
      }
      box.append(tile);
    }
  }
  const tk = ticketsOf(counts);
  const old = before ? ticketsOf(before) : null;
  for (const [key, kind] of TICKET_TILES) {
    const [now, total] = values(key, kind, tk);
    const el = $(`tkpi-${key}-value`, box);
    el.textContent = text(kind, now);
    el.dataset.value = now === null || now === undefined ? '' : String(now);
    const totalEl = $(`tkpi-${key}-total`, box);
    if (totalEl) {
      totalEl.textContent = text(kind, total);
      totalEl.dataset.value = total === null || total === undefined ? '' : String(total);
    }
    if (old && JSON.stringify(values(key, kind, old)) !== JSON.stringify([now, total])) {
      const tile = el.parentElement;
      tile.classList.remove('flash');
      void tile.offsetWidth; // restart the animation
      tile.classList.add('flash');
    }
  }
}

/** Ticket columns of the child regions' table: cumulative received, open now, overdue now. */
export const TICKET_COLUMNS = [
  ['received', c => ticketsOf(c).total.received],
  ['open', c => ticketsOf(c).open],
  ['overdue', c => ticketsOf(c).overdue],
];

export const TICKET_HEAT_METRICS = {
  ticketsOpen: { value: c => ticketsOf(c).open },
  ticketsOverdue: { value: c => ticketsOf(c).overdue },
};

/** The daily history (region_daily rows, oldest first): one line per day, newest first, today's figures of that day. */
export function renderTicketHistory(rows) {
  const table = $('ticket-history');
  if (!table) return;
  const head = $('ticket-history-head');
  const columns = [['received', 'count'], ['accepted', 'count'], ['rejected', 'count'], ['closed', 'count'],
    ['closingRate', 'rate'], ['medianHours', 'hours'], ['p90Hours', 'hours']];
  if (!head.childElementCount) {
    head.append(bi('th', 'dash.tickets.day'));
    for (const [key] of columns) head.append(bi('th', `ticket.${key}`));
    for (const th of head.children) th.scope = 'col';
  }
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const row of [...rows].reverse().slice(0, 14)) {
    const tk = ticketsOf(row.counts, row.day);
    const line = body.insertRow();
    line.dataset.testid = 'ticket-day';
    line.dataset.day = row.day;
    line.insertCell().textContent = row.day;
    for (const [key, kind] of columns) {
      const cell = line.insertCell();
      cell.dataset.key = key;
      cell.textContent = text(kind, tk.today[key] ?? null);
    }
  }
  $('ticket-history-empty').hidden = rows.length > 0;
}

export { t };
