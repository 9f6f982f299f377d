// 系统管理 · the region tree: browse it level by level (children are read when a region is opened), load a real tree
// from CSV (code,name[,pinyin][,population]) or generate the synthetic one, each with a report of what was loaded.
import { register, t, bi } from './i18n.js';
import { $, h } from './dom.js';
import { regionLabel, regionCode } from './regions.js';
import { renderReport, chosenFile } from './admin-common.js';

register({
  'adm.rg.heading': ['行政区划', 'Regions'],
  'adm.rg.tree': ['区划树', 'Region tree'],
  'adm.rg.treeIntro': ['点击区域展开下级；括号内为区划代码和人口', 'Open a region to see the regions below it; code and population in brackets'],
  'adm.rg.empty': ['尚未加载区划，请导入或生成', 'No regions yet: import or generate them'],
  'adm.rg.population': ['人口', 'population'],
  'adm.rg.import': ['导入区划（CSV）', 'Import regions from CSV'],
  'adm.rg.importIntro': ['列：code,name[,pinyin][,population]；代码决定层级和上级，上级须在文件中或已存在', 'Columns: code,name[,pinyin][,population]; a code gives its level and parent, which must be in the file or known'],
  'adm.rg.imported': ['区划已导入', 'Regions imported'],
  'adm.rg.loaded': ['已加载', 'Loaded'],
  'adm.rg.generate': ['生成模拟区划', 'Generate the synthetic tree'],
  'adm.rg.generateIntro': ['用于演示和压测：三门峡六个县（市、区）下生成乡镇和村（社区），同一种子结果相同', 'For demonstrations and load tests: townships and villages under the six real counties; the same seed gives the same tree'],
  'adm.rg.seed': ['种子（可选）', 'Seed (optional)'],
  'adm.rg.villages': ['村（社区）数（6–20000，可选）', 'Villages (6–20000, optional)'],
  'adm.rg.generateSubmit': ['生成', 'Generate'],
  'adm.rg.generated': ['区划已生成', 'Regions generated'],
});

let ctx;

/** One region of the tree: a button that opens its children (lazily), or a plain label for a village. */
function node(region) {
  const code = regionCode(region);
  const population = region.population ? `, ${t('adm.rg.population')} ${region.population}` : '';
  const text = `${regionLabel(region)} (${code}${population})`;
  const li = h('li', { 'data-testid': 'region-node', 'data-code': code, 'data-level': region.level });
  if (region.level === 'Village') {
    li.append(h('span', { class: 'adm-leaf' }, text));
    return li;
  }
  const children = h('ul', { hidden: true });
  const button = h('button', { type: 'button', class: 'adm-toggle', 'aria-expanded': 'false', 'data-testid': 'region-toggle' }, text);
  button.addEventListener('click', () => ctx.busy(button, null, async () => {
    const open = button.getAttribute('aria-expanded') === 'true';
    if (!open && children.dataset.loaded !== 'true') {
      await fillLevel(children, code);
      children.dataset.loaded = 'true';
    }
    button.setAttribute('aria-expanded', String(!open));
    children.hidden = open;
  }));
  li.append(button, children);
  return li;
}

async function fillLevel(list, parent) {
  const regions = (await ctx.api('GET', `/api/regions?parent=${encodeURIComponent(parent)}`)) ?? [];
  list.replaceChildren(...regions.map(node));
  return regions.length;
}

async function loadTree() {
  const tree = $('region-tree');
  const root = ctx.root;
  if (root.code.length === 12) {
    tree.replaceChildren(node({ code: root.code, name: root.name, level: 'Village' }));
    return;
  }
  const top = node({ code: root.code, name: root.name, level: 'Region' });
  tree.replaceChildren(top);
  const children = top.querySelector('ul');
  if (await fillLevel(children, root.code) === 0) children.replaceChildren(bi('li', 'adm.rg.empty'));
  children.dataset.loaded = 'true';
  children.hidden = false;
  top.querySelector('button').setAttribute('aria-expanded', 'true');
}

export function setupRegions(context) {
  ctx = context;
  const upload = $('rg-import-form');
  upload.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('rg-import-submit'), upload, async () => {
      const file = chosenFile(upload.elements.file, ctx.localProblem);
      $('rg-import-report').hidden = true;
      const report = await ctx.api('POST', '/api/admin/regions/import', file, { raw: true, contentType: 'text/csv' });
      renderReport($('rg-import-report'), { rows: ['adm.report.rows', report.rows], loaded: ['adm.rg.loaded', report.loaded] }, report.errors ?? []);
      ctx.showNotice(t('adm.rg.imported'));
      await loadTree();
    });
  });

  const generate = $('rg-generate-form');
  generate.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('rg-generate-submit'), generate, async () => {
      const number = value => (String(value).trim() === '' ? null : Number(value));
      $('rg-generate-report').hidden = true;
      const report = await ctx.api('POST', '/api/admin/regions/generate', {
        seed: number(generate.elements.seed.value), villages: number(generate.elements.villages.value),
      });
      renderReport($('rg-generate-report'), { rows: ['adm.report.rows', report.rows], loaded: ['adm.rg.loaded', report.loaded] }, report.errors ?? []);
      ctx.showNotice(t('adm.rg.generated'));
      await loadTree();
    });
  });
}

export async function enterRegions() {
  await loadTree();
}
