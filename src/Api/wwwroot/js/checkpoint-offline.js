// The checkpoint console offline (issue 18): what the page keeps to work without network, verifying a QR on the device,
// queueing each pass in IndexedDB with its own id, and uploading the queue in batches when the network is back
// (POST /api/checkpoints/{id}/passes/batch: the server accepts each pass once by its id, so a retry never counts twice).
import { register, t } from './i18n.js';
import { importKeys, verifyToken, decide } from './code-verify.js';
import * as store from './offline-store.js';

register({
  'cp.offline.waiting': ['离线 — {n} 条待上传', 'offline — {n} passes waiting'],
  'cp.offline.uploading': ['正在上传 — {n} 条待上传', 'uploading — {n} passes waiting'],
  'cp.offline.verified': ['离线核验（未联网，按二维码颜色判断）', 'Verified offline (no network: the colour shown by the QR)'],
  'cp.offline.noKeys': ['此设备尚无验码公钥：请先联网打开一次', 'This device has no code keys yet: open the page online once first'],
  'cp.offline.noCheckpoint': ['离线且此设备未缓存检测点：请联网后再打开', 'Offline, and this device has not kept the checkpoint: open it online first'],
  'cp.offline.badId': ['身份证号应为18位', 'An ID number has 18 characters'],
  'colour.Unknown': ['颜色未知', 'Colour unknown'],
  'reason.unknown.check': ['离线按身份证登记，颜色未知，请人工核查', 'Checked by ID offline: colour unknown, check by hand'],
  'token.malformed': ['不是三门峡健康码', 'Not a Sanmenxia health code'],
  'token.forged': ['伪造的二维码', 'Forged QR'],
  'token.altered': ['二维码内容被篡改', 'The QR was altered'],
  'token.expired': ['二维码已过期，请刷新', 'The QR has expired: refresh it'],
  'token.notyetvalid': ['二维码时间异常', 'The QR claims a future time'],
  'token.replayed': ['非当日二维码（截图重放）', 'A QR from another day (a replayed screenshot)'],
});

export const KEYS_URL = '/.well-known/sanmenxia-code-keys.json';
const BATCH = 200;

const memory = { keySet: null, keys: null, offset: 0 };

/** The device's clock corrected by the server's (the domain clock may be simulated). */
export const serverNow = () => Date.now() + memory.offset;

/** Online: fetches and keeps the published keys, the server's clock offset, and the checkpoint (with its policy). */
export async function prepare(view, me) {
  await store.setMeta(`cp:${view.checkpoint.id}`, view);
  if (me) await store.setMeta('me', me);
  try {
    const started = Date.now();
    const time = await (await fetch('/api/time', { headers: { Accept: 'application/json' } })).json();
    memory.offset = new Date(time.now).getTime() - (started + Date.now()) / 2;
    await store.setMeta('offset', memory.offset);
  } catch { /* keep the last offset */ }
  try {
    const response = await fetch(KEYS_URL, { headers: { Accept: 'application/json' } });
    if (response.ok) {
      memory.keySet = await response.json();
      memory.keys = null;
      await store.setMeta('keys', memory.keySet);
    }
  } catch { /* keep the cached keys */ }
}

/** Offline: what the device kept for this checkpoint (null when it never opened it online). */
export async function cached(checkpointId) {
  memory.offset = (await store.getMeta('offset')) ?? memory.offset;
  const me = await store.getMeta('me');
  const id = checkpointId ?? me?.checkpointId;
  return { me, view: id ? await store.getMeta(`cp:${id}`) : null };
}

async function keys() {
  memory.keySet ??= await store.getMeta('keys');
  if (!memory.keySet) return null;
  memory.keys ??= await importKeys(memory.keySet);
  return memory.keys;
}

/** Verifies a QR on the device: { status: 'valid', payload } or { status: 'refused', code }. Null when no keys are kept. */
export async function verifyOffline(token) {
  const known = await keys();
  if (!known) return null;
  return verifyToken(token, known, serverNow(), memory.keySet.timeZone ?? 'Asia/Shanghai');
}

/**
 * Records a pass offline (item: { body, colour, temperature, feverThreshold }): queued (committed to IndexedDB) before the decision is shown, so no shown pass is lost.
 * Answers the pass as the page renders it (colour, decision, reason), marked offline.
 */
export async function recordOffline(checkpoint, direction, item) {
  const scannedAt = new Date(serverNow()).toISOString();
  const pass = { clientId: crypto.randomUUID(), checkpointId: checkpoint.id, direction, scannedAt, ...item.body };
  await store.enqueue(pass);
  // A fever measured at the gate refuses whatever the colour (CheckpointRules.Decide with the temperature).
  const temperature = item.temperature ?? null;
  const fever = temperature !== null && temperature >= (item.feverThreshold ?? 37.3);
  const { outcome, reasonCode } = fever ? { outcome: 'Refused', reasonCode: 'fever.refused' }
    : item.colour ? decide(checkpoint.policy, item.colour) : { outcome: 'Check', reasonCode: 'unknown.check' };
  return {
    offline: true, clientId: pass.clientId, colour: item.colour ?? 'Unknown', outcome, reasonCode, reason: '', maskedName: '', duplicate: false,
    temperature,
  };
}

export const pending = checkpointId => store.pendingCount(checkpointId);

/**
 * Uploads the queue in batches of 200. A pass leaves the queue only once the server answered it (recorded, already
 * recorded, refused or invalid are all final). Stops at the first failed request (the network is gone again, or the
 * server answers 5xx) and keeps the rest. Answers { uploaded, today } (today: the checkpoint's counters after the last batch).
 */
export async function sync(api, checkpointId) {
  let uploaded = 0;
  let today = null;
  for (;;) {
    const batch = await store.queued(checkpointId, BATCH);
    if (batch.length === 0) break;
    const body = {
      passes: batch.map(p => ({
        clientId: p.clientId, direction: p.direction, qrToken: p.qrToken ?? null, idNumber: p.idNumber ?? null, method: p.method ?? null,
        scannedAt: p.scannedAt, temperature: p.temperature ?? null,
      })),
    };
    const answer = await api('POST', `/api/checkpoints/${encodeURIComponent(checkpointId)}/passes/batch`, body);
    const answered = answer.results.map(r => r.clientId).filter(id => batch.some(p => p.clientId === id));
    await store.remove(answered);
    uploaded += answer.recorded;
    today = answer.today;
    if (answered.length === 0) break; // nothing final came back: keep the queue for the next attempt
  }
  return { uploaded, today };
}

/** The banner's text in the page's language: "离线 — N 条待上传" (or "uploading" while online). */
export function bannerText(count, online) {
  return t(online ? 'cp.offline.uploading' : 'cp.offline.waiting').replace('{n}', String(count));
}
