// A region picker over the region tree (GET /api/regions?parent=…), for forms that name a region: one <select> per
// level below a root (the administrator's jurisdiction), added as the level above is chosen. The region picked is the
// deepest level chosen, or the root itself ("the whole …"), so a jurisdiction is never typed as a code.
// Markup: <fieldset data-picker="name" data-picker-label="i18n key" [data-picker-require="true"]></fieldset>
// (data-picker-require: a village, township or county must be chosen; the root itself is not a choice).
import { register, t, fill } from './i18n.js';
import { h } from './dom.js';
import { regionLabel, regionCode } from './regions.js';

register({
  'picker.whole': ['整个区域', 'The whole region'],
  'picker.chosen': ['已选', 'Chosen'],
  'picker.level.county': ['县（市、区）', 'County / district'],
  'picker.level.township': ['乡镇（街道）', 'Township / street'],
  'picker.level.village': ['村（社区）', 'Village / community'],
});

/** The level of the regions below a code: the city's children are counties, and so on; a village has none. */
function childLevel(code) {
  if (code.length === 6 && code.endsWith('00')) return 'county';
  if (code.length === 6) return 'township';
  if (code.length === 9) return 'village';
  return null;
}

/**
 * Turns the fieldset into a picker rooted at `root` ({ code, name }). Returns { value(), reset(root), choose(code) }:
 * value() is the code picked (null when a choice is required and none is made). `onChange(code)` is told each pick.
 */
export function createRegionPicker(fieldset, api, { onChange } = {}) {
  const name = fieldset.dataset.picker;
  const required = fieldset.dataset.pickerRequire === 'true';
  const legend = h('legend', {});
  fill(legend, fieldset.dataset.pickerLabel);
  const levels = h('div', { class: 'picker-levels' });
  const chosen = h('p', { class: 'picker-chosen', 'data-testid': `${name}-chosen`, 'aria-live': 'polite' });
  fieldset.replaceChildren(legend, levels, chosen);
  fieldset.dataset.testid = name;
  let rootRegion = null;
  let names = new Map();

  function current() {
    const selects = [...levels.querySelectorAll('select')];
    for (let i = selects.length - 1; i >= 0; i--) if (selects[i].value) return selects[i].value;
    return required ? null : rootRegion?.code ?? null;
  }

  function showChosen() {
    const code = current();
    chosen.dataset.code = code ?? '';
    chosen.textContent = code ? `${t('picker.chosen')}: ${names.get(code) ?? code} (${code})` : '';
    onChange?.(code);
  }

  async function addLevel(parent, depth) {
    const level = childLevel(parent);
    if (!level) return null;
    const children = (await api('GET', `/api/regions?parent=${encodeURIComponent(parent)}`)) ?? [];
    if (children.length === 0) return null;
    const id = `${name}-${depth}`;
    const select = h('select', { id, 'data-testid': `${name}-${level}`, 'data-level': level });
    select.append(h('option', { value: '' }, depth === 0 && !required ? `${t('picker.whole')} (${names.get(parent) ?? parent})` : t('common.choose')));
    for (const r of children) {
      const code = regionCode(r);
      names.set(code, r.name);
      select.append(h('option', { value: code }, `${regionLabel(r)} (${code})`));
    }
    const label = h('label', { for: id });
    fill(label, `picker.level.${level}`);
    const wrap = h('div', { class: 'picker-level' }, label, select);
    levels.append(wrap);
    select.addEventListener('change', async () => {
      // Levels below this one belong to the previous choice.
      while (wrap.nextSibling) wrap.nextSibling.remove();
      showChosen();
      if (select.value) {
        await addLevel(select.value, depth + 1);
      }
      fieldset.dataset.loaded = 'true';
    });
    return select;
  }

  async function reset(root) {
    rootRegion = root ?? rootRegion;
    names = new Map([[rootRegion.code, rootRegion.name]]);
    levels.replaceChildren();
    fieldset.dataset.loaded = 'false';
    await addLevel(rootRegion.code, 0);
    fieldset.dataset.loaded = 'true';
    showChosen();
  }

  /** Selects `code` level by level (its ancestors first), as far as the root allows. */
  async function choose(code) {
    await reset();
    const path = [];
    for (const len of [6, 9, 12]) if (code.length >= len) path.push(code.slice(0, len));
    for (const step of path) {
      const select = [...levels.querySelectorAll('select')].find(s => [...s.options].some(o => o.value === step));
      if (!select) continue;
      select.value = step;
      while (select.parentElement.nextSibling) select.parentElement.nextSibling.remove();
      if (step !== code) await addLevel(step, levels.children.length);
    }
    showChosen();
  }

  return { value: current, reset, choose };
}
