// The resident portal's household tab (issue 17): the members, adding one, and a member's code that the head shows for
// them. A member without a phone of their own (an elderly parent, a child) gets a live QR face like the head's own
// (js/code-face.js): the member's own signed token from GET /api/households/mine/members/{key}/code/qr, so a checkpoint
// scans it instead of typing 18 digits. The member's QR is not kept for offline use (only the signed-in resident's is).
import { bi, t } from './i18n.js';
import { $ } from './dom.js';

/**
 * Wires the tab. `viewer` is the member panel's code viewer (its `face` shows the QR); `me()` the signed-in resident's
 * key; `submitting(form, action)` and `showProblem(e)` as the page has them.
 */
export function setupHouseholdTab({ api, viewer, me, submitting, showProblem, clearError }) {
  let current = null;
  const panel = $('member-panel');
  const basePath = key => `/api/households/mine/members/${encodeURIComponent(key)}`;
  viewer.face.path = () => (current ? `${basePath(current.residentKey)}/code/qr` : null);

  async function load() {
    const household = await api('GET', '/api/households/mine');
    const list = $('members');
    list.replaceChildren();
    list.dataset.householdId = household.householdId ?? '';
    for (const m of household.members ?? []) list.append(memberItem(m));
    if (current && !panel.hidden && !(household.members ?? []).some(m => m.residentKey === current.residentKey)) close();
  }

  function memberItem(m) {
    const li = document.createElement('li');
    li.dataset.testid = 'member';
    li.dataset.residentKey = m.residentKey;
    li.dataset.isHead = String(!!m.isHead);
    const info = document.createElement('div');
    info.className = 'member-info';
    const name = document.createElement('span');
    name.className = 'member-name';
    name.dataset.testid = 'member-name-text';
    name.textContent = m.name;
    const meta = document.createElement('span');
    meta.className = 'member-meta';
    meta.textContent = m.maskedIdNumber ?? '';
    info.append(name, meta);
    const badges = document.createElement('span');
    badges.className = 'badges';
    if (m.residentKey === me()) badges.append(badge('household.you'));
    if (m.isHead) badges.append(badge('household.head'));
    badges.append(badge(m.hasPhone ? 'household.hasPhone' : 'household.noPhone'));
    info.append(badges);
    li.append(info);
    if (m.residentKey !== me()) {
      const button = bi('button', 'household.viewCode');
      button.type = 'button';
      button.className = 'secondary';
      button.dataset.testid = 'member-view-code';
      button.setAttribute('aria-label', `${m.name} ${t('household.viewCode')}`);
      button.addEventListener('click', () => open(m).catch(e => showProblem(e)));
      li.append(button);
    }
    return li;
  }

  async function open(member) {
    clearError();
    const base = basePath(member.residentKey);
    const view = await api('GET', `${base}/code`);
    viewer.face.stop();
    viewer.face.clear();
    current = member;
    viewer.target(base);
    viewer.render(view);
    panel.dataset.residentKey = member.residentKey;
    $('member-panel-name').textContent = member.name;
    panel.hidden = false;
    // The member's QR, live like mine (a provisional member has none until the village confirms it: said in the card).
    if (!view.provisional) await viewer.face.start();
    panel.scrollIntoView?.({ block: 'start' });
  }

  function close() {
    current = null;
    viewer.face.stop();
    viewer.face.clear();
    panel.hidden = true;
  }

  const form = $('member-form');
  $('member-panel-close').addEventListener('click', close);
  form.addEventListener('submit', e => {
    e.preventDefault();
    submitting(form, async () => {
      const phone = form.elements.phone.value.trim();
      const member = await api('POST', '/api/households/mine/members', {
        name: form.elements.name.value.trim(),
        idNumber: form.elements.idNumber.value.trim().toUpperCase(),
        phone: phone || null,
      });
      form.reset();
      await load();
      if (member?.residentKey) await open(member);
    });
  });

  return { load, open, close, get current() { return current; } };
}

function badge(key) {
  const b = bi('span', key);
  b.className = 'badge';
  return b;
}
