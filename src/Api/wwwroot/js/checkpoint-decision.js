// The checkpoint console's refusals as decisions (issue 17): an unknown person, a forged, altered, expired or replayed QR,
// a mistyped ID number or a checkpoint that is not the guard's own is shown in the same big block as a colour's decision,
// "拒绝通行 · Refused" or "核验身份证 · Check by ID", with the reason underneath in the page's language. The reason is
// our own string for the server's stable code (problem `code`, or the field the problem names); a code we do not
// know falls back to the server's (localised) detail. Anything else (no network, 5xx, signed out) is not a decision
// about the person and stays in the page's alert.
import { register, has } from './i18n.js';
import { ApiError } from './http.js';

register({
  'decision.IdCheck': ['核验身份证', 'Check by ID'],
  'refusal.advice.IdCheck': ['请查验身份证，再按身份证号登记', 'Check the ID card, then register by the ID number'],
  'refusal.advice.Refused': ['不予通行', 'Do not let the person pass'],
  'refusal.token.malformed': ['不是三门峡健康码', 'Not a Sanmenxia health code'],
  'refusal.token.forged': ['伪造的二维码', 'A forged QR'],
  'refusal.token.altered': ['二维码内容被篡改', 'The QR was altered'],
  'refusal.token.expired': ['二维码已过期：请对方刷新健康码', 'The QR has expired: ask for the refreshed code'],
  'refusal.token.notyetvalid': ['二维码时间异常', 'The QR claims a future time'],
  'refusal.token.replayed': ['非当日二维码（截图）', 'A QR from another day (a screenshot)'],
  'refusal.resident.unknown.qr': ['二维码对应的居民未登记', 'The QR names no registered resident'],
  'refusal.resident.unknown.id': ['此身份证号未登记：请在“线上三门峡”登记或由村（社区）登记', 'No resident has this ID number: register on Online Sanmenxia or at the village'],
  'refusal.idNumber': ['身份证号无效，请核对身份证', 'Not a valid ID number: check the ID card'],
  'refusal.forbidden': ['本账号不能在此检测点登记', 'This account may not register passes at this checkpoint'],
});

/** Which QR refusals are a fraud (refuse) and which a genuine person may clear by the ID card. */
const REFUSED_TOKENS = new Set(['token.forged', 'token.altered']);

/**
 * The decision a refused registration comes to, or null when the error is not about the person.
 * `viaToken`: the pass was a scanned QR (else an ID number). Answers { outcome, code, reasonKey, detail }.
 */
export function refusalOf(error, viaToken) {
  if (!(error instanceof ApiError)) return null;
  const problem = error.problem ?? {};
  const code = typeof problem.code === 'string' ? problem.code : '';
  const fields = problem.errors && typeof problem.errors === 'object' ? problem.errors : {};
  const serverDetail = problem.detail ?? '';
  if (error.status === 422 && code.startsWith('token.')) {
    return decision(REFUSED_TOKENS.has(code) ? 'Refused' : 'IdCheck', code, `refusal.${code}`, serverDetail);
  }
  if (error.status === 422 && code === 'resident.unknown') {
    return viaToken
      ? decision('IdCheck', code, 'refusal.resident.unknown.qr', serverDetail)
      : decision('Refused', code, 'refusal.resident.unknown.id', serverDetail);
  }
  if (error.status === 400 && (fields.idNumber || code === 'idNumber')) {
    const reasons = Array.isArray(fields.idNumber) ? fields.idNumber.join('; ') : serverDetail;
    return decision('IdCheck', 'idNumber', 'refusal.idNumber', reasons, reasons);
  }
  if (error.status === 403) return decision('Refused', code || 'forbidden', 'refusal.forbidden', serverDetail);
  if (error.status === 422 && code) return decision('Refused', code, `refusal.${code}`, serverDetail);
  return null;
}

/**
 * Our own sentence for a known code, else the server's localised detail. `detail`: what the server said beside it that a
 * guard needs (the ID number's field reason: "the check character should be X"), localised by the server.
 */
function decision(outcome, code, reasonKey, serverDetail, detail = '') {
  const known = has(reasonKey);
  return { outcome, code, reasonKey: known ? reasonKey : null, reason: known ? '' : serverDetail, detail: known ? detail : '' };
}
