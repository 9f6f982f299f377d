// The resident portal's sign-in (phone + one-time code) and first registration. A wrong, expired or used-up code
// reads as a problem with the code field (the server's reason under it), never as "not signed in"; the resend
// countdown is a translated string; registration shows the phone that just signed in instead of asking for it again.
import { register, fill } from './i18n.js';
import { $ } from './dom.js';
import { ApiError } from './http.js';
import { fillRegionSelect } from './regions.js';
import { fillFormat } from './clock-in.js';

register({
  'signin.codeSentTo': ['验证码已发送至 {phone}', 'A code was sent to {phone}'],
  'signin.resendCountdown': ['{n} 秒后可重新获取', 'Ask again in {n} s'],
  'reg.phoneSignedIn': ['即登录所用的手机号，无需再次填写', 'The phone you signed in with; no need to type it again'],
});

const CITY = '411200';
let ctx; // { api, session, clearError, showProblem, submitting, showView, enter, loadHome }

/** Wires the sign-in form; `context` is what the portal shares with it (see `ctx`). */
export function setupSignIn(context) {
  ctx = context;
  const form = $('signin-form');
  const button = $('send-code');
  let countdown;
  button.addEventListener('click', async () => {
    ctx.clearError();
    button.disabled = true;
    try {
      const sent = await ctx.api('POST', '/api/auth/resident/code', { phone: form.elements.phone.value.trim() });
      let left = Math.max(0, Number(sent?.resendAfterSeconds ?? 30));
      fillFormat($('code-sent'), 'signin.codeSentTo', { phone: sent?.maskedPhone ?? '' });
      form.elements.code.focus();
      clearInterval(countdown);
      const tick = () => {
        if (left <= 0) {
          clearInterval(countdown);
          button.disabled = false;
          delete button.dataset.countdown;
          fill(button, 'signin.sendCode');
          return;
        }
        button.dataset.countdown = String(left);
        fillFormat(button, 'signin.resendCountdown', { n: left });
        left -= 1;
      };
      tick();
      countdown = setInterval(tick, 1000);
    } catch (e) {
      button.disabled = false;
      if (!e?.signedOut) ctx.showProblem(e, form);
    }
  });

  form.addEventListener('submit', e => {
    e.preventDefault();
    ctx.submitting(form, async () => {
      const phone = form.elements.phone.value.trim();
      let token;
      try {
        token = await ctx.api('POST', '/api/auth/resident/login', { phone, code: form.elements.code.value.trim() });
      } catch (error) {
        throw codeProblem(error, form);
      }
      ctx.session.token = token.token;
      ctx.session.residentKey = token.residentKey;
      ctx.session.phone = token.residentKey ? null : phone;
      form.elements.code.value = '';
      await ctx.enter();
    });
  });
}

/**
 * The sign-in's 401 is about the code the person typed (wrong, expired, used up), not about a session: shown as the
 * form's problem (the server's reason under the code field), with the code selected to type it again.
 */
function codeProblem(error, form) {
  if (!(error instanceof ApiError) || error.status !== 401) return error;
  queueMicrotask(() => form.elements.code.select());
  const problem = error.problem ?? {};
  return new ApiError(400, problem.errors ? problem : { ...problem, errors: { code: [problem.detail ?? problem.title ?? ''] } });
}

// ---------------------------------------------------------------- registration

const loadRegions = (select, parent) => fillRegionSelect(select, parent, ctx.api);

export function setupRegistration() {
  const form = $('register-form');
  const county = $('reg-county'), township = $('reg-township'), village = $('reg-village');
  const guard = fn => async () => { try { ctx.clearError(); await fn(); } catch (e) { ctx.showProblem(e, form); } };
  county.addEventListener('change', guard(async () => {
    await loadRegions(village, null);
    await loadRegions(township, county.value);
  }));
  township.addEventListener('change', guard(() => loadRegions(village, township.value)));

  form.addEventListener('submit', e => {
    e.preventDefault();
    ctx.submitting(form, async () => {
      const body = {
        name: form.elements.name.value.trim(),
        idNumber: form.elements.idNumber.value.trim().toUpperCase(),
        villageCode: village.value || null,
        // The server checks it is the phone that signed in (the token names only its pseudonymous key).
        phone: form.elements.phone.value.trim(),
      };
      const created = await ctx.api('POST', '/api/residents/me', body);
      ctx.session.token = created.token;
      ctx.session.residentKey = created.profile?.residentKey ?? null;
      ctx.session.phone = null;
      await ctx.loadHome();
    });
  });
}

/** The registration form; the phone is the one just signed in with (read-only), typed only when this tab lost it. */
export async function showRegistration() {
  ctx.showView('register');
  const form = $('register-form');
  const phone = form.elements.phone;
  const known = ctx.session.phone;
  if (known) phone.value = known;
  phone.readOnly = !!known;
  phone.closest('.field').classList.toggle('readonly', !!known);
  fill(document.getElementById('reg-phone-hint'), known ? 'reg.phoneSignedIn' : 'reg.phoneHint');
  try {
    await loadRegions($('reg-county'), CITY);
    await loadRegions($('reg-township'), null);
    await loadRegions($('reg-village'), null);
  } catch (e) {
    ctx.showProblem(e, form);
  }
}
