// 系统管理 · the administration console (administrators only): staff accounts (admin-staff.js), checkpoints
// (admin-checkpoints.js) and the region tree (admin-regions.js). Uses the staff session staff.html keeps, or signs in
// itself the same way. Every action is the administration API's (/api/admin/…), which audits it.
import { applyI18n, register, t } from './i18n.js';
import { mountChrome } from './chrome.js';
import { createMessages } from './problems.js';
import { session, createStaffApi, mountStaffSignIn, setupStaffSignIn, showStaffView, renderWho } from './session.js';
import { setupStaff, enterStaff } from './admin-staff.js';
import { setupCheckpoints, enterCheckpoints } from './admin-checkpoints.js';
import { setupRegions, enterRegions } from './admin-regions.js';

register({
  'adm.title': ['系统管理', 'Administration'],
  'adm.subtitle': ['工作人员账号、检测点、行政区划', 'Staff accounts, checkpoints, regions'],
  'adm.signin.intro': ['仅管理员可使用', 'Administrators only'],
  'adm.refused': ['无权使用系统管理', 'You may not use the administration console'],
  'adm.refusedIntro': ['请使用管理员账号登录', 'Sign in with an administrator account'],
  'adm.nav': ['管理分区', 'Sections'],
  'adm.docs': ['接口文档', 'API reference'],
  'adm.actions': ['操作', 'Actions'],
  'adm.more': ['加载更多', 'Load more'],
  'adm.cancel': ['取消', 'Cancel'],
  'adm.filter.apply': ['筛选', 'Filter'],
  'adm.csvFile': ['CSV 文件', 'CSV file'],
  'adm.upload': ['上传并导入', 'Upload and import'],
  'adm.chooseFile': ['请选择文件', 'Choose a file'],
  'adm.report.rows': ['行数', 'Rows'],
  'adm.report.errors': ['错误', 'Errors'],
  'adm.report.line': ['行号', 'Line'],
  'adm.report.field': ['字段', 'Field'],
  'adm.report.reason': ['原因', 'Reason'],
  'adm.report.none': ['没有错误', 'No errors'],
});

const api = createStaffApi(() => { showView('signin'); messages.showNotice(t('common.sessionExpired')); });

const messages = createMessages({
  fieldLabels: {
    username: 'adm.staff.username', password: 'adm.create.password', displayName: 'adm.staff.displayName', role: 'adm.staff.role',
    jurisdiction: 'staff.jurisdiction', checkpointId: 'adm.staff.checkpoint', id: 'adm.cp.id', name: 'adm.cp.name',
    regionCode: 'adm.cp.region', 'policy.red': 'adm.cp.policyRed', 'policy.yellow': 'adm.cp.policyYellow', 'policy.none': 'adm.cp.policyNone',
    file: 'adm.csvFile', seed: 'adm.rg.seed', villages: 'adm.rg.villages', staff: 'adm.staff.heading', take: 'adm.more', skip: 'adm.more',
  },
});

/** What the three parts share: the API, the messages, and the administrator's own jurisdiction as the pickers' root. */
const ctx = { api, ...messages, root: null };

function showView(name) {
  showStaffView(['signin', 'refused', 'main'], name);
  if (name !== 'signin') renderWho();
}

async function enter() {
  if (!session.valid) {
    session.clear();
    showView('signin');
    return;
  }
  if (session.info?.role !== 'admin') {
    showView('refused');
    return;
  }
  showView('main');
  const code = session.info.jurisdiction ?? '411200';
  let name = code;
  try { name = (await api('GET', `/api/regions/${encodeURIComponent(code)}`))?.name ?? code; } catch { /* the code stands in */ }
  ctx.root = { code, name };
  await enterStaff();
  await enterCheckpoints();
  await enterRegions();
}

function setup() {
  setupStaffSignIn({
    api,
    run: messages.busy,
    signedIn: () => enter(),
    signedOut: () => {
      messages.clearError();
      showView('signin');
    },
  });
  setupStaff(ctx);
  setupCheckpoints(ctx);
  setupRegions(ctx);
}

async function start() {
  mountChrome();
  mountStaffSignIn();
  applyI18n();
  document.title = t('adm.title');
  setup();
  try {
    await enter();
  } catch (e) {
    if (!e?.signedOut) messages.showProblem(e);
  }
  document.body.dataset.ready = 'true';
}

start();
