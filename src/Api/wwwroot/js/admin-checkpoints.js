// 系统管理 · checkpoints: list by region, create or edit one (the same call: the checkpoint's ID decides), and import
// many from CSV (id,name,region_code[,policy]) with a report of the rejected lines.
import { register, t, bi } from './i18n.js';
import { $, h } from './dom.js';
import { createRegionPicker } from './region-picker.js';
import { PAGE_SIZE, renderReport, chosenFile } from './admin-common.js';

register({
  'adm.cp.heading': ['检测点', 'Checkpoints'],
  'adm.cp.list': ['检测点列表', 'Checkpoints'],
  'adm.cp.filterRegion': ['所在区域（含下级）', 'Region (and below)'],
  'adm.cp.id': ['检测点编号', 'Checkpoint ID'],
  'adm.cp.idHint': ['如 cp-411202001-0001（小写字母、数字和“-”，以 cp- 开头）', 'Like cp-411202001-0001 (lower-case letters, digits and -, starting cp-)'],
  'adm.cp.name': ['名称', 'Name'],
  'adm.cp.region': ['所在区域', 'Region'],
  'adm.cp.reportsTo': ['统计上报至', 'Counts go to'],
  'adm.cp.count': ['已显示', 'Shown'],
  'adm.cp.empty': ['该区域没有检测点', 'No checkpoints in this region'],
  'adm.cp.edit': ['编辑', 'Edit'],
  'adm.cp.create': ['新建检测点', 'New checkpoint'],
  'adm.cp.editing': ['编辑检测点', 'Edit checkpoint'],
  'adm.cp.formIntro': ['编号已存在时保存即为修改（名称、区域、放行规则）', 'Saving an existing ID changes it (name, region, rules)'],
  'adm.cp.policyRed': ['红码', 'Red code'],
  'adm.cp.policyYellow': ['黄码', 'Yellow code'],
  'adm.cp.policyNone': ['无码', 'No code'],
  'adm.cp.save': ['保存', 'Save'],
  'adm.cp.new': ['新建另一个', 'Start a new one'],
  'adm.cp.created': ['检测点已创建', 'Checkpoint created'],
  'adm.cp.saved': ['检测点已保存', 'Checkpoint saved'],
  'adm.cp.import': ['批量导入（CSV）', 'Import from CSV'],
  'adm.cp.importIntro': ['列：id,name,region_code[,policy]，policy 如 red=refuse;yellow=check；错误行单独列出，其余照常导入', 'Columns: id,name,region_code[,policy], policy like red=refuse;yellow=check; bad lines are listed, the rest are loaded'],
  'adm.cp.imported': ['导入完成', 'Import finished'],
  'adm.report.created': ['新建', 'Created'],
  'adm.report.updated': ['已更新', 'Updated'],
  'adm.report.unchanged': ['未变化', 'Unchanged'],
  'action.Allow': ['放行', 'Allow'],
  'action.Check': ['核查', 'Check'],
  'action.Refuse': ['拒绝', 'Refuse'],
});

const ACTIONS = ['Allow', 'Check', 'Refuse'];

let ctx;
let filterPicker;
let regionPicker;
let shown = 0;

async function load(more = false) {
  if (!more) shown = 0;
  const region = filterPicker.value() ?? ctx.root.code;
  const query = new URLSearchParams({ region, skip: String(shown), take: String(PAGE_SIZE) });
  const page = await ctx.api('GET', `/api/checkpoints?${query}`);
  const items = page?.items ?? [];
  const body = $('cp-table').querySelector('tbody');
  if (!more) body.replaceChildren();
  for (const c of items) body.append(row(c));
  shown += items.length;
  if (shown === 0) {
    const td = bi('td', 'adm.cp.empty');
    td.colSpan = 5;
    td.className = 'empty';
    body.append(h('tr', {}, td));
  }
  $('cp-more').hidden = items.length < PAGE_SIZE;
  $('cp-count').textContent = `${t('adm.cp.count')}: ${shown}`;
  $('checkpoint-ids').replaceChildren(...[...body.querySelectorAll('[data-testid="cp-row"]')]
    .map(tr => h('option', { value: tr.dataset.id }, tr.dataset.name)));
}

function row(c) {
  const edit = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'cp-edit' });
  edit.append(bi('span', 'adm.cp.edit'));
  edit.setAttribute('aria-label', `${t('adm.cp.edit')}: ${c.name}`);
  edit.addEventListener('click', () => ctx.busy(edit, null, () => openEdit(c.id)));
  return h('tr', { 'data-testid': 'cp-row', 'data-id': c.id, 'data-name': c.name },
    h('td', {}, h('code', {}, c.id)), h('td', {}, c.name), h('td', {}, c.regionCode), h('td', {}, c.reportsTo ?? ''),
    h('td', { class: 'adm-row-actions' }, edit));
}

function fillActions(select) {
  select.replaceChildren(...ACTIONS.map(a => h('option', { value: a }, t(`action.${a}`))));
  select.value = select.dataset.policy;
}

async function openEdit(id) {
  const view = await ctx.api('GET', `/api/checkpoints/${encodeURIComponent(id)}`);
  const c = view.checkpoint;
  const form = $('cp-form');
  form.elements.id.value = c.id;
  form.elements.id.readOnly = true;
  form.elements.name.value = c.name;
  $('cp-red').value = c.policy?.red ?? 'Refuse';
  $('cp-yellow').value = c.policy?.yellow ?? 'Check';
  $('cp-none').value = c.policy?.none ?? 'Check';
  form.dataset.staff = JSON.stringify(c.staff ?? []);
  await regionPicker.choose(c.regionCode);
  $('cp-form-heading').replaceChildren(bi('span', 'adm.cp.editing'));
  form.dataset.mode = 'edit';
  form.elements.name.focus();
  form.scrollIntoView?.({ block: 'nearest' });
}

async function newCheckpoint() {
  const form = $('cp-form');
  form.reset();
  form.elements.id.readOnly = false;
  delete form.dataset.staff;
  form.dataset.mode = 'create';
  for (const id of ['cp-red', 'cp-yellow', 'cp-none']) fillActions($(id));
  $('cp-form-heading').replaceChildren(bi('span', 'adm.cp.create'));
  await regionPicker.reset(ctx.root);
}

export function setupCheckpoints(context) {
  ctx = context;
  for (const id of ['cp-red', 'cp-yellow', 'cp-none']) fillActions($(id));
  filterPicker = createRegionPicker(document.querySelector('[data-picker="cp-filter-region"]'), ctx.api);
  regionPicker = createRegionPicker(document.querySelector('[data-picker="cp-region"]'), ctx.api);

  const filter = $('cp-filter');
  filter.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('cp-filter-apply'), filter, () => load());
  });
  $('cp-more').addEventListener('click', () => ctx.busy($('cp-more'), null, () => load(true)));
  $('cp-new').addEventListener('click', () => ctx.busy($('cp-new'), null, newCheckpoint));

  const form = $('cp-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('cp-submit'), form, async () => {
      const el = form.elements;
      const staff = form.dataset.staff ? JSON.parse(form.dataset.staff) : null;
      const saved = await ctx.api('POST', '/api/admin/checkpoints', {
        id: el.id.value.trim(),
        name: el.name.value.trim(),
        regionCode: regionPicker.value(),
        policy: { red: $('cp-red').value, yellow: $('cp-yellow').value, none: $('cp-none').value },
        staff,
      });
      form.dataset.saved = saved?.id ?? '';
      ctx.showNotice(t(form.dataset.mode === 'edit' ? 'adm.cp.saved' : 'adm.cp.created'));
      await load();
    });
  });

  const upload = $('cp-import-form');
  upload.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('cp-import-submit'), upload, async () => {
      const file = chosenFile(upload.elements.file, ctx.localProblem);
      $('cp-import-report').hidden = true;
      const report = await ctx.api('POST', '/api/admin/checkpoints/import', file, { raw: true, contentType: 'text/csv' });
      renderReport($('cp-import-report'), {
        rows: ['adm.report.rows', report.rows], created: ['adm.report.created', report.created],
        updated: ['adm.report.updated', report.updated], unchanged: ['adm.report.unchanged', report.unchanged],
      }, report.errors ?? []);
      ctx.showNotice(t('adm.cp.imported'));
      await load();
    });
  });
}

export async function enterCheckpoints() {
  await filterPicker.reset(ctx.root);
  await newCheckpoint();
  await load();
}
