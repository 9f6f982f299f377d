// Labels for every Sanmenxia page, in ONE language at a time: zh-CN by default, English one click away.
// Each key holds both texts (['中文', 'English']); the page shows the current language only. The current language
// comes from `?lang=en` / `?lang=zh-CN` on the URL (which is then remembered), else from localStorage
// ('smx.lang'), else zh-CN. Markup: <span data-i18n="key"></span> is filled by applyI18n(); attributes by
// data-i18n-placeholder / data-i18n-aria-label / data-i18n-title. <html lang> follows the current language.
// Other pages may add their own strings with register({...}). chrome.js puts the switch (languageSwitch) in
// every page's header; choosing the other language remembers it and reloads the page (the URL, its hash and
// the sessions in storage survive the reload).

/** The languages a page can speak, in the switch's order. */
export const LANGUAGES = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE = 'zh-CN';
const STORAGE_KEY = 'smx.lang';

/** 'zh-CN' or 'en' from a user's spelling ("en-GB", "zh", "EN" …); null when it is neither. */
export function normaliseLanguage(value) {
  const v = String(value ?? '').trim().toLowerCase();
  if (v === 'en' || v.startsWith('en-')) return 'en';
  if (v === 'zh' || v.startsWith('zh-')) return 'zh-CN';
  return null;
}

function readStored() {
  try { return normaliseLanguage(localStorage.getItem(STORAGE_KEY)); } catch { return null; }
}

function store(language) {
  try { localStorage.setItem(STORAGE_KEY, language); } catch { /* private mode: this page only */ }
}

function initialLanguage() {
  let fromUrl = null;
  try { fromUrl = normaliseLanguage(new URLSearchParams(globalThis.location?.search ?? '').get('lang')); } catch { /* no URL */ }
  if (fromUrl) store(fromUrl);
  return fromUrl ?? readStored() ?? DEFAULT_LANGUAGE;
}

let current = initialLanguage();
if (globalThis.document?.documentElement) document.documentElement.lang = current;

/** The language this page speaks now: 'zh-CN' or 'en'. */
export function currentLanguage() {
  return current;
}

/** The slot of the current language in a ['中文', 'English'] pair. */
const slot = () => (current === 'en' ? 1 : 0);

const strings = {
  // common
  'app.title': ['线上三门峡', 'Online Sanmenxia'],
  'app.subtitle': ['居民端', 'Resident portal'],
  'common.signOut': ['退出', 'Sign out'],
  'common.skip': ['跳到正文', 'Skip to content'],
  'common.loading': ['加载中…', 'Loading…'],
  'common.submit': ['提交', 'Submit'],
  'common.close': ['关闭', 'Close'],
  'common.today': ['今天', 'Today'],
  'common.simulated': ['模拟时间', 'simulated time'],
  'common.temperature': ['体温 (°C)', 'Temperature (°C)'],
  'common.none': ['无', 'None'],
  'common.error': ['出错了', 'Something went wrong'],
  'common.offline': ['无法连接服务器', 'Cannot reach the server'],
  'common.sessionExpired': ['登录已过期，请重新登录', 'Your session has ended; please sign in again'],
  'common.choose': ['请选择', 'Choose'],
  'common.yes': ['是', 'Yes'],
  'common.no': ['否', 'No'],
  'common.language': ['语言', 'Language'],
  'common.breadcrumb': ['当前位置', 'Breadcrumb'],
  'common.pages': ['分页', 'Pages'],
  'common.ticket': ['工单', 'Ticket'],
  'common.staffEntry': ['工作人员入口', 'Staff'],
  'common.villageConsole': ['村（社区）工作台', 'Village console'],

  // problem titles by HTTP status, shown when a problem comes without a title of its own
  'problem.400': ['请检查填写内容', 'Please check the form'],
  'problem.401': ['请重新登录', 'Not signed in'],
  'problem.403': ['无权进行此操作', 'Not allowed'],
  'problem.404': ['未找到', 'Not found'],
  'problem.409': ['与已有记录冲突', 'Conflict'],
  'problem.413': ['内容过大', 'Too large'],
  'problem.422': ['未被受理', 'Not accepted'],
  'problem.429': ['操作过于频繁，请稍后再试', 'Too many requests; try again shortly'],
  'problem.500': ['服务器出错', 'Server error'],
  'problem.503': ['服务暂不可用，请稍后重试', 'Service unavailable; retry shortly'],

  // sign-in
  'signin.heading': ['手机号登录', 'Sign in with your phone'],
  'signin.phone': ['手机号', 'Mobile phone number'],
  'signin.sendCode': ['获取验证码', 'Send code'],
  'signin.code': ['验证码', 'One-time code'],
  'signin.submit': ['登录', 'Sign in'],
  'signin.codeSent': ['验证码已发送至', 'A code was sent to'],
  'signin.resendIn': ['秒后可重新获取', 's until you can ask again'],

  // registration
  'reg.heading': ['居民信息登记', 'Register as a resident'],
  'reg.intro': ['首次使用请填写本人信息', 'First time here: tell us who you are'],
  'reg.name': ['姓名', 'Name'],
  'reg.idNumber': ['身份证号', 'Resident ID number'],
  'reg.phoneHint': ['须与登录手机号一致', 'The phone you signed in with'],
  'reg.county': ['县（市、区）', 'County / district'],
  'reg.township': ['乡镇（街道）', 'Township / street'],
  'reg.village': ['村（社区）', 'Village / community'],
  'reg.submit': ['登记', 'Register'],

  // tabs
  'tab.code': ['健康码', 'Health code'],
  'tab.household': ['家庭成员', 'Household'],
  'tab.report': ['健康自报', 'Self-report'],
  'tab.needs': ['求助', 'Ask for help'],

  // profile
  'profile.idNumber': ['身份证', 'ID'],
  'profile.phone': ['手机', 'Phone'],
  'profile.village': ['村（社区）', 'Village'],

  // code
  'code.heading': ['健康码', 'Health code'],
  'colour.None': ['未申领', 'Not applied'],
  'colour.Green': ['绿码', 'Green'],
  'colour.Yellow': ['黄码', 'Yellow'],
  'colour.Red': ['红码', 'Red'],
  'code.reason': ['原因', 'Reason'],
  'code.nextStep': ['下一步', 'Next step'],
  'code.greenOn': ['预计转绿日期', 'Turns green on'],
  'code.clockedInToday': ['今日已打卡', 'Clocked in today'],
  'code.notClockedInToday': ['今日未打卡', 'Not clocked in today'],
  'code.redStreak': ['连续打卡天数', 'Consecutive clock-ins'],
  'code.appliedOn': ['申领日期', 'Applied on'],
  'code.qrLabel': ['健康码二维码', 'Health code QR'],
  'code.qrExpires': ['二维码有效至', 'QR valid until'],
  'code.qrRefresh': ['刷新二维码', 'Refresh QR'],
  'code.history': ['变更记录', 'History'],
  'code.noHistory': ['暂无记录', 'No changes yet'],

  'reason.none.not-applied': ['尚未申领健康码', 'You have not applied for a health code'],
  'reason.green.clocked-in-today': ['绿码，今日已打卡', 'Green, and you have clocked in today'],
  'reason.green.clock-in-due': ['绿码，今日尚未打卡', 'Green; you have not clocked in today yet'],
  'reason.yellow.missed-clock-in': ['漏打卡一天，绿码转黄码', 'A missed daily clock-in turned the code yellow'],
  'reason.red.missed-two-yellow-days': ['黄码连续两天未打卡，转为红码', 'Two yellow days without a clock-in turned the code red'],
  'reason.red.streak': ['红码，需连续打卡三天转绿', 'Red: three consecutive daily clock-ins turn it green'],
  'reason.blocked.fever': ['体温异常（发热），待工作人员解除', 'Fever: staff must clear it'],
  'reason.blocked.isolation': ['处于隔离期，待工作人员解除', 'In isolation: staff must clear it'],
  'reason.blocked.close-contact': ['密切接触者，待工作人员解除', 'Close contact of a case: staff must clear it'],
  'reason.blocked.observation': ['重点人员观察中，待工作人员解除', 'Under key-person observation: staff must clear it'],
  'reason.blocked.pending-exposure': ['可能存在接触（如与确诊病例同行），待所在村（社区）核实', "Possible exposure (e.g. a case on your trip), awaiting your village's check"],

  'next.apply': ['请申领健康码', 'Apply for a health code'],
  'next.clock-in-today': ['请今天打卡', 'Clock in today'],
  'next.clock-in-tomorrow': ['明天继续打卡', 'Clock in again tomorrow'],
  'next.wait-for-staff': ['等待工作人员处理', 'Wait for staff'],
  'next.await-village-check': ['请居家隔离并继续打卡，等待村（社区）核实：确认为密接转红码，排除则恢复原码色', 'Stay at home and keep clocking in until your village decides: confirmed, the code turns red; dismissed, it returns to its own colour'],

  'cause.Applied': ['申领', 'Applied'],
  'cause.MissedClockIn': ['漏打卡', 'Missed clock-in'],
  'cause.ClockedInWhileYellow': ['黄码打卡', 'Clocked in while yellow'],
  'cause.RedStreakCompleted': ['红码连续打卡完成', 'Red streak completed'],
  'cause.BlockerRaised': ['异常情况', 'Blocker raised'],
  'cause.BlockerCleared': ['异常解除', 'Blocker cleared'],

  'by.Self': ['本人', 'by yourself'],
  'by.HouseholdProxy': ['户主代办', 'by the household head'],
  'by.Staff': ['工作人员', 'by staff'],
  'by.System': ['系统', 'by the system'],

  // apply / clock-in
  'apply.heading': ['申领健康码', 'Apply for a health code'],
  'apply.intro': ['两不一打卡一申请：未处于隔离、无发热、每日打卡、诚信申报', 'Not isolated, no fever, daily clock-in, and an honest application'],
  'apply.pledge': ['本人承诺所填信息真实准确，如有虚假愿承担法律责任', 'I pledge that this information is true and accept legal responsibility if it is not'],
  'apply.submit': ['申领', 'Apply'],
  'clockin.heading': ['每日打卡', 'Daily clock-in'],
  'clockin.symptoms': ['症状（可多选）', 'Symptoms (any that apply)'],
  'clockin.submit': ['打卡', 'Clock in'],
  'clockin.done': ['打卡成功', 'Clocked in'],
  'symptom.fever': ['发热', 'Fever'],
  'symptom.cough': ['咳嗽', 'Cough'],
  'symptom.fatigue': ['乏力', 'Fatigue'],
  'symptom.short-of-breath': ['呼吸困难', 'Short of breath'],
  'symptom.sore-throat': ['咽痛', 'Sore throat'],
  'symptom.diarrhoea': ['腹泻', 'Diarrhoea'],

  // household
  'household.heading': ['家庭成员', 'Household members'],
  'household.head': ['户主', 'Head'],
  'household.hasPhone': ['有手机', 'Has a phone'],
  'household.noPhone': ['无手机', 'No phone'],
  'household.viewCode': ['健康码', 'Code'],
  'household.add': ['添加家庭成员', 'Add a household member'],
  'household.addIntro': ['为没有手机的老人、儿童代为登记、申领和打卡', 'Register, apply and clock in for elders and children without a phone'],
  'household.phoneOptional': ['手机号（选填；本人用此手机号登录并以身份证号注册后生效）', 'Phone (optional; it works once its owner signs in with it and registers with their ID number)'],
  'household.addSubmit': ['添加', 'Add'],
  'household.memberCode': ['成员健康码', "Member's health code"],
  'household.proxyNote': ['由户主代为操作', 'Done by you as household head'],
  'household.you': ['本人', 'You'],

  // self-report
  'report.heading': ['健康自报', 'Health self-report'],
  'report.intro': ['填报体温、症状和近期行程', 'Report your temperature, symptoms and recent travel'],
  'report.travel': ['近14天行程（选填）', 'Travel in the last 14 days (optional)'],
  'report.submit': ['保存', 'Save'],
  'report.saved': ['已保存', 'Saved'],
  'report.updatedAt': ['最近更新', 'Last updated'],

  // needs
  'needs.heading': ['求助', 'Ask for help'],
  'needs.intro': ['居家隔离缺药、缺菜，请留言，社区会联系您', 'Housebound and short of medicine or food? Tell your community'],
  'needs.kind': ['类别', 'Kind'],
  'needs.detail': ['具体需求', 'What you need'],
  'needs.submit': ['提交求助', 'Send'],
  'needs.sent': ['求助已提交，社区会尽快处理', 'Sent: your community will answer soon'],
  'needs.list': ['我的求助', 'My requests'],
  'needs.empty': ['暂无求助', 'No requests yet'],
  'need.Medicine': ['药品', 'Medicine'],
  'need.Food': ['食品', 'Food'],
  'need.Other': ['其他', 'Other'],
  'needStatus.Open': ['待处理', 'Open'],
  'needStatus.Handled': ['已处理', 'Handled'],
};

/** Adds or replaces strings: { key: ['中文', 'English'] }. */
export function register(more) {
  Object.assign(strings, more);
}

/** Both texts of a key, ['中文', 'English'], whatever the current language (unknown keys: the fallback or the key). */
export function texts(key, fallback) {
  const found = strings[key];
  if (found) return found;
  return [fallback ?? key, fallback ?? key];
}

/**
 * Kept for older callers: the key's text in the current language, in both slots, so `pair(k)[0]` and
 * `pair(k)[1]` each give what the page shows. New code uses t().
 */
export function pair(key, fallback) {
  const text = t(key, fallback);
  return [text, text];
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(strings, key);
}

/** The key's text in the current language (unknown keys: the fallback, else the key itself). */
export function t(key, fallback) {
  const found = strings[key];
  if (!found) return fallback ?? key;
  return found[slot()] ?? found[0];
}

/** Fills an element with the key's text in the current language. */
export function fill(el, key, fallback) {
  el.textContent = t(key, fallback);
  return el;
}

/** A new element holding the key's text in the current language. */
export function bi(tag, key, fallback) {
  return fill(document.createElement(tag), key, fallback);
}

/** Fills every [data-i18n] element and translated attributes under root; sets <html lang>. */
export function applyI18n(root = document) {
  if (root === document) document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) fill(el, el.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const data = 'data-i18n-' + attr;
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}

/** Sets document.title to the key's text (and <html lang>). */
export function setTitle(key) {
  document.documentElement.lang = current;
  document.title = t(key);
}

/**
 * Speaks `language` from now on: remembers it and reloads the page (without a `?lang=` that would undo the
 * choice), so everything, including what scripts built, is written again in it.
 */
export function switchLanguage(language) {
  const next = normaliseLanguage(language) ?? DEFAULT_LANGUAGE;
  store(next);
  if (next === current) return;
  current = next;
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.delete('lang');
    history.replaceState(history.state, '', url);
  }
  location.reload();
}

/** Names of the languages in their own language (never translated: a reader finds their own). */
const NATIVE_NAMES = { 'zh-CN': '中文', en: 'English' };

/**
 * The language switch: a labelled group of two buttons, "中文 | English", the current one pressed. Keyboard: Tab
 * to a button, Enter or Space chooses it.
 */
export function languageSwitch(doc = document) {
  const group = doc.createElement('div');
  group.className = 'lang-switch';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', t('common.language'));
  group.dataset.testid = 'lang-switch';
  for (const language of LANGUAGES) {
    const button = doc.createElement('button');
    button.type = 'button';
    button.lang = language;
    button.textContent = NATIVE_NAMES[language];
    button.dataset.lang = language;
    button.dataset.testid = `lang-${language}`;
    button.setAttribute('aria-pressed', String(language === current));
    button.addEventListener('click', () => switchLanguage(language));
    group.append(button);
  }
  return group;
}
