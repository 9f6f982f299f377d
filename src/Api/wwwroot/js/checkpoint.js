// 检测点登记 · the checkpoint console (platform 5): staff register each entry and exit by scanning the health-code QR
// with the phone camera (jsQR), by the ID card, or by typing the ID number; the answer is a big colour block with the
// decision and why, and today's counters. Reuses the staff sign-in of staff.html (token in sessionStorage).
// Offline (issue 18: js/checkpoint-offline.js, sw.js) it verifies QRs on the device, queues the passes and uploads them later.
// Issue 17: refusals are decisions in the same block (js/checkpoint-decision.js); the guard may enter the temperature
// measured with the pass (a fever refuses); checkpoint staff land on their checkpoint, administrators pick one from the
// list (js/checkpoint-picker.js) and alone see the developer's "paste a QR token" form.
import { applyI18n, register, fill, t, has } from './i18n.js';
import * as offline from './checkpoint-offline.js';
import { refusalOf } from './checkpoint-decision.js';
import { mountPicker, showPicker } from './checkpoint-picker.js';
import { $ } from './dom.js';
import { mountChrome } from './chrome.js';
import { ApiError } from './http.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView } from './session.js';

register({
  'cp.title': ['检测点登记', 'Checkpoint'],
  'cp.change': ['换检测点', 'Change checkpoint'],
  'cp.registerHeading': ['登记通行', 'Register a pass'],
  'cp.camera': ['扫码画面', 'Camera view'],
  'cp.temperature': ['测得体温 (°C，选填)', 'Measured temperature (°C, optional)'],
  'cp.temperatureHint': ['≥ {t} °C：拒绝通行，引导至发热门诊', '≥ {t} °C: refused, send the person to the fever clinic'],
  'cp.temperatureBad': ['请输入体温，如 36.5', 'Enter a temperature such as 36.5'],
  'cp.temperatureRange': ['体温应在 34.0 至 43.0 °C 之间', 'A body temperature lies between 34.0 and 43.0 °C'],
  'cp.temperatureNeeded': ['请先填入测得的体温', 'Enter the measured temperature first'],
  'cp.measured': ['体温 {t} °C', 'Temperature {t} °C'],
  'cp.measurePrompt': ['请测量体温：填入体温后点“带体温重新登记”', 'Measure the temperature: enter it and press "Register again with the temperature"'],
  'cp.retemp': ['带体温重新登记', 'Register again with the temperature'],
  'cp.token': ['二维码内容', 'QR token'],
  'cp.in': ['进', 'In'],
  'cp.out': ['出', 'Out'],
  'cp.scan': ['扫码登记', 'Scan the QR'],
  'cp.stop': ['停止扫码', 'Stop scanning'],
  'cp.idNumber': ['身份证号', 'ID number'],
  'cp.fromCard': ['读卡器读取', 'Read from the ID card'],
  'cp.register': ['登记', 'Register'],
  'cp.pasteToken': ['开发者工具：粘贴二维码内容', 'Developer tool: paste a QR token'],
  'cp.today': ['今日统计', 'Today'],
  'cp.duplicate': ['重复扫码：已按首次登记，不重复计数', 'Repeated scan: the first registration stands, not counted twice'],
  'cp.dwell': ['停留时长', 'Dwell time'],
  'cp.noCamera': ['无法使用摄像头', 'The camera is not available'],
  'cp.needCheckpoint': ['您的账号未分配检测点', 'Your account has no checkpoint'],
  'decision.Allowed': ['通行', 'Allowed'],
  'decision.Check': ['需核查', 'Check'],
  'decision.Refused': ['拒绝通行', 'Refused'],
  'count.entries': ['进', 'Entries'],
  'count.exits': ['出', 'Exits'],
  'count.passes': ['登记人次', 'Passes'],
  'count.redSeen': ['红码', 'Red seen'],
  'count.yellowSeen': ['黄码', 'Yellow seen'],
  'count.refused': ['劝返', 'Refused'],
  'count.duplicates': ['重复扫码', 'Duplicates'],
  'reason.green.allowed': ['绿码，通行', 'Green code: allowed'],
  'reason.yellow.check': ['黄码，请测温并核查行程', 'Yellow code: check temperature and travel'],
  'reason.yellow.refused': ['黄码，本检测点不予通行', 'Yellow code: refused here'],
  'reason.yellow.allowed': ['黄码，本检测点允许通行', 'Yellow code: allowed here'],
  'reason.red.refused': ['红码，禁止通行，请联系村（社区）', 'Red code: refused; contact the village'],
  'reason.red.check': ['红码，请留置核查', 'Red code: hold for checking'],
  'reason.red.allowed': ['红码，按本检测点规则通行', 'Red code: allowed by this checkpoint'],
  'reason.none.check': ['未申领健康码，请核查并协助申领', 'No code: check and help to apply'],
  'reason.none.refused': ['未申领健康码，不予通行', 'No code: refused here'],
  'reason.none.allowed': ['未申领健康码，允许通行', 'No code: allowed here'],
  'reason.fever.refused': ['体温异常（发热）：拒绝通行，请引导至发热门诊', 'Fever: refused; send the person to the fever clinic'],
});

/** The fever threshold (°C) when the checkpoint's view does not say (HealthCodePolicy's default). */
const DEFAULT_FEVER = 37.3;
const MIN_TEMPERATURE = 34.0;
const MAX_TEMPERATURE = 43.0;

const COUNTS = ['entries', 'exits', 'passes', 'redSeen', 'yellowSeen', 'refused', 'duplicates'];

const state = {
  checkpoint: null, direction: 'In', stream: null, scanning: false, busy: false, online: navigator.onLine, syncing: false,
  me: null, fever: DEFAULT_FEVER, lastBody: null,
};

const api = createStaffApi(() => signOutLocal());

function clearError() {
  $('error').hidden = true;
  $('error-title').textContent = '';
  $('error-detail').textContent = '';
}

function showError(e) {
  const problem = e instanceof ApiError ? e.problem : { title: String(e?.message ?? e) };
  const status = e instanceof ApiError ? e.status : 0;
  const key = `problem.${status}`;
  const box = $('error');
  box.dataset.status = String(status);
  box.dataset.code = problem?.code ?? '';
  $('error-title').textContent = problem?.title || (has(key) ? t(key) : t('common.error'));
  const fields = problem?.errors ? Object.values(problem.errors).flat().join('; ') : '';
  $('error-detail').textContent = [problem?.detail, fields].filter(Boolean).join(' ');
  box.hidden = false;
}

const show = view => showStaffView(['signin', 'pick', 'scan'], view);

/** Fills a {placeholder} string: the key's text(s) with the values put in. */
function fillVars(el, key, vars) {
  fill(el, key);
  const put = text => text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
  const parts = el.children.length ? [...el.children] : [el];
  for (const part of parts) part.textContent = put(part.textContent);
  return el;
}

/**
 * Administrators alone pick another checkpoint. The developer's "paste a QR token" form is for administrators, or on a
 * device where a developer set the switch (localStorage smx.checkpoint.dev = 1, for tests and demos); never for a guard.
 */
function showRoleTools(me) {
  const admin = me?.role === 'admin';
  let developer = false;
  try { developer = localStorage.getItem('smx.checkpoint.dev') === '1'; } catch { /* storage blocked */ }
  $('dev-tools').hidden = !(admin || (developer && me));
  $('cp-change').hidden = !admin;
}

function signOutLocal() {
  session.clear();
  stopCamera();
  state.checkpoint = null;
  state.me = null;
  showRoleTools(null);
  show('signin');
}

async function start() {
  clearError();
  if (!session.token) { show('signin'); return; }
  if (!navigator.onLine) { await startOffline(); return; }
  let me;
  try {
    me = await api('GET', '/api/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 0) { await startOffline(); return; }
    signOutLocal();
    return;
  }
  state.me = me;
  const who = $('who');
  who.textContent = `${me.subject} · ${t(`role.${me.role}`, me.role)}`;
  who.dataset.role = me.role;
  showRoleTools(me);
  // Checkpoint staff land on their own checkpoint; an administrator opens the one in the address (#cp-…) or picks one.
  const fromHash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const id = me.checkpointId ?? (me.role === 'admin' && fromHash ? fromHash : null);
  if (id) { await openCheckpoint(id, me); return; }
  show('pick');
  $('pick-form').hidden = me.role !== 'admin';
  if (me.role === 'admin') await showPicker(api);
  else showError(new Error(t('cp.needCheckpoint')));
}

async function openCheckpoint(id, me) {
  const view = await api('GET', `/api/checkpoints/${encodeURIComponent(id)}`);
  showCheckpoint(view);
  setOnline(true);
  await offline.prepare(view, me);
  await syncQueue();
}

function showCheckpoint(view) {
  state.checkpoint = view.checkpoint;
  state.fever = Number(view.feverThreshold) || DEFAULT_FEVER;
  state.lastBody = null;
  fillVars($('temperature-hint'), 'cp.temperatureHint', { t: state.fever.toFixed(1) });
  $('result').hidden = true;
  $('cp-name').textContent = `${view.checkpoint.name} · ${view.checkpoint.id}`;
  $('cp-name').dataset.id = view.checkpoint.id;
  renderCounts(view.today);
  show('scan');
}

/** No network at start (a reload offline): the checkpoint and keys this device kept, and the queue. */
async function startOffline() {
  setOnline(false);
  const fromHash = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || null;
  const { me, view } = await offline.cached(fromHash);
  if (!view) { show('pick'); showError(new Error(t('cp.offline.noCheckpoint'))); return; }
  state.me = me;
  showRoleTools(me);
  if (me) {
    $('who').textContent = `${me.subject} · ${t(`role.${me.role}`, me.role)}`;
    $('who').dataset.role = me.role;
  }
  showCheckpoint(view);
  await renderBanner();
}

function setOnline(online) {
  state.online = online;
  document.body.dataset.online = String(online);
  renderBanner();
}

async function renderBanner() {
  if (!state.checkpoint) return;
  const count = await offline.pending(state.checkpoint.id);
  const banner = $('offline-banner');
  banner.dataset.pending = String(count);
  banner.dataset.online = String(state.online);
  banner.hidden = state.online && count === 0;
  banner.textContent = offline.bannerText(count, state.online);
}

/** Uploads the queue (batches; each pass once by its id) and shows the counters the server recounted. */
async function syncQueue() {
  if (state.syncing || !state.checkpoint || !navigator.onLine) return;
  state.syncing = true;
  try {
    if (await offline.pending(state.checkpoint.id) === 0) return;
    const { today } = await offline.sync(api, state.checkpoint.id);
    setOnline(true);
    if (today) renderCounts(today);
  } catch (e) {
    if (e instanceof ApiError && e.status === 0) setOnline(false);
  } finally {
    state.syncing = false;
    await renderBanner();
  }
}

function renderCounts(today) {
  const box = $('counts');
  box.replaceChildren();
  for (const key of COUNTS) {
    const tile = document.createElement('div');
    tile.className = `cp-count cp-count-${key}`;
    tile.dataset.testid = `count-${key}`;
    tile.dataset.value = String(today?.[key] ?? 0);
    const value = document.createElement('span');
    value.className = 'cp-count-value';
    value.textContent = String(today?.[key] ?? 0);
    const label = fill(document.createElement('span'), `count.${key}`);
    label.className = 'cp-count-label';
    tile.append(value, label);
    box.append(tile);
  }
}

/** Shows the block: the decision, and the lines a pass or a refusal fills (the rest hidden). */
function resetResult() {
  for (const id of ['result-detail', 'result-temperature', 'result-dwell', 'result-duplicate', 'result-offline', 'result-retemp']) $(id).hidden = true;
  $('result-name').hidden = false;
  $('result-colour').hidden = false;
}

function renderResult(pass) {
  resetResult();
  const box = $('result');
  box.dataset.colour = pass.colour;
  box.dataset.outcome = pass.outcome;
  box.dataset.reason = pass.reasonCode;
  box.dataset.duplicate = String(pass.duplicate);
  delete box.dataset.refusal;
  fill($('result-decision'), `decision.${pass.outcome}`);
  $('result-decision').dataset.outcome = pass.outcome;
  $('result-name').textContent = pass.maskedName;
  $('result-name').hidden = !pass.maskedName;
  fill($('result-colour'), `colour.${pass.colour}`);
  $('result-colour').dataset.colour = pass.colour;
  fill($('result-reason'), `reason.${pass.reasonCode}`, pass.reason);
  $('result-reason').dataset.code = pass.reasonCode;
  const temperature = $('result-temperature');
  const measured = pass.temperature ?? null;
  temperature.dataset.value = measured === null ? '' : String(measured);
  if (measured !== null) fillVars(temperature, 'cp.measured', { t: Number(measured).toFixed(1) }).hidden = false;
  // A check without a temperature: measure it and register the same person again with it (counted once).
  const measure = pass.outcome === 'Check' && measured === null && !pass.offline && state.lastBody !== null;
  if (measure) fill($('result-detail'), 'cp.measurePrompt').hidden = false;
  $('result-retemp').hidden = !measure;
  const dwell = $('result-dwell');
  dwell.hidden = !pass.dwell;
  dwell.textContent = pass.dwell ? `${t('cp.dwell')}: ${pass.dwell}` : '';
  $('result-duplicate').hidden = !pass.duplicate;
  box.dataset.offline = String(!!pass.offline);
  const note = $('result-offline');
  // A QR verified on the device says so; an ID number typed offline says it in its reason (unknown.check).
  note.hidden = !pass.offline || pass.colour === 'Unknown';
  if (!note.hidden) fill(note, 'cp.offline.verified');
  box.hidden = false;
  if (pass.today) renderCounts(pass.today);
  box.scrollIntoView?.({ block: 'nearest' });
}

/** A refusal as a decision (js/checkpoint-decision.js): "Refused" or "Check by ID", the reason, what to do. */
function renderRefusal(refusal) {
  resetResult();
  const box = $('result');
  box.dataset.colour = 'Unknown';
  box.dataset.outcome = refusal.outcome;
  box.dataset.reason = refusal.code;
  box.dataset.refusal = refusal.code;
  box.dataset.duplicate = 'false';
  box.dataset.offline = 'false';
  fill($('result-decision'), `decision.${refusal.outcome}`);
  $('result-decision').dataset.outcome = refusal.outcome;
  $('result-name').textContent = '';
  $('result-name').hidden = true;
  fill($('result-colour'), `refusal.advice.${refusal.outcome}`);
  $('result-colour').dataset.colour = 'Unknown';
  const reason = $('result-reason');
  if (refusal.reasonKey) fill(reason, refusal.reasonKey);
  else reason.textContent = refusal.reason;
  reason.dataset.code = refusal.code;
  const detail = $('result-detail');
  detail.textContent = refusal.detail;
  detail.hidden = !refusal.detail;
  box.hidden = false;
  box.scrollIntoView?.({ block: 'nearest' });
}

/** The temperature field: { ok, value } (value null when empty); a bad entry is shown under the field. */
function readTemperature() {
  const input = $('temperature');
  const text = input.value.trim().replace(',', '.');
  setTemperatureError(null);
  if (!text) return { ok: true, value: null };
  const value = /^\d{2}(\.\d)?$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value)) { setTemperatureError('cp.temperatureBad'); return { ok: false }; }
  if (value < MIN_TEMPERATURE || value > MAX_TEMPERATURE) { setTemperatureError('cp.temperatureRange'); return { ok: false }; }
  return { ok: true, value };
}

/** Shows (an i18n key, or the server's reason text) or clears the temperature's field error. */
function setTemperatureError(keyOrText, isText = false) {
  const input = $('temperature');
  const error = $('temperature-error');
  if (!keyOrText) { error.replaceChildren(); input.removeAttribute('aria-invalid'); return; }
  if (isText) error.textContent = keyOrText; else fill(error, keyOrText);
  input.setAttribute('aria-invalid', 'true');
}

async function registerPass(body) {
  if (state.busy || !state.checkpoint) return false;
  const temperature = readTemperature();
  if (!temperature.ok) { $('temperature').focus(); return false; }
  state.busy = true;
  clearError();
  const sent = temperature.value === null ? body : { ...body, temperature: temperature.value };
  try {
    let pass = null;
    if (navigator.onLine) {
      try {
        pass = await api('POST', `/api/checkpoints/${encodeURIComponent(state.checkpoint.id)}/passes`, { direction: state.direction, ...sent });
        if (!state.online) { setOnline(true); syncQueue(); }
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 0) throw e;
      }
    }
    if (!pass) {
      setOnline(false);
      pass = await registerOffline(sent);
    }
    $('temperature').value = '';
    state.lastBody = body;
    renderResult(pass);
    if (pass.offline) await renderBanner();
    return true;
  } catch (e) {
    const temperatureReasons = e instanceof ApiError && e.status === 400 ? e.problem?.errors?.temperature : null;
    if (temperatureReasons) {
      $('result').hidden = true;
      setTemperatureError(temperatureReasons.join('; '), true);
      return false;
    }
    const refusal = refusalOf(e, !!body.qrToken);
    if (refusal) { state.lastBody = null; renderRefusal(refusal); return false; }
    $('result').hidden = true;
    showError(e);
    return false;
  } finally {
    state.busy = false;
  }
}

/** Registers the last person again with the temperature just entered (after a "check" decision). */
async function registerAgainWithTemperature() {
  if (!state.lastBody) return;
  if (!$('temperature').value.trim()) { setTemperatureError('cp.temperatureNeeded'); $('temperature').focus(); return; }
  await registerPass(state.lastBody);
}

/** No network: a QR verified on the device (refusals as the server would), an ID number recorded with the colour unknown. */
async function registerOffline(body) {
  const item = { feverThreshold: state.fever, temperature: body.temperature ?? null };
  if (body.qrToken) {
    const check = await offline.verifyOffline(body.qrToken);
    if (!check) throw new Error(t('cp.offline.noKeys'));
    if (check.status !== 'valid') throw new ApiError(422, { title: t(check.code), detail: '', code: check.code });
    return offline.recordOffline(state.checkpoint, state.direction,
      { ...item, body: { qrToken: body.qrToken, method: 'Qr', temperature: item.temperature }, colour: check.payload.colour });
  }
  if (!/^[0-9]{17}[0-9X]$/.test(body.idNumber ?? '')) throw new ApiError(400, { title: t('cp.offline.badId'), detail: '', code: 'idNumber' });
  return offline.recordOffline(state.checkpoint, state.direction,
    { ...item, body: { idNumber: body.idNumber, method: body.method, temperature: item.temperature } });
}

// ---------------------------------------------------------------- camera scanning (getUserMedia + jsQR)

async function startCamera() {
  clearError();
  if (!navigator.mediaDevices?.getUserMedia || typeof window.jsQR !== 'function') { showError(new Error(t('cp.noCamera'))); return; }
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch {
    showError(new Error(t('cp.noCamera')));
    return;
  }
  const video = $('camera-video');
  video.srcObject = state.stream;
  await video.play().catch(() => {});
  $('camera').hidden = false;
  $('scan-start').hidden = true;
  state.scanning = true;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let last = '';
  const tick = async () => {
    if (!state.scanning) return;
    if (video.readyState >= 2 && video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      if (code?.data && code.data !== last) {
        last = code.data;
        navigator.vibrate?.(80);
        await registerPass({ qrToken: code.data });
        setTimeout(() => { last = ''; }, 3000); // the same QR again only after a pause
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopCamera() {
  state.scanning = false;
  state.stream?.getTracks().forEach(track => track.stop());
  state.stream = null;
  $('camera').hidden = true;
  $('scan-start').hidden = false;
}

// ---------------------------------------------------------------- wiring

function setDirection(direction) {
  state.direction = direction;
  $('direction').dataset.value = direction;
  for (const b of document.querySelectorAll('[data-direction]')) b.setAttribute('aria-checked', String(b.dataset.direction === direction));
}

function setup() {
  mountChrome();
  mountStaffSignIn();
  applyI18n();
  setupStaffSignIn({
    api,
    run: async (button, form, action) => {
      clearError();
      try { await action(); } catch (err) { showError(err); }
    },
    signedIn: () => start(),
    signedOut: signOutLocal,
  });
  mountPicker(api, async id => {
    clearError();
    history.replaceState(null, '', `#${encodeURIComponent(id)}`);
    try { await openCheckpoint(id, state.me); } catch (err) { showError(err); }
  });
  $('cp-change').addEventListener('click', async () => {
    stopCamera();
    clearError();
    show('pick');
    try { await showPicker(api); } catch (err) { showError(err); }
  });
  $('result-retemp').addEventListener('click', registerAgainWithTemperature);
  $('temperature').addEventListener('input', () => setTemperatureError(null));
  for (const b of document.querySelectorAll('[data-direction]')) b.addEventListener('click', () => setDirection(b.dataset.direction));
  $('id-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    const idNumber = form.elements.idNumber.value.trim().toUpperCase();
    if (await registerPass({ idNumber, method: form.elements.card.checked ? 'IdCard' : 'IdNumber' })) form.elements.idNumber.value = '';
  });
  $('token-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    if (await registerPass({ qrToken: form.elements.token.value.trim() })) form.elements.token.value = '';
  });
  $('scan-start').addEventListener('click', startCamera);
  window.addEventListener('online', () => { setOnline(true); syncQueue(); });
  window.addEventListener('offline', () => setOnline(false));
  // While passes wait, try again now and then (an 'online' event is not always sent when a weak network comes back).
  setInterval(() => { if (navigator.onLine) syncQueue(); }, 15_000);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { scope: '/checkpoint' }).catch(() => {});
  $('scan-stop').addEventListener('click', stopCamera);
  start().catch(showError).finally(() => { document.body.dataset.ready = 'true'; });
}

setup();
