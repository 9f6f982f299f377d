// 线上三门峡 居民端 · the resident portal: sign in, register, the health code (apply, clock in, QR,
// history), household members (proxy apply / clock-in), health self-report and requests for help,
// and the co-traveler check (platform 2: anyone, no sign-in) with "my trips" and the match banner.
// Plain ES module, no framework, no network beyond this site's own API.
import { applyI18n, register, fill, bi, t, has, currentLanguage } from './i18n.js';
import { $ } from './dom.js';
import { mountChrome, showToday } from './chrome.js';
import { ApiError, createApi, request } from './http.js';
import { createMessages } from './problems.js';
import { ZONE, formatDateTime } from './format.js';
import { addModeOptions, seatText } from './trip-fields.js';
import { renderList, needItem, handledNote, historyItem } from './resident-records.js';
import { setupLead, showLead } from './lead.js';
import { setupAppeal } from './appeal.js';
import { downloadFile } from './download.js';
import { ClockInCard, announce, announceApplied } from './clock-in.js';
import { setupSignIn, setupRegistration, showRegistration } from './sign-in.js';
import { CodeFace, renderGuidance, registerPortalShell } from './code-face.js';
import { setupHouseholdTab } from './household-code.js';

register({
  'data.download': ['下载我的数据', 'Download my data'],
  'data.downloaded': ['已下载：系统中关于您的全部数据（含工作人员查阅记录）', 'Downloaded: everything the system holds about you, with the staff accesses to your record'],
  'tab.trips': ['同行查询', 'Co-traveler'],
  'trip.entry': ['同行查询', 'Co-traveler check'],
  'trip.entryDesc': ['无需登录：输入车次、航班或车牌和日期，查询是否与确诊病例同行', 'No sign-in needed: enter your train, flight or plate and the date to see whether a confirmed case travelled with you'],
  'trip.back': ['← 返回', '← Back'],
  'trip.query.heading': ['同行查询', 'Co-traveler check'],
  'trip.query.intro': ['查询您乘坐的交通工具上是否有已公布的确诊病例', 'Find out whether a confirmed case was published for your trip'],
  'trip.query.submit': ['查询', 'Check'],
  'trip.numberPlaceholder': ['如 G1234', 'e.g. G1234'],
  'trip.risk': ['风险', 'Risk'],
  'risk.NearbySeats': ['近座', 'Nearby seats'],
  'risk.SameCarriage': ['同车厢', 'Same carriage'],
  'risk.SameTrip': ['同车次', 'Same trip'],
  'risk.None': ['未发现', 'None found'],
  'trip.result.matched': ['发现确诊病例同行', 'A confirmed case travelled on this trip'],
  'trip.result.clear': ['暂未发现确诊病例同行', 'No confirmed case has been published for this trip'],
  'trip.case.noSeat': ['未公布车厢座位', 'carriage and seat not published'],
  'trip.case.source': ['来源', 'Source'],
  'trip.case.published': ['发布', 'Published'],
  'advice.register-and-isolate': ['请立即向所在村（社区）报备，并居家隔离，不要外出', 'Register with your village or community now and isolate at home; do not go out'],
  'advice.register-and-watch': ['请向所在村（社区）报备，并自我观察健康状况 14 天，如有发热等症状及时就医', 'Register with your village or community and watch your health for 14 days; see a doctor if you develop a fever'],
  'advice.none': ['暂未发现确诊病例同行，请继续每日打卡', 'No confirmed case has been published for this trip; keep clocking in daily'],
  'trip.saveToMine': ['登记到我的行程', 'Save to my trips'],
  'trip.signinToSave': ['登录后可将行程登记到“我的行程”，有新公布的病例时会提醒您并通知所在村（社区）', 'Sign in to save this trip: you are told of later publications and your village is informed'],
  'trip.saved': ['行程已登记', 'Trip saved'],
  'trip.limited': ['查询过于频繁，请稍后再试', 'Too many queries; try again later'],
  'trip.limitedIn': ['秒后可再次查询', 's until you can check again'],
  'trip.mine.heading': ['我的行程', 'My trips'],
  'trip.mine.intro': ['登记后 14 天内，如有确诊病例同行会提醒您', 'For 14 days after travel you are told if a confirmed case was on the trip'],
  'trip.mine.matches': ['同行提醒', 'Matches'],
  'trip.mine.trips': ['已登记的行程', 'Saved trips'],
  'trip.mine.noTrips': ['暂无登记的行程', 'No trips saved'],
  'trip.mine.noMatches': ['暂无同行提醒', 'No matches'],
  'trip.mine.watchedUntil': ['关注至', 'Watched until'],
  'trip.mine.matchedAt': ['匹配时间', 'Matched'],
  'trip.mine.withdrawn': ['已撤回', 'Withdrawn'],
  'trip.save.heading': ['登记我的行程', 'Save a trip'],
  'trip.save.intro': ['近 14 天乘坐过的火车、飞机、客车等', 'Trains, flights and coaches you took in the last 14 days'],
  'trip.save.submit': ['登记', 'Save'],
  'trip.banner.details': ['查看详情', 'Details'],
  'trip.banner.todo': ['请立即联系所在村（社区）报备，并居家隔离、不要外出；如有发热、咳嗽请及时就医。', 'Contact your village or community now and self-isolate at home; see a doctor if you have a fever or a cough.'],
  'trip.banner.more': ['另有', 'and'],
  'trip.banner.moreTrips': ['个行程', 'more trip(s)'],

  'temperature.required': ['请填写体温', 'enter your temperature'],
  'temperature.invalid': ['体温格式不正确', 'not a number'],
  'needs.detailRequired': ['请填写具体需求', 'say what you need'],
});

const TOKEN_KEY = 'smx.resident.token';
const RESIDENT_KEY = 'smx.resident.key';
const PHONE_KEY = 'smx.resident.phone'; // session only: registration must name the phone that signed in
const SYMPTOMS = ['fever', 'cough', 'fatigue', 'short-of-breath', 'sore-throat', 'diarrhoea'];
const NEED_KINDS = ['Medicine', 'Food', 'Other'];

// ---------------------------------------------------------------- session + API

const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  set token(v) { v ? localStorage.setItem(TOKEN_KEY, v) : localStorage.removeItem(TOKEN_KEY); },
  get residentKey() { return localStorage.getItem(RESIDENT_KEY); },
  set residentKey(v) { v ? localStorage.setItem(RESIDENT_KEY, v) : localStorage.removeItem(RESIDENT_KEY); },
  get phone() { return sessionStorage.getItem(PHONE_KEY); },
  set phone(v) { v ? sessionStorage.setItem(PHONE_KEY, v) : sessionStorage.removeItem(PHONE_KEY); },
  clear() { this.token = null; this.residentKey = null; this.phone = null; },
};

const api = createApi({
  token: () => session.token,
  loginPath: '/api/auth/resident/login',
  // The token has expired or was refused: back to sign-in, saying why.
  onUnauthorized: () => {
    session.clear();
    showSignIn();
    showNotice(t('common.sessionExpired'));
  },
});

// ---------------------------------------------------------------- messages

const { clearError, showProblem, localProblem, showNotice, busy } = createMessages({
  fieldLabels: {
    mode: 'trip.mode', number: 'trip.number', date: 'trip.date', carriage: 'trip.carriage', row: 'trip.row', seat: 'trip.seat',
    phone: 'signin.phone', code: 'signin.code', name: 'reg.name', idNumber: 'reg.idNumber',
    villageCode: 'reg.village', temperature: 'common.temperature', honestyPledge: 'apply.pledge',
    detail: 'needs.detail', kind: 'needs.kind', recentTravel: 'report.travel', symptoms: 'clockin.symptoms',
    category: 'lead.category', regionCode: 'lead.place', address: 'lead.address', description: 'lead.description',
    reason: 'appeal.reason', note: 'appeal.note',
  },
});

/** Runs a form action with its submit button disabled and problems shown. */
const submitting = (form, action) => busy(form.querySelector('[type="submit"]'), form, action);

// ---------------------------------------------------------------- formatting

const timeFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false });
const weekdays = [['周日', 'Sun'], ['周一', 'Mon'], ['周二', 'Tue'], ['周三', 'Wed'], ['周四', 'Thu'], ['周五', 'Fri'], ['周六', 'Sat']];

function formatDay(day) {
  if (!day) return '';
  const [y, m, d] = day.split('-').map(Number);
  const w = weekdays[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${day} ${w[currentLanguage() === 'en' ? 1 : 0]}`;
}

function readTemperature(form, name = 'temperature', required = true) {
  const raw = form.elements[name].value.trim();
  if (!raw) {
    if (required) throw localProblem(name, 'temperature.required');
    return null;
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw localProblem(name, 'temperature.invalid');
  return Math.round(value * 10) / 10;
}

function readSymptoms(container) {
  return [...container.querySelectorAll('input[type="checkbox"]:checked')].map(c => c.value);
}

let uid = 0;
function buildSymptoms(container, prefix) {
  container.replaceChildren();
  for (const s of SYMPTOMS) {
    const id = `${prefix}-${s}-${++uid}`;
    const wrap = document.createElement('div');
    wrap.className = 'check';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.id = id;
    input.value = s;
    input.name = 'symptoms';
    input.dataset.testid = `${prefix}-symptom-${s}`;
    const label = bi('label', `symptom.${s}`);
    label.htmlFor = id;
    wrap.append(input, label);
    container.append(wrap);
  }
}

// ---------------------------------------------------------------- time

const clock = { offsetMs: 0, speed: 1, today: null };

async function loadTime() {
  try {
    const time = await api('GET', '/api/time');
    clock.offsetMs = new Date(time.now).getTime() - Date.now();
    clock.speed = Number(time.speed) > 0 ? Number(time.speed) : 1;
    clock.today = time.today;
    for (const input of document.querySelectorAll('[data-trip-form] input[name="date"]')) {
      input.max = time.today;
      if (!input.value) input.value = time.today;
    }
    showToday(time, `${formatDay(time.today)} ${timeFormat.format(new Date(time.now))}`);
  } catch {
    // The header date is a convenience; the page works without it.
  }
}

/** Milliseconds of real time until a server-clock instant (a simulated clock may run faster). */
function realMsUntil(iso) {
  const serverNow = Date.now() + clock.offsetMs;
  return (new Date(iso).getTime() - serverNow) / clock.speed;
}

// ---------------------------------------------------------------- views

function showView(name) {
  for (const v of ['signin', 'register', 'home', 'query', 'lead']) $(`view-${v}`).hidden = v !== name;
  $('loading').hidden = true;
  $('sign-out').hidden = name === 'signin' || !session.token;
  for (const entry of document.querySelectorAll('[data-signin-entry]')) entry.hidden = name !== 'signin';
  document.body.dataset.view = name;
  if (name !== 'home') myCode?.face.stop();
}

function showSignIn() {
  showView('signin');
}

// ---------------------------------------------------------------- sign in and registration: js/sign-in.js

// ---------------------------------------------------------------- the code view (me or a member)

/**
 * One rendering of a CodeView plus its apply / clock-in forms and history. `target` says whose code:
 * { base: '/api/residents/me' } or { base: '/api/households/mine/members/<key>', proxy: true }.
 */
class CodeViewer {
  constructor(root, { withQr }) {
    this.root = root;
    this.withQr = withQr;
    root.replaceChildren(document.getElementById('code-template').content.cloneNode(true));
    applyI18n(root);
    const prefix = withQr ? 'me' : 'member';
    for (const label of root.querySelectorAll('label[data-for]')) {
      const input = label.closest('.field').querySelector(`[name="${label.dataset.for}"]`);
      input.id = `${prefix}-${label.dataset.for}-${++uid}`;
      label.htmlFor = input.id;
    }
    buildSymptoms(root.querySelector('[data-symptoms]'), 'clockin');
    this.applyForm = $('apply-form', root);
    this.clockInForm = $('clockin-form', root);
    this.applyForm.addEventListener('submit', e => { e.preventDefault(); this.apply(); });
    this.clockInForm.addEventListener('submit', e => { e.preventDefault(); this.clockIn(); });
    this.appeal = setupAppeal(root, { api, busy, showNotice, showProblem, localProblem });
    this.clockInCard = new ClockInCard(root);
    this.base = null;
    // The live QR face (js/code-face.js): mine is kept for offline use; a member's QR path is set by the household tab.
    this.face = new CodeFace(root, {
      api,
      path: () => (withQr ? '/api/residents/me/code/qr' : null),
      now: () => Date.now() + clock.offsetMs,
      realMsUntil,
      storageKey: () => (withQr && session.residentKey ? `smx.resident.lastCode.${session.residentKey}` : null),
      onProblem: e => showProblem(e),
      // Opened offline with my kept code: once a refresh gets through, the rest of the page is loaded as usual.
      onLive: () => { if (withQr && !home && session.token) route().catch(() => undefined); },
    });
  }

  target(base) {
    if (base !== this.base) {
      this.clockInCard.clear();
      $('apply-result', this.root).replaceChildren();
    }
    this.base = base;
  }

  async apply() {
    const form = this.applyForm;
    await submitting(form, async () => {
      const temperature = readTemperature(form);
      const view = await api('POST', `${this.base}/apply`, { temperature, honestyPledge: form.elements.honestyPledge.checked });
      form.reset();
      this.render(view);
      if (!view.provisional) await this.face.start();
      announceApplied(this.root, view);
    });
  }

  async clockIn() {
    const form = this.clockInForm;
    await submitting(form, async () => {
      const temperature = readTemperature(form);
      const symptoms = readSymptoms(form);
      const view = await api('POST', `${this.base}/clock-in`, { temperature, symptoms });
      form.reset();
      this.render(view);
      this.clockInCard.accepted(view);
      await this.face.refresh();
    });
  }

  render(view) {
    const root = this.root;
    const ex = view.explanation;
    const colour = ex.colour ?? 'None';
    const card = $('code-card', root);
    card.dataset.colour = colour;
    card.dataset.reasonCode = ex.reasonCode ?? '';
    const colourEl = $('code-colour', root);
    colourEl.dataset.colour = colour;
    fill(colourEl, `colour.${colour}`, colour);

    renderCoded($('code-reason', root), 'reason.', ex.reasonCode, ex.reason);
    renderCoded($('code-next-step', root), 'next.', ex.nextStepCode, ex.nextStep);

    const greenOn = $('code-green-on', root);
    greenOn.hidden = !ex.greenOn;
    root.querySelector('[data-green-on-label]').hidden = !ex.greenOn;
    greenOn.textContent = ex.greenOn ? formatDay(ex.greenOn) : '';

    const clocked = $('code-clocked-in', root);
    clocked.dataset.value = String(!!ex.clockedInToday);
    fill(clocked, ex.clockedInToday ? 'common.yes' : 'common.no');
    if (colour === 'Red' && ex.redStreak > 0) {
      clocked.append(` (${t('code.redStreak')}: ${ex.redStreak})`);
    }

    const applied = colour !== 'None' || !!view.appliedOn;
    $('apply-form-card', root).hidden = applied;
    $('clockin-form-card', root).hidden = !applied;
    this.clockInCard.render(view);
    // An appeal is about a code: offered once there is one (the card shows the latest appeal and its answer).
    $('appeal-card', root).hidden = !applied;
    if (applied) this.appeal.load(this.base);

    renderList($('history', root), [...(view.history ?? [])].reverse(), 'code.noHistory', historyItem);

    renderGuidance(root, view);
    if (colour === 'None') this.face.clear();
    this.face.provisional(!!view.provisional);
    if (colour !== 'None' && !view.provisional) this.face.keepView(view);
  }
}

function renderCoded(el, prefix, code, serverText) {
  el.dataset.code = code ?? '';
  if (code && has(prefix + code)) {
    fill(el, prefix + code);
  } else {
    el.textContent = serverText ?? code ?? '';
  }
  // No tooltip with the server's English wording: a Chinese page shows Chinese only (issue 17).
  el.removeAttribute('title');
}

// ---------------------------------------------------------------- QR (js/code-face.js)

let myCode;

// ---------------------------------------------------------------- home

let home = null;
let memberCode;

async function loadHome() {
  let overview;
  try {
    overview = await api('GET', '/api/residents/me');
  } catch (e) {
    // 403 resident.not-registered: the token names no resident; 404: no record behind it.
    if (e instanceof ApiError && (e.status === 404 || (e.status === 403 && e.problem?.code === 'resident.not-registered'))) {
      session.residentKey = null;
      await showRegistration();
      return;
    }
    throw e;
  }
  home = overview;
  showView('home');
  await loadTime();
  renderProfile(overview.profile);
  myCode.target('/api/residents/me');
  myCode.render(overview.code);
  renderSelfReport(overview.selfReport);
  renderNeeds(overview.needs ?? []);
  renderTripBanner(overview.tripMatches ?? []);
  updateTripSave();
  await myCode.face.start();
  if (!$('panel-trips').hidden) await loadTrips();
  // The household tab is loaded when shown, or now if it is already open.
  if (!$('panel-household').hidden) await household.load();
}

function renderProfile(profile) {
  $('profile-name').textContent = profile.name;
  $('profile-id').textContent = `${t('profile.idNumber')} ${profile.maskedIdNumber ?? ''}`;
  $('profile-phone').textContent = profile.maskedPhone ? `${t('profile.phone')} ${profile.maskedPhone}` : '';
  $('profile').dataset.residentKey = profile.residentKey;
  $('profile').dataset.villageCode = profile.villageCode ?? '';
}

// ---------------------------------------------------------------- tabs

let selectTab = () => {};

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = selectTab = tab => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden = !selected;
    }
    clearError();
    showNotice('');
    if (tab.id === 'tab-household') household.load().catch(e => showProblem(e));
    if (tab.id === 'tab-trips') {
      placeQueryCard('tab');
      loadTrips().catch(e => { if (!e?.signedOut) showProblem(e); });
    }
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', e => {
      const i = tabs.indexOf(tab);
      const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length]
        : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length]
        : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : null;
      if (next) { e.preventDefault(); next.focus(); select(next); }
    });
  }
}

// ---------------------------------------------------------------- household (js/household-code.js)

let household;

// ---------------------------------------------------------------- self-report

function renderSelfReport(report) {
  const form = $('report-form');
  const status = $('report-status');
  if (!report) { status.textContent = ''; return; }
  form.elements.temperature.value = report.temperature ?? '';
  for (const box of form.querySelectorAll('input[name="symptoms"]')) box.checked = (report.symptoms ?? []).includes(box.value);
  form.elements.recentTravel.value = report.recentTravel ?? '';
  status.textContent = report.updatedAt ? `${t('report.updatedAt')}: ${formatDateTime(report.updatedAt)}` : '';
}

function setupSelfReport() {
  const form = $('report-form');
  buildSymptoms(form.querySelector('[data-symptoms]'), 'report');
  form.addEventListener('submit', e => {
    e.preventDefault();
    submitting(form, async () => {
      const report = await api('PUT', '/api/residents/me/self-report', {
        temperature: readTemperature(form, 'temperature', false),
        symptoms: readSymptoms(form),
        recentTravel: form.elements.recentTravel.value.trim() || null,
      });
      renderSelfReport(report ?? null);
      showNotice(t('report.saved'));
    });
  });
}

// ---------------------------------------------------------------- needs

/** Newest first; a handled one says when, by whom and how. */
function renderNeeds(needs) {
  const sorted = [...needs].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  renderList($('needs'), sorted, 'needs.empty', need => {
    const li = needItem(need);
    if (need.status === 'Handled' && (need.note || need.handledAt)) li.append(handledNote(need));
    return li;
  });
}

function setupNeeds() {
  const form = $('need-form');
  const kind = form.elements.kind;
  for (const k of NEED_KINDS) {
    const option = document.createElement('option');
    option.value = k;
    option.textContent = t(`need.${k}`);
    kind.append(option);
  }
  form.addEventListener('submit', e => {
    e.preventDefault();
    submitting(form, async () => {
      const detail = form.elements.detail.value.trim();
      if (!detail) throw localProblem('detail', 'needs.detailRequired');
      const need = await api('POST', '/api/residents/me/needs', { kind: kind.value, detail });
      form.reset();
      announce($('need-result'), 'needs.sent');
      if (home) {
        home.needs = [need, ...(home.needs ?? []).filter(n => n.id !== need.id)];
        renderNeeds(home.needs);
      }
    });
  });
}

// ---------------------------------------------------------------- co-traveler check (platform 2)

const MODE_PLACEHOLDERS = { Train: 'G1234', Flight: 'CZ3456', Coach: '三门峡—洛阳 / K12', Car: '豫M12345', Other: '' };
let lastQuery = null;   // the trip last checked: what "Save to my trips" saves
let limitTimer;

/** Moves the one query card into the anonymous view or into the home "trips" tab. */
function placeQueryCard(where) {
  const card = document.getElementById('trip-query-card');
  const home = document.querySelector(where === 'tab' ? '[data-query-tab]' : '[data-query-home]');
  if (card.parentElement !== home) home.append(card);
  updateTripSave();
}

function readTripForm(form) {
  const number = form.elements.number.value.trim();
  const int = name => {
    const el = form.elements[name];
    if (!el) return null;
    const raw = el.value.trim();
    return raw === '' ? null : Number(raw);
  };
  return {
    mode: form.elements.mode.value,
    number,
    date: form.elements.date.value || null,
    carriage: int('carriage'),
    row: int('row'),
    seat: form.elements.seat ? (form.elements.seat.value.trim() || null) : null,
  };
}

function tripLabel(trip) {
  return `${t(`mode.${trip.mode}`, trip.mode)} ${trip.number} ${trip.date}`;
}

function riskBadge(risk) {
  const b = bi('span', `risk.${risk}`, risk);
  b.className = `badge risk risk-${risk}`;
  b.dataset.risk = risk;
  return b;
}

/** The anonymous query: no token (it is open to everyone), 429 with Retry-After said plainly. */
async function queryTrip(q) {
  const params = new URLSearchParams();
  for (const key of ['mode', 'number', 'date', 'carriage', 'row']) {
    if (q[key] !== null && q[key] !== undefined && q[key] !== '') params.set(key, String(q[key]));
  }
  return request('GET', `/api/trips/query?${params}`, undefined, { credentials: 'omit' });
}

function showRateLimited(seconds) {
  const el = $('trip-rate-limited');
  const button = $('trip-query-submit');
  let left = seconds;
  el.dataset.retryAfter = String(seconds);
  clearInterval(limitTimer);
  const tick = () => {
    if (left <= 0) {
      clearInterval(limitTimer);
      el.hidden = true;
      button.disabled = false;
      return;
    }
    el.textContent = `${t('trip.limited')} (${left}${t('trip.limitedIn')})`;
    el.hidden = false;
    button.disabled = true;
    left -= 1;
  };
  tick();
  limitTimer = setInterval(tick, 1000);
}

function renderQueryResult(result) {
  const box = $('trip-result');
  box.dataset.matched = String(!!result.matched);
  box.dataset.risk = result.risk;
  box.dataset.adviceCode = result.adviceCode;
  box.dataset.trip = result.trip;
  fill($('trip-result-headline'), result.matched ? 'trip.result.matched' : 'trip.result.clear');
  $('trip-result-trip').textContent = tripLabel(result);
  const risk = $('trip-risk');
  risk.replaceChildren(riskBadge(result.risk));
  risk.dataset.risk = result.risk;

  const list = $('trip-cases');
  list.replaceChildren();
  for (const c of result.cases ?? []) {
    const li = document.createElement('li');
    li.dataset.testid = 'trip-case';
    li.dataset.carriage = c.carriage ?? '';
    li.dataset.row = c.row ?? '';
    const seat = document.createElement('span');
    seat.className = 'trip-case-seat';
    seat.textContent = seatText(c.carriage, c.row, null) || t('trip.case.noSeat');
    const route = document.createElement('span');
    route.className = 'trip-case-route';
    route.dataset.testid = 'trip-case-route';
    route.textContent = c.from || c.to ? `${c.from ?? '?'} → ${c.to ?? '?'}` : '';
    const source = document.createElement('span');
    source.className = 'trip-case-source';
    source.textContent = `${t('trip.case.source')}: ${c.source}`;
    const when = document.createElement('time');
    when.dateTime = c.publishedAt;
    when.textContent = `${t('trip.case.published')}: ${formatDateTime(c.publishedAt)}`;
    li.append(seat, route, source, when);
    list.append(li);
  }
  list.hidden = (result.cases ?? []).length === 0;

  const advice = $('trip-advice');
  advice.dataset.code = result.adviceCode;
  advice.className = `trip-advice advice-${result.adviceCode}`;
  if (has(`advice.${result.adviceCode}`)) fill(advice, `advice.${result.adviceCode}`);
  else advice.textContent = result.advice ?? '';
  advice.title = result.advice ?? '';
  box.hidden = false;
  updateTripSave();
}

/**
 * "Save to my trips" for a signed-in resident and any trip checked, matched or not (a case published later is still
 * matched to a saved trip); otherwise a hint to sign in. Hidden again once this trip is saved.
 */
function updateTripSave() {
  const box = $('trip-result');
  const shown = !box.hidden;
  const signedIn = !!home && !!session.token;
  $('trip-save').hidden = !(shown && signedIn && lastQuery && !lastQuery.saved);
  $('trip-signin-hint').hidden = !(shown && !signedIn);
  if (!shown) $('trip-save-result').replaceChildren();
}

function renderTripBanner(matches) {
  const banner = $('trip-banner');
  const open = matches.filter(m => !m.withdrawn);
  banner.dataset.count = String(open.length);
  banner.dataset.withdrawn = String(matches.length - open.length);
  if (open.length === 0) {
    banner.hidden = true;
    return;
  }
  const order = ['None', 'SameTrip', 'SameCarriage', 'NearbySeats'];
  const worst = [...open].sort((a, b) => order.indexOf(b.risk) - order.indexOf(a.risk))[0];
  const { mode, number, date } = worst.trip;
  const risk = t(`risk.${worst.risk}`, worst.risk);
  const zh = {
    Train: `您乘坐的 ${number} 次列车（${date}）有确诊病例同行`,
    Flight: `您乘坐的 ${number} 航班（${date}）有确诊病例同行`,
    Coach: `您乘坐的 ${number} 客车（${date}）有确诊病例同行`,
    Car: `您乘坐的车辆 ${number}（${date}）有确诊病例同行`,
  }[mode] ?? `您的行程 ${number}（${date}）有确诊病例同行`;
  const en = {
    Train: `A confirmed case travelled on your train ${number} on ${date}`,
    Flight: `A confirmed case travelled on your flight ${number} on ${date}`,
    Coach: `A confirmed case travelled on your coach ${number} on ${date}`,
    Car: `A confirmed case travelled in the car ${number} on ${date}`,
  }[mode] ?? `A confirmed case travelled on your trip ${number} on ${date}`;
  const others = open.length - 1;
  $('trip-banner-text').textContent = currentLanguage() === 'en'
    ? `${en} (${risk.toLowerCase()})${others > 0 ? `, ${t('trip.banner.more')} ${others} ${t('trip.banner.moreTrips')}` : ''}`
    : `${zh}（${risk}）${others > 0 ? `，${t('trip.banner.more')} ${others} ${t('trip.banner.moreTrips')}` : ''}`;
  fill($('trip-banner-todo'), 'trip.banner.todo');
  banner.dataset.risk = worst.risk;
  banner.dataset.trip = worst.trip.key ?? '';
  banner.hidden = false;
}

async function loadTrips() {
  if (!home) return;
  const mine = await api('GET', '/api/residents/me/trips');
  renderMyTrips(mine?.trips ?? [], mine?.matches ?? []);
  renderTripBanner(mine?.matches ?? []);
}

/** The resident's matches (newest first) and saved trips (latest travel first). */
function renderMyTrips(trips, matches) {
  const sortedMatches = [...matches].sort((a, b) => String(b.matchedAt).localeCompare(String(a.matchedAt)));
  renderList($('trip-matches'), sortedMatches, 'trip.mine.noMatches', matchItem);
  const sortedTrips = [...trips].sort((a, b) => String(b.trip.date).localeCompare(String(a.trip.date)));
  renderList($('my-trips'), sortedTrips, 'trip.mine.noTrips', savedTripItem);
}

function matchItem(m) {
  const li = document.createElement('li');
  li.dataset.testid = 'trip-match';
  li.dataset.risk = m.risk;
  li.dataset.withdrawn = String(!!m.withdrawn);
  li.dataset.caseId = m.caseId;
  li.dataset.trip = m.trip?.key ?? '';
  if (m.withdrawn) li.classList.add('withdrawn');
  const head = document.createElement('div');
  head.className = 'trip-item-head';
  const label = document.createElement('span');
  label.className = 'trip-item-label';
  label.textContent = tripLabel(m.trip);
  head.append(label, riskBadge(m.risk));
  if (m.withdrawn) {
    const w = bi('span', 'trip.mine.withdrawn');
    w.className = 'badge badge-withdrawn';
    w.dataset.testid = 'trip-match-withdrawn';
    head.append(w);
  }
  const meta = document.createElement('p');
  meta.className = 'hint';
  meta.textContent = `${t('trip.case.source')}: ${m.source} · ${t('trip.case.published')}: ${formatDateTime(m.publishedAt)}`;
  li.append(head, meta);
  if (!m.withdrawn) {
    const todo = bi('p', 'trip.banner.todo');
    todo.className = 'trip-item-todo';
    li.append(todo);
  }
  return li;
}

function savedTripItem(saved) {
  const li = document.createElement('li');
  li.dataset.testid = 'my-trip';
  li.dataset.trip = saved.trip.key ?? '';
  const head = document.createElement('div');
  head.className = 'trip-item-head';
  const label = document.createElement('span');
  label.className = 'trip-item-label';
  label.textContent = tripLabel(saved.trip);
  head.append(label);
  const seat = seatText(saved.seat?.carriage, saved.seat?.row, saved.seat?.seat);
  const meta = document.createElement('p');
  meta.className = 'hint';
  meta.dataset.testid = 'my-trip-watched';
  meta.textContent = [seat, `${t('trip.mine.watchedUntil')}: ${saved.watchedUntil}`].filter(Boolean).join(' · ');
  li.append(head, meta);
  return li;
}

async function saveTrip(body, form, result) {
  await api('POST', '/api/residents/me/trips', body);
  announce(result, 'trip.saved');
  await loadTrips();
  if (form?.dataset.tripForm === 'save') {
    form.elements.number.value = '';
    for (const name of ['carriage', 'row', 'seat']) form.elements[name].value = '';
  }
}

function setupTrips() {
  placeQueryCard('view');
  for (const select of document.querySelectorAll('select[data-modes]')) {
    addModeOptions(select);
    const number = select.form.elements.number;
    select.addEventListener('change', () => { number.placeholder = MODE_PLACEHOLDERS[select.value] ?? ''; });
    number.placeholder = MODE_PLACEHOLDERS.Train;
  }

  const form = $('trip-query-form');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = $('trip-query-submit');
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    let limited = false;
    try {
      clearError();
      const q = readTripForm(form);
      const result = await queryTrip(q);
      lastQuery = { mode: result.mode, number: result.number, date: result.date, carriage: q.carriage, row: q.row, seat: null };
      $('trip-save-result').replaceChildren();
      renderQueryResult(result);
    } catch (error) {
      $('trip-result').hidden = true;
      lastQuery = null;
      if (error instanceof ApiError && error.status === 429) {
        limited = true;
        error.problem = { ...error.problem, detail: `${error.retryAfter}${t('trip.limitedIn')}. ${error.problem?.detail ?? ''}`.trim() };
      }
      showProblem(error, form);
      if (limited) showRateLimited(error.retryAfter);
      updateTripSave();
    } finally {
      button.removeAttribute('aria-busy');
      if (!limited) button.disabled = false;
    }
  });

  $('trip-save').addEventListener('click', async () => {
    const button = $('trip-save');
    if (!lastQuery || button.disabled) return;
    button.disabled = true;
    try {
      clearError();
      const { saved, ...trip } = lastQuery;
      await saveTrip(trip, null, $('trip-save-result'));
      lastQuery = { ...lastQuery, saved: true };
      updateTripSave();
    } catch (e) {
      if (!e?.signedOut) showProblem(e, form);
    } finally {
      button.disabled = false;
    }
  });

  const saveForm = $('trip-save-form');
  saveForm.addEventListener('submit', e => {
    e.preventDefault();
    submitting(saveForm, async () => saveTrip(readTripForm(saveForm), saveForm, $('trip-save-form-result')));
  });

  $('trip-banner-details').addEventListener('click', () => {
    const tab = $('tab-trips');
    selectTab(tab);
    tab.focus();
    $('trip-matches').scrollIntoView?.({ block: 'start' });
  });
  $('query-back').addEventListener('click', e => {
    e.preventDefault();
    history.replaceState(null, '', location.pathname + location.search);
    route().catch(err => { if (!err?.signedOut) showProblem(err); });
  });
}

/** #query opens the co-traveler check: on its own without sign-in, in the home "trips" tab for a resident. */
async function route() {
  if (location.hash === '#lead') {
    clearError();
    showView('lead');
    await showLead();
    return;
  }
  if (location.hash === '#query') {
    clearError();
    if (session.token && session.residentKey) {
      if (!home || document.body.dataset.view !== 'home') await loadHome();
      selectTab($('tab-trips'));
      return;
    }
    placeQueryCard('view');
    showView('query');
    return;
  }
  await enter();
}

// ---------------------------------------------------------------- start

async function enter() {
  if (!session.token) { showSignIn(); return; }
  if (!session.residentKey) { await showRegistration(); return; }
  await loadHome();
}

async function start() {
  mountChrome();
  applyI18n();
  document.title = t('app.title');
  myCode = new CodeViewer(document.querySelector('[data-testid="my-code"]'), { withQr: true });
  memberCode = new CodeViewer(document.querySelector('[data-testid="member-code"]'), { withQr: false });
  setupSignIn({ api, session, clearError, showProblem, submitting, showView, enter, loadHome: () => loadHome() });
  setupDataDownload();
  setupRegistration();
  setupTabs();
  household = setupHouseholdTab({ api, viewer: memberCode, me: () => home?.profile?.residentKey ?? session.residentKey, submitting, showProblem, clearError });
  setupSelfReport();
  setupNeeds();
  setupTrips();
  setupLead({ busy, clearError, showProblem, localProblem, showNotice, token: () => (session.residentKey ? session.token : null) });
  $('sign-out').addEventListener('click', async () => {
    try { await api('POST', '/api/auth/logout'); } catch { /* signing out locally is enough */ }
    myCode.face.forget();
    session.clear();
    home = null;
    household.close();
    myCode.face.stop();
    myCode.face.clear();
    clearError();
    renderTripBanner([]);
    updateTripSave();
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    showSignIn();
  });
  window.addEventListener('hashchange', () => route().catch(e => { if (!e?.signedOut) showProblem(e); }));
  await loadTime();
  try {
    await route();
  } catch (e) {
    if (!e?.signedOut && !showKeptOffline(e)) {
      showView(session.token ? 'home' : 'signin');
      showProblem(e);
    }
  }
  document.body.dataset.ready = 'true';
  registerPortalShell();
}

/** Opened with no network (the shell from portal-sw.js): my last code as kept, marked offline, retried with back-off. */
function showKeptOffline(e) {
  if (!(e instanceof ApiError) || e.status !== 0 || !session.token) return false;
  const kept = myCode.face.kept();
  if (!kept?.view) return false;
  showView('home');
  myCode.target(null); // nothing to act on until the network is back
  myCode.render(kept.view);
  return myCode.face.showKept();
}

start();

// The resident's own data (docs/data-governance.md): one JSON file, saved through a Blob; nothing personal in a URL.
function setupDataDownload() {
  $('download-my-data').addEventListener('click', async () => {
    try {
      clearError();
      await downloadFile('/api/residents/me/data', session.token, 'sanmenxia-my-data.json');
      showNotice(t('data.downloaded'));
    } catch (e) {
      showProblem(e);
    }
  });
}
