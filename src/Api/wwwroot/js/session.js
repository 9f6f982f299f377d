// The staff session that staff.html, trips.html, checkpoint.html and dashboard.html share: one account, one token in
// sessionStorage (a staff sign-in ends with the browser tab), one sign-in form, one "who is signed in" line. Signing
// out in one tab tells this browser's other tabs of the same site to sign out too (docs/security.md "Staff session in
// the browser"). The resident portal has its own session (resident.js).
import { register, t } from './i18n.js';
import { createApi } from './http.js';
import { $, h } from './dom.js';

register({
  'staff.signin.heading': ['工作人员登录', 'Staff sign-in'],
  'staff.signin.username': ['用户名', 'Username'],
  'staff.signin.password': ['密码', 'Password'],
  'staff.backToConsoles': ['← 返回工作台', '← Back to consoles'],
  'staff.jurisdiction': ['管辖区域', 'Jurisdiction'],

  'role.village': ['村（社区）工作人员', 'Village staff'],
  'role.commander': ['指挥部', 'Commander'],
  'role.admin': ['管理员', 'Administrator'],
  'role.checkpoint': ['检测点工作人员', 'Checkpoint staff'],
  'role.hotline': ['12345 热线', 'Hotline operator'],
  'role.auditor': ['审计员', 'Auditor'],
});

const TOKEN_KEY = 'smx.staff.token';
const SESSION_KEY = 'smx.staff.session';
const LOGIN_PATH = '/api/auth/staff/login';
// Tabs opened from a signed-in tab inherit a copy of its sessionStorage; this channel ends those copies together.
const SIGN_OUT_CHANNEL = 'smx.staff.signout';

/** Tells this browser's other tabs on the site that the staff member signed out. */
function broadcastSignOut() {
  try {
    const channel = new BroadcastChannel(SIGN_OUT_CHANNEL);
    channel.postMessage({ signedOutAt: Date.now() });
    channel.close();
  } catch { /* an old browser: only this tab signs out */ }
}

/** Calls `signedOut` when another tab signs out (this tab's own copy of the session is cleared first). */
function onSignOutElsewhere(signedOut) {
  if (typeof BroadcastChannel !== 'function') return;
  new BroadcastChannel(SIGN_OUT_CHANNEL).addEventListener('message', async () => {
    if (!session.token) return;
    session.clear();
    await signedOut();
  });
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get info() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null'); } catch { return null; }
  },
  save(login, username) {
    sessionStorage.setItem(TOKEN_KEY, login.token);
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({
      username, role: login.role, jurisdiction: login.jurisdiction ?? null, expiresAt: login.expiresAt,
    }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SESSION_KEY);
  },
  get valid() {
    const info = this.info;
    return !!this.token && !!info && (!info.expiresAt || new Date(info.expiresAt).getTime() > Date.now());
  },
};

/**
 * The staff API caller (http.js) with the session's Bearer token. A 401 on anything but the sign-in clears the
 * session and calls `onSignedOut` (the page goes back to its sign-in).
 */
export function createStaffApi(onSignedOut) {
  return createApi({
    token: () => session.token,
    loginPath: LOGIN_PATH,
    // Data calls carry only the Bearer token. Sign-in and sign-out keep the HttpOnly cookie in step, which
    // the Orleans dashboard (/ops/orleans/) accepts for reads.
    credentials: path => (path.startsWith('/api/auth/') ? 'same-origin' : 'omit'),
    onUnauthorized: () => {
      session.clear();
      onSignedOut?.();
    },
  });
}

/**
 * Fills the page's `<section data-staff-signin="intro.key">`: the heading, the intro its value names (if any) and
 * the form, ahead of whatever the section already holds. Call before applyI18n().
 */
export function mountStaffSignIn(section = document.querySelector('[data-staff-signin]')) {
  const intro = section.dataset.staffSignin;
  const field = (name, input) => h('div', { class: 'field' },
    h('label', { for: name, 'data-i18n': `staff.signin.${name}` }),
    input,
    h('p', { class: 'field-error', 'data-field': name }));
  const form = h('form', { 'data-testid': 'signin-form', novalidate: true },
    field('username', h('input', {
      id: 'username', name: 'username', autocomplete: 'username', maxlength: 64, required: true, autocapitalize: 'none',
      spellcheck: 'false', 'data-testid': 'staff-username',
    })),
    field('password', h('input', {
      id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', maxlength: 256, required: true,
      'data-testid': 'staff-password',
    })),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'staff-sign-in', 'data-i18n': 'signin.submit' }));
  section.setAttribute('aria-labelledby', 'signin-h');
  section.prepend(
    h('h2', { id: 'signin-h', 'data-i18n': 'staff.signin.heading' }),
    ...(intro ? [h('p', { class: 'hint', 'data-i18n': intro })] : []),
    form);
}

/**
 * Wires the sign-in form and the header's sign-out button. `run(button, form, action)` runs the sign-in with the
 * page's busy state and problem display; `signedIn(login)` and `signedOut()` take the page on from there.
 */
export function setupStaffSignIn({ api, run, signedIn, signedOut }) {
  const form = $('signin-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    run($('staff-sign-in'), form, async () => {
      const username = form.elements.username.value.trim();
      const login = await api('POST', LOGIN_PATH, { username, password: form.elements.password.value });
      session.save(login, username.toLowerCase());
      form.reset();
      await signedIn(login);
    });
  });
  $('sign-out').addEventListener('click', async () => {
    try { await api('POST', '/api/auth/logout'); } catch { /* local sign-out is enough */ }
    session.clear();
    broadcastSignOut();
    await signedOut();
  });
  onSignOutElsewhere(signedOut);
}

/** Shows one of the page's `view-<name>` sections; the header's "who" and "sign out" only once signed in. */
export function showStaffView(views, name) {
  for (const v of views) $(`view-${v}`).hidden = v !== name;
  const loading = $('loading');
  if (loading) loading.hidden = true;
  $('sign-out').hidden = name === 'signin';
  $('who').hidden = name === 'signin';
  document.body.dataset.view = name;
}

/** The header's "who": username · role (· jurisdiction), from the session. */
export function renderWho(who = $('who')) {
  const info = session.info;
  who.replaceChildren();
  if (!info) return;
  who.dataset.role = info.role ?? '';
  who.dataset.jurisdiction = info.jurisdiction ?? '';
  const jurisdiction = h('span', { 'data-testid': 'who-jurisdiction' },
    info.jurisdiction ? `${t('staff.jurisdiction')} ${info.jurisdiction}` : '');
  who.append(h('strong', {}, info.username ?? ''), ' · ', h('span', {}, t(`role.${info.role}`, info.role)));
  who.append(...(info.jurisdiction ? [' · ', jurisdiction] : [jurisdiction]));
}
