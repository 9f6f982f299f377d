// A resident's requests for help and health-code history as both sides see them: the resident (index.html) and
// village staff (staff.html) get the same items; each page adds what only it does (staff: mark a need handled).
import { t, bi, currentLanguage } from './i18n.js';
import { formatDateTime } from './format.js';

/** Replaces a list's items with one per entry, or a single "empty" item saying `emptyKey`. */
export function renderList(list, entries, emptyKey, item) {
  list.replaceChildren();
  if (entries.length === 0) {
    const li = bi('li', emptyKey);
    li.className = 'empty';
    list.append(li);
  }
  for (const entry of entries) list.append(item(entry));
}

/** One request for help: kind, status and time, then what was asked. */
export function needItem(need) {
  const li = document.createElement('li');
  li.dataset.testid = 'need';
  li.dataset.needId = need.id;
  li.dataset.status = need.status;
  li.dataset.kind = need.kind;
  const head = document.createElement('div');
  head.className = 'need-head';
  const kind = bi('span', `need.${need.kind}`, need.kind);
  kind.className = 'need-kind';
  const status = bi('span', `needStatus.${need.status}`, need.status);
  status.className = `badge status-${need.status}`;
  status.dataset.testid = 'need-status';
  const when = document.createElement('time');
  when.dateTime = need.createdAt;
  when.textContent = formatDateTime(need.createdAt);
  head.append(kind, status, when);
  const detail = document.createElement('p');
  detail.className = 'need-detail';
  detail.dataset.testid = 'need-detail-text';
  detail.textContent = need.detail;
  li.append(head, detail);
  return li;
}

/** When, by whom and with what note a need was handled. */
export function handledNote(need) {
  const note = document.createElement('p');
  note.className = 'hint';
  note.dataset.testid = 'need-handled-note';
  note.textContent = [formatDateTime(need.handledAt), need.handledBy, need.note].filter(Boolean).join(' · ');
  return note;
}

/** One change of a health code: when, from → to, the cause, the detail and who did it. */
export function historyItem(entry) {
  const change = entry.change ?? entry;
  const li = document.createElement('li');
  li.dataset.testid = 'history-item';
  li.dataset.to = change.to;
  li.dataset.from = change.from;
  li.dataset.cause = change.cause;
  li.dataset.by = entry.by ?? '';
  const when = document.createElement('time');
  when.dateTime = change.at;
  when.textContent = formatDateTime(change.at);
  const move = document.createElement('span');
  move.className = 'move';
  const from = document.createElement('span');
  from.className = `dot dot-${change.from}`;
  from.textContent = t(`colour.${change.from}`, change.from);
  const to = document.createElement('span');
  to.className = `dot dot-${change.to}`;
  to.textContent = t(`colour.${change.to}`, change.to);
  move.append(from, ' → ', to);
  const cause = bi('span', `cause.${change.cause}`, change.cause);
  cause.className = 'cause';
  const detail = document.createElement('span');
  detail.className = 'detail';
  // The rules write the detail as English free text ("applied on … with the honesty pledge"); the colours and the cause
  // above say the same in the page's language, so the detail is shown on the English page only.
  detail.textContent = currentLanguage() === 'en' ? change.detail ?? '' : '';
  li.append(when, move, cause, detail);
  if (entry.by) {
    const by = bi('span', `by.${entry.by}`, entry.by);
    by.className = 'by';
    by.dataset.testid = 'history-by';
    li.append(by);
  }
  return li;
}
