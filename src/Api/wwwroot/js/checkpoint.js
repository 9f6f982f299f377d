// 检测点登记 · the checkpoint console (platform 5): staff register each entry and exit by scanning the health-code QR
// with the phone camera (jsQR), by the ID card, or by typing the ID number; the answer is a big colour block with the
// decision and why, and today's counters. Reuses the staff sign-in of staff.html (token in sessionStorage).
// Offline (issue 18: js/checkpoint-offline.js, sw.js) it verifies QRs on the device, queues the passes and uploads them later.
import { applyI18n, register, fill, t, has } from './i18n.js';
import * as offline from './checkpoint-offline.js';
import { $ } from './dom.js';
import { mountChrome } from './chrome.js';
import { ApiError } from './http.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView } from './session.js';

register({
  'cp.title': ['检测点登记', 'Checkpoint'],
  'cp.id': ['检测点编号', 'Checkpoint id'],
  'cp.open': ['打开', 'Open'],
  'cp.in': ['进', 'In'],
  'cp.out': ['出', 'Out'],
  'cp.scan': ['扫码登记', 'Scan the QR'],
  'cp.stop': ['停止扫码', 'Stop scanning'],
  'cp.idNumber': ['身份证号', 'ID number'],
  'cp.fromCard': ['读卡器读取', 'Read from the ID card'],
  'cp.register': ['登记', 'Register'],
  'cp.pasteToken': ['粘贴二维码内容', 'Paste a QR token'],
  'cp.today': ['今日统计', 'Today'],
  'cp.duplicate': ['重复扫码：已按首次登记，不重复计数', 'Repeated scan: the first registration stands, not counted twice'],
  'cp.dwell': ['停留时长', 'Dwell time'],
  'cp.noCamera': ['无法使用摄像头', 'The camera is not available'],
  'cp.needCheckpoint': ['您的账号未分配检测点', 'Your account has no checkpoint'],
  'decision.Allowed': ['通行', 'Allowed'],
  'decision.Check': ['需核查', 'Check'],
  'decision.Refused': ['禁止通行', 'Refused'],
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
});

const COUNTS = ['entries', 'exits', 'passes', 'redSeen', 'yellowSeen', 'refused', 'duplicates'];

const state = { checkpoint: null, direction: 'In', stream: null, scanning: false, busy: false, online: navigator.onLine, syncing: false };

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

function signOutLocal() {
  session.clear();
  stopCamera();
  state.checkpoint = null;
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
  const who = $('who');
  who.textContent = `${me.subject} · ${t(`role.${me.role}`, me.role)}`;
  who.dataset.role = me.role;
  const fromHash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const id = me.checkpointId ?? (fromHash || null);
  if (!id) { show('pick'); if (me.role !== 'admin') showError(new Error(t('cp.needCheckpoint'))); return; }
  await openCheckpoint(id, me);
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

function renderResult(pass) {
  const box = $('result');
  box.dataset.colour = pass.colour;
  box.dataset.outcome = pass.outcome;
  box.dataset.duplicate = String(pass.duplicate);
  fill($('result-decision'), `decision.${pass.outcome}`);
  $('result-decision').dataset.outcome = pass.outcome;
  $('result-name').textContent = pass.maskedName;
  fill($('result-colour'), `colour.${pass.colour}`);
  $('result-colour').dataset.colour = pass.colour;
  fill($('result-reason'), `reason.${pass.reasonCode}`, pass.reason);
  $('result-reason').dataset.code = pass.reasonCode;
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

async function registerPass(body) {
  if (state.busy || !state.checkpoint) return;
  state.busy = true;
  clearError();
  try {
    if (navigator.onLine) {
      try {
        const pass = await api('POST', `/api/checkpoints/${encodeURIComponent(state.checkpoint.id)}/passes`, { direction: state.direction, ...body });
        renderResult(pass);
        if (!state.online) { setOnline(true); syncQueue(); }
        return true;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 0) throw e;
      }
    }
    setOnline(false);
    renderResult(await registerOffline(body));
    await renderBanner();
    return true;
  } catch (e) {
    $('result').hidden = true;
    showError(e);
    return false;
  } finally {
    state.busy = false;
  }
}

/** No network: a QR verified on the device (refusals as the server would), an ID number recorded with the colour unknown. */
async function registerOffline(body) {
  if (body.qrToken) {
    const check = await offline.verifyOffline(body.qrToken);
    if (!check) throw new Error(t('cp.offline.noKeys'));
    if (check.status !== 'valid') throw new ApiError(422, { title: t(check.code), detail: '', code: check.code });
    return offline.recordOffline(state.checkpoint, state.direction, { body: { qrToken: body.qrToken, method: 'Qr' }, colour: check.payload.colour });
  }
  if (!/^[0-9]{17}[0-9X]$/.test(body.idNumber ?? '')) throw new ApiError(400, { title: t('cp.offline.badId'), detail: '', code: 'idNumber' });
  return offline.recordOffline(state.checkpoint, state.direction, { body: { idNumber: body.idNumber, method: body.method } });
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
  $('pick-form').addEventListener('submit', async e => {
    e.preventDefault();
    clearError();
    try { await openCheckpoint(e.currentTarget.elements.id.value.trim().toLowerCase()); } catch (err) { showError(err); }
  });
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
