// The checkpoint console's list for administrators (issue 17): every checkpoint they may open (GET /api/checkpoints, in
// pages of 1,000: about 4,136 for the city), filtered as they type by name or id, the first 50 matches as buttons.
// Checkpoint staff never see it: they land on the checkpoint their account is assigned to.
import { register, fill } from './i18n.js';
import { $, h } from './dom.js';

register({
  'cp.pick': ['选择检测点', 'Choose a checkpoint'],
  'cp.filter': ['按名称或编号筛选', 'Filter by name or id'],
  'cp.listLoading': ['正在加载检测点…', 'Loading the checkpoints…'],
  'cp.listCount': ['共 {n} 个，显示 {shown} 个', '{n} found, {shown} shown'],
  'cp.listEmpty': ['没有符合的检测点', 'No checkpoint matches'],
});

const PAGE = 1000;
const MAX_PAGES = 20;
const SHOWN = 50;

const picker = { items: null, loading: null, onPick: null };

/** Wires the filter; `onPick(id)` opens the checkpoint chosen. */
export function mountPicker(api, onPick) {
  picker.onPick = onPick;
  $('pick-form').addEventListener('submit', e => e.preventDefault());
  $('cp-filter').addEventListener('input', () => render());
}

/** Loads the list (once per page load) and shows it. */
export async function showPicker(api) {
  if (!picker.items) {
    fill($('cp-list-status'), 'cp.listLoading');
    picker.loading ??= load(api).finally(() => { picker.loading = null; });
    picker.items = await picker.loading;
  }
  render();
  $('cp-filter').focus();
}

async function load(api) {
  const items = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await api('GET', `/api/checkpoints?skip=${page * PAGE}&take=${PAGE}`);
    items.push(...(answer.items ?? []));
    if ((answer.items ?? []).length < PAGE) break;
  }
  return items;
}

function render() {
  const text = $('cp-filter').value.trim().toLowerCase();
  const matches = (picker.items ?? []).filter(c => !text || c.id.toLowerCase().includes(text) || c.name.toLowerCase().includes(text));
  const list = $('cp-list');
  list.replaceChildren(...matches.slice(0, SHOWN).map(c => h('li', {},
    h('button', { type: 'button', class: 'cp-option', 'data-testid': 'cp-option', 'data-id': c.id },
      h('span', { class: 'cp-option-name' }, c.name), ' ', h('span', { class: 'cp-option-id' }, c.id)))));
  for (const button of list.querySelectorAll('button')) button.addEventListener('click', () => picker.onPick?.(button.dataset.id));
  const status = $('cp-list-status');
  status.dataset.count = String(matches.length);
  if (matches.length === 0) { fill(status, 'cp.listEmpty'); return; }
  fill(status, 'cp.listCount');
  const put = t => t.replace('{n}', String(matches.length)).replace('{shown}', String(Math.min(SHOWN, matches.length)));
  for (const part of status.children.length ? [...status.children] : [status]) part.textContent = put(part.textContent);
}
