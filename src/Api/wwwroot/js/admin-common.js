// What the administration console's parts (admin-staff.js, admin-checkpoints.js, admin-regions.js) share.
import { bi } from './i18n.js';
import { h } from './dom.js';

export const PAGE_SIZE = 50;

/** A 14-character password from an alphabet without look-alikes (0/O, 1/l/I), from the browser's secure random source. */
export function generatePassword(length = 14) {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
  let out = '';
  for (const b of bytes) {
    if (b >= 256 - (256 % alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : generatePassword(length);
}

/** An import's report: counts (label key → number, each with data-testid report-<name>) and the rejected lines. */
export function renderReport(box, counts, errors = []) {
  const dl = h('dl', { class: 'adm-counts' });
  for (const [name, [key, value]] of Object.entries(counts)) {
    const dt = bi('dt', key);
    dl.append(dt, h('dd', { 'data-testid': `report-${name}` }, String(value ?? 0)));
  }
  const errorsDt = bi('dt', 'adm.report.errors');
  dl.append(errorsDt, h('dd', { 'data-testid': 'report-errors' }, String(errors.length)));
  box.replaceChildren(dl);
  if (errors.length > 0) {
    const head = h('tr', {}, bi('th', 'adm.report.line'), bi('th', 'adm.report.field'), bi('th', 'adm.report.reason'));
    for (const th of head.children) th.scope = 'col';
    const table = h('table', { class: 'adm-table', 'data-testid': 'report-error-rows' }, h('thead', {}, head),
      h('tbody', {}, ...errors.map(e => h('tr', { 'data-testid': 'report-error', 'data-line': String(e.line) },
        h('td', {}, String(e.line)), h('td', {}, e.field ?? ''), h('td', {}, e.reason ?? '')))));
    box.append(h('div', { class: 'table-wrap' }, table));
  } else {
    box.append(bi('p', 'adm.report.none'));
  }
  box.dataset.errors = String(errors.length);
  box.hidden = false;
}

/** The chosen file of a form's file input, or a field problem naming it. */
export function chosenFile(input, localProblem) {
  const file = input.files?.[0];
  if (!file) throw localProblem('file', 'adm.chooseFile');
  return file;
}
