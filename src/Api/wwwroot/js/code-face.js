// The live health-code face (issue 17): the QR of one resident (me, or a household member the head acts for) that
//  - proves it is live: Beijing time ticks by the second under the QR and a ring turns around it (the ring stands still
//    under prefers-reduced-motion, and while the code is offline; the seconds still tick);
//  - refreshes itself before its token expires (at REFRESH_AT of the lifetime left) and whenever the page is shown again;
//  - keeps the last code on screen when a refresh fails, marked "as of HH:MM, offline", and retries with back-off
//    (BACKOFF_MIN_MS doubling to BACKOFF_MAX_MS; at once when the browser says it is online again);
//  - for my own code, keeps the last QR and code view in localStorage (with the time it was fetched), so the portal shell
//    opened with no network (portal-sw.js) shows it, marked offline.
// It also writes the red/yellow guidance: when the state ends, what to do, and the village's duty phone.
import { register, fill, bi, t, has } from './i18n.js';
import { $, h } from './dom.js';
import { ZONE } from './format.js';
import { ApiError } from './http.js';

register({
  'face.live': ['实时', 'Live'],
  'face.asOf': ['截至', 'As of'],
  'face.offline': ['离线，正在重试', 'offline, retrying'],
  'face.provisional': ['临时成员：村（社区）确认后显示二维码', 'Provisional member: the QR shows once the village confirms them'],
  'guide.heading': ['请注意', 'What to do'],
  'guide.greenOn': ['按时打卡，预计转绿', 'If you keep clocking in, green on'],
  'guide.observationEnds': ['隔离观察期至', 'Observation or isolation runs to'],
  'guide.decideBy': ['村（社区）核实截止', 'Your village decides by'],
  'guide.endsWhenCleared': ['结束日期由工作人员确定', 'Ends when staff clear it'],
  'guide.do.yellow.missed-clock-in': ['今天打卡，黄码立即转为绿码；请每天打卡', 'Clock in today and the code turns green at once; clock in every day'],
  'guide.do.red.missed-two-yellow-days': ['请每天打卡：连续打卡 3 天转为绿码，漏打一天重新计算', 'Clock in every day: 3 consecutive daily clock-ins turn it green; a missed day restarts the count'],
  'guide.do.red.streak': ['请每天打卡：连续打卡 3 天转为绿码，漏打一天重新计算', 'Clock in every day: 3 consecutive daily clock-ins turn it green; a missed day restarts the count'],
  'guide.do.blocked.fever': ['请居家休息、及时到发热门诊就诊，并每天打卡；由工作人员解除', 'Rest at home, see a fever clinic, and clock in every day; staff clear it'],
  'guide.do.blocked.isolation': ['请按要求隔离、不要外出，并每天打卡；期满且无发热由工作人员解除', 'Stay in isolation, do not go out, and clock in every day; staff release you when the period ends without fever'],
  'guide.do.blocked.close-contact': ['请按要求隔离、不要外出，并每天打卡；期满且无发热由工作人员解除', 'Stay in isolation, do not go out, and clock in every day; staff release you when the period ends without fever'],
  'guide.do.blocked.observation': ['请居家观察、减少外出，并每天打卡；期满且无发热由工作人员解除', 'Stay at home under observation and clock in every day; staff release you when the period ends without fever'],
  'guide.do.blocked.pending-exposure': ['请居家、不要外出，并每天打卡，等待村（社区）核实', 'Stay at home and clock in every day until your village decides'],
  'guide.do.other': ['请每天打卡，并按村（社区）要求做好防护', 'Clock in every day and follow your village’s instructions'],
  'guide.call': ['有疑问请拨打村（社区）值班电话', 'Questions? Call your village’s duty phone'],
  'guide.callVillage': ['有疑问请联系所在村（社区）', 'Questions? Contact your village or community committee'],
});

/** When to refresh, as a share of the token's lifetime left; the retry back-off after a failed refresh. */
export const REFRESH_AT = 0.75;
export const BACKOFF_MIN_MS = 2_000;
export const BACKOFF_MAX_MS = 60_000;
const MIN_REFRESH_MS = 5_000;

const secondsFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const minutesFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A QR the server drew, as a clean inline SVG (no scripts, no handlers), or null. */
export function safeSvg(svgText) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.nodeName.toLowerCase() !== 'svg' || doc.querySelector('parsererror')) return null;
  for (const bad of svg.querySelectorAll('script, foreignObject')) bad.remove();
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || /^\s*javascript:/i.test(attr.value)) el.removeAttribute(attr.name);
    }
  }
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('aria-hidden', 'true');
  return document.importNode(svg, true);
}

/** A failure worth retrying: no answer, or the server unavailable (not a refusal such as "no code yet"). */
const transient = e => !(e instanceof ApiError) || e.status === 0 || e.status === 408 || e.status >= 500;

/**
 * The QR face inside one code card. `path()` is the QR endpoint (null: no QR to show); `now()` the server's time in ms;
 * `realMsUntil(iso)` real milliseconds until a server instant; `storageKey()` where my own last code is kept (null:
 * not kept, as for a member); `onProblem(e)` shows a refusal that is not a network failure; `onLive()` runs after each
 * refresh that got through.
 */
export class CodeFace {
  constructor(root, { api, path, now, realMsUntil, storageKey = () => null, onProblem = () => {}, onLive = () => {} }) {
    this.onLive = onLive;
    this.root = root;
    this.api = api;
    this.path = path;
    this.now = now;
    this.realMsUntil = realMsUntil;
    this.storageKey = storageKey;
    this.onProblem = onProblem;
    this.timer = undefined;
    this.backoff = 0;
    this.active = false;
    this.qr = $('qr', root);
    this.live = $('qr-live', root);
    this.status = $('qr-status', root);
    this.clock = $('code-clock', root);
    this.tickTimer = undefined;
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.active) this.refresh();
    });
    window.addEventListener('online', () => { if (this.active && this.root.dataset.state === 'offline') this.refresh(); });
  }

  /** Starts the ticking clock and the QR refreshes (now). */
  start() {
    this.active = true;
    this.tick();
    return this.refresh();
  }

  /** Stops refreshing and ticking (another view, or signed out). */
  stop() {
    this.active = false;
    clearTimeout(this.timer);
    clearTimeout(this.tickTimer);
    this.timer = this.tickTimer = undefined;
  }

  /** A provisional member has no QR until the village confirms them: said in the face instead. */
  provisional(flag) {
    this.isProvisional = flag;
    if (!flag) return;
    this.clear();
    this.root.dataset.state = 'provisional';
    fill(this.status, 'face.provisional');
    this.status.hidden = false;
  }

  /** Clears the QR (no code, or someone else's face is about to be shown). */
  clear() {
    this.qr.replaceChildren();
    this.qr.hidden = true;
    this.live.hidden = true;
    this.clock.hidden = true;
    this.status.hidden = true;
    delete this.qr.dataset.expiresAt;
    delete this.qr.dataset.fetchedAt;
    this.root.dataset.state = 'none';
    $('qr-expiry', this.root).textContent = '';
  }

  tick() {
    clearTimeout(this.tickTimer);
    if (!this.active) return;
    const now = this.now();
    const time = h('time', { datetime: new Date(now).toISOString(), 'data-testid': 'code-clock-time' }, secondsFormat.format(now));
    this.clock.replaceChildren(time);
    this.clock.dataset.second = String(Math.floor(now / 1000) % 60);
    // At the next whole second of the clock shown (the server's, not the browser's: their milliseconds differ), so the
    // seconds change once a second, on the second.
    this.tickTimer = setTimeout(() => this.tick(), 1000 - (((now % 1000) + 1000) % 1000));
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A hidden page refreshes when it is shown again (visibilitychange above).
      if (this.active && !document.hidden) this.refresh();
    }, ms);
  }

  async refresh() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const path = this.path();
    if (this.isProvisional) return;
    if (!path || this.root.querySelector('[data-testid="code-card"]')?.dataset.colour === 'None') { this.clear(); return; }
    try {
      const result = await this.api('GET', path);
      this.backoff = 0;
      this.show(result, this.now(), false);
      this.keep(result);
      const left = result.expiresAt ? this.realMsUntil(result.expiresAt) : 240_000;
      this.schedule(Math.max(MIN_REFRESH_MS, left * REFRESH_AT));
      this.onLive();
    } catch (e) {
      if (e?.signedOut) return;
      if (!transient(e)) { this.clear(); this.onProblem(e); return; }
      this.offline();
    }
  }

  /** A failed refresh: the last code stays, marked offline, and is asked for again after a growing wait. */
  offline() {
    this.backoff = this.backoff ? Math.min(BACKOFF_MAX_MS, this.backoff * 2) : BACKOFF_MIN_MS;
    this.root.dataset.retryMs = String(this.backoff);
    if (!this.qr.dataset.fetchedAt) {
      const kept = this.kept();
      if (kept) this.show(kept.qr, kept.fetchedAt, true);
    }
    this.markOffline();
    if (this.active) this.schedule(this.backoff);
  }

  markOffline() {
    this.root.dataset.state = 'offline';
    this.live.dataset.live = 'false';
    const at = Number(this.qr.dataset.fetchedAt);
    const when = Number.isFinite(at) && at > 0
      ? [bi('span', 'face.asOf'), ' ', h('time', { 'data-testid': 'qr-status-time', datetime: new Date(at).toISOString() }, minutesFormat.format(at)), ' ']
      : [];
    this.status.replaceChildren(...when, bi('span', 'face.offline'));
    this.status.hidden = false;
  }

  show(result, fetchedAt, stale) {
    const svg = safeSvg(result.svg ?? '');
    this.qr.replaceChildren(...(svg ? [svg] : []));
    this.qr.hidden = !svg;
    this.live.hidden = !svg;
    this.clock.hidden = !svg;
    this.qr.dataset.expiresAt = result.expiresAt ?? '';
    this.qr.dataset.fetchedAt = String(fetchedAt);
    this.qr.dataset.colour = result.colour ?? '';
    const expiry = $('qr-expiry', this.root);
    expiry.textContent = result.expiresAt ? `${t('code.qrExpires')} ${minutesFormat.format(new Date(result.expiresAt))}` : '';
    if (stale) { this.markOffline(); return; }
    this.root.dataset.state = 'live';
    this.live.dataset.live = 'true';
    this.status.hidden = true;
    delete this.root.dataset.retryMs;
  }

  keep(result) {
    const key = this.storageKey();
    if (!key) return;
    try {
      const old = JSON.parse(localStorage.getItem(key) ?? 'null') ?? {};
      localStorage.setItem(key, JSON.stringify({ ...old, qr: { svg: result.svg, expiresAt: result.expiresAt, colour: result.colour }, fetchedAt: this.now() }));
    } catch { /* storage full or denied: the face works without it */ }
  }

  /** Keeps the code view shown with the QR (for opening offline); personal data stays out (no history, no names). */
  keepView(view) {
    const key = this.storageKey();
    if (!key || !view?.explanation) return;
    try {
      const old = JSON.parse(localStorage.getItem(key) ?? 'null') ?? {};
      const { explanation, observationEndsOn, villageContact, appliedOn, today } = view;
      localStorage.setItem(key, JSON.stringify({ ...old, view: { explanation, observationEndsOn, villageContact, appliedOn, today, history: [] } }));
    } catch { /* as keep() */ }
  }

  /** Signing out: the kept code goes with the session (a shared phone shows nobody's code offline). */
  forget() {
    const key = this.storageKey();
    try { if (key) localStorage.removeItem(key); } catch { /* nothing kept */ }
  }

  /** My last code as kept: { qr, view, fetchedAt } or null. */
  kept() {
    const key = this.storageKey();
    if (!key) return null;
    try {
      const kept = JSON.parse(localStorage.getItem(key) ?? 'null');
      return kept?.qr?.svg ? kept : null;
    } catch {
      return null;
    }
  }

  /** Opened with no network: the kept QR, marked offline, retried with back-off. */
  showKept() {
    const kept = this.kept();
    if (!kept) return false;
    this.active = true;
    this.tick();
    this.show(kept.qr, kept.fetchedAt, true);
    this.offline();
    return true;
  }
}

// ---------------------------------------------------------------- red and yellow: when it ends, what to do, whom to call

const dayFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Fills the card's guidance for a red or yellow code (hidden for green and none). */
export function renderGuidance(root, view) {
  const box = $('code-guidance', root);
  const ex = view.explanation ?? {};
  const colour = ex.colour ?? 'None';
  box.hidden = colour !== 'Red' && colour !== 'Yellow';
  box.dataset.colour = colour;
  if (box.hidden) return;

  const ends = $('code-ends', root);
  let endKey = 'guide.endsWhenCleared', endValue = '', endIso = '';
  if (ex.greenOn) [endKey, endValue, endIso] = ['guide.greenOn', ex.greenOn, ex.greenOn];
  else if (view.observationEndsOn) [endKey, endValue, endIso] = ['guide.observationEnds', view.observationEndsOn, view.observationEndsOn];
  else if (ex.pendingExposure?.decideBy) {
    const at = new Date(ex.pendingExposure.decideBy);
    [endKey, endValue, endIso] = ['guide.decideBy', `${dayFormat.format(at)} ${minutesFormat.format(at)}`, ex.pendingExposure.decideBy];
  }
  ends.dataset.kind = endKey.slice('guide.'.length);
  ends.dataset.date = endIso;
  ends.replaceChildren(bi('span', endKey), ...(endValue ? [' ', h('time', { datetime: endIso, class: 'guide-date', 'data-testid': 'code-ends-date' }, endValue)] : []));

  const todo = $('code-todo', root);
  const key = has(`guide.do.${ex.reasonCode}`) ? `guide.do.${ex.reasonCode}` : 'guide.do.other';
  todo.dataset.code = ex.reasonCode ?? '';
  fill(todo, key);

  const contact = $('code-contact', root);
  contact.dataset.phone = view.villageContact ?? '';
  if (view.villageContact) {
    const link = h('a', { href: `tel:${view.villageContact}`, class: 'guide-phone', 'data-testid': 'code-contact-phone' }, view.villageContact);
    contact.replaceChildren(bi('span', 'guide.call'), ' ', link);
  } else {
    fill(contact, 'guide.callVillage');
  }
}

// ---------------------------------------------------------------- the portal's offline shell

/**
 * Registers the portal's own service worker (portal-sw.js, scope /; the checkpoint's sw.js keeps /checkpoint) and hands
 * it the files this page loaded, so the shell opens offline whatever modules the page grew. body[data-shell-cached]
 * says when the worker has them.
 */
export function registerPortalShell() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/portal-sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready).then(registration => {
    const urls = performance.getEntriesByType('resource').map(e => new URL(e.name))
      .filter(u => u.origin === location.origin && /^\/(js|css|lib)\/|^\/favicon\.svg$/.test(u.pathname)).map(u => u.pathname);
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { document.body.dataset.shellCached = 'true'; };
    registration.active?.postMessage({ type: 'cache-shell', urls: [location.pathname, ...urls] }, [channel.port2]);
  }).catch(() => { /* the portal works online without it */ });
}
