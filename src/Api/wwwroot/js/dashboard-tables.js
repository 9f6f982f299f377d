// The command dashboard's normal-view tables: the headline tiles of the region on screen and its child regions' table.
import { bi } from './i18n.js';
import { $ } from './dom.js';
import { TICKET_COLUMNS } from './dashboard-tickets.js';

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

const fmt = new Intl.NumberFormat('zh-CN');

/** The headline tiles; a tile whose value changed since `before` flashes. */
export function renderKpis(counts, before) {
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

/** The child regions' table; a child within the jurisdiction (`drillable`) opens with `open(code)`. */
export function renderTable(update, drillable, open) {
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
      button.addEventListener('click', () => open(child.code));
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
