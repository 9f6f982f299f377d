// The parts every page has around its own content, built from the page's placeholders so they are written once:
//   <header class="topbar" data-title="key" data-subtitle="key" data-skip="key">…the page's own tools…</header>
//     → the skip link (if data-skip), the brand (title, subtitle) and the right-hand tools, then the language
//       switch ("中文 | English", i18n.js) and "sign out". The page's <title> becomes the title in the current language.
//     data-subtitle-testid names a subtitle the page fills itself (no data-subtitle then).
//   <main id="main" data-messages="fields notice loading">
//     → the alert region problems.js writes to (with its list of field errors if "fields"), then the notice and
//       the loading line where named.
// Call mountChrome() before applyI18n(); the labels are filled there. showToday() fills the header's date.
import { bi, t, languageSwitch } from './i18n.js';
import { $, h } from './dom.js';

export function mountChrome(doc = document) {
  const header = doc.querySelector('header.topbar[data-title]');
  if (header) {
    const { title, subtitle, subtitleTestid, skip } = header.dataset;
    const tools = [...header.children];
    header.replaceChildren(
      h('div', { class: 'brand' },
        h('h1', { 'data-i18n': title }),
        h('p', { class: 'sub', 'data-i18n': subtitle, 'data-testid': subtitleTestid })),
      h('div', { class: 'topbar-right' },
        ...tools,
        languageSwitch(doc),
        h('button', { type: 'button', class: 'link', 'data-testid': 'sign-out', hidden: true, 'data-i18n': 'common.signOut' })));
    if (skip) header.before(h('a', { class: 'skip', href: '#main', 'data-i18n': skip }));
    if (title) doc.title = t(title);
  }

  const main = doc.querySelector('main[data-messages]');
  if (main) {
    const parts = main.dataset.messages.split(/\s+/);
    main.prepend(
      h('div', { class: 'alert', role: 'alert', 'data-testid': 'error', hidden: true },
        h('p', { class: 'alert-title', 'data-testid': 'error-title' }),
        h('p', { class: 'alert-detail', 'data-testid': 'error-detail' }),
        ...(parts.includes('fields') ? [h('ul', { class: 'alert-fields', 'data-testid': 'error-fields' })] : [])),
      ...(parts.includes('notice') ? [h('p', { class: 'notice', role: 'status', 'data-testid': 'notice', hidden: true })] : []),
      ...(parts.includes('loading') ? [h('p', { class: 'loading', 'data-testid': 'loading', 'data-i18n': 'common.loading' })] : []));
  }
}

/**
 * The header's "今天 <date>" (or "Today <date>") from /api/time's answer (`text` as the page writes the day), with a
 * "simulated time" badge while the server's clock is simulated.
 */
export function showToday(time, text = time.today, el = $('today')) {
  const label = bi('span', 'common.today');
  label.className = 'today-label';
  el.replaceChildren(label, ' ', h('time', { datetime: time.today, 'data-testid': 'today-date' }, text));
  el.dataset.simulated = String(!!time.simulated);
  if (time.simulated) {
    const sim = bi('span', 'common.simulated');
    sim.className = 'badge';
    sim.dataset.testid = 'today-simulated';
    el.append(' ', sim);
  }
}
