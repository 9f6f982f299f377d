// Region codes (as RegionCode.cs: city 411200, county 6 digits, township 9, village 12) and the region <select>s
// of the resident registration (index.html) and the village console's picker (staff.html).
import { t, currentLanguage } from './i18n.js';

/** A region's name for the page's language: "湖滨区" in Chinese, its pinyin ("Hubin Qu") in English where known. */
export const regionLabel = r => (currentLanguage() === 'en' && r.pinyin ? r.pinyin : r.name);

/** A region's code as text, whether the API sent it as a string or as { value }. */
export const regionCode = r => (typeof r.code === 'string' ? r.code : (r.code?.value ?? String(r.code)));

/** Is `code` within `ancestor` (the city covers every code starting with its first 4 digits)? */
export function within(code, ancestor) {
  if (!code || !ancestor) return false;
  if (ancestor.length === 6 && ancestor.endsWith('00')) return code.startsWith(ancestor.slice(0, 4));
  return code.startsWith(ancestor);
}

/**
 * Empties a region <select> to its "Choose" option (disabled, data-loaded="false"); with a parent, lists the
 * parent's children that `keep` accepts, read through the page's `api`, and enables it (data-loaded="true").
 */
export async function fillRegionSelect(select, parent, api, keep = () => true) {
  select.disabled = true;
  select.dataset.loaded = 'false';
  const placeholder = document.createElement('option');
  placeholder.value = '';
  placeholder.textContent = t('common.choose');
  select.replaceChildren(placeholder);
  if (!parent) return;
  const regions = (await api('GET', `/api/regions?parent=${encodeURIComponent(parent)}`)) ?? [];
  for (const r of regions) {
    const code = regionCode(r);
    if (!keep(code)) continue;
    const option = document.createElement('option');
    option.value = code;
    option.textContent = regionLabel(r);
    select.append(option);
  }
  select.disabled = false;
  select.dataset.loaded = 'true';
}
