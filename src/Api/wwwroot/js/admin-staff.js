// 系统管理 · staff accounts: list (by role and region), create with a jurisdiction picked from the region tree,
// disable, enable, and reset the password (the administrator sets a new initial password and passes it on; every
// session of the account ends at once).
import { register, t, bi } from './i18n.js';
import { $, h } from './dom.js';
import { formatDateTime } from './format.js';
import { createRegionPicker } from './region-picker.js';
import { PAGE_SIZE, generatePassword } from './admin-common.js';

register({
  'adm.staff.heading': ['工作人员账号', 'Staff accounts'],
  'adm.staff.list': ['账号列表', 'Accounts'],
  'adm.staff.username': ['用户名', 'Username'],
  'adm.staff.usernameHint': ['字母、数字、“.”、“-”、“_”', "Letters, digits, '.', '-' and '_'"],
  'adm.staff.displayName': ['姓名', 'Name'],
  'adm.staff.role': ['角色', 'Role'],
  'adm.staff.allRoles': ['全部角色', 'All roles'],
  'adm.staff.filterRegion': ['管辖区域（含下级）', 'Jurisdiction (and below)'],
  'adm.staff.checkpoint': ['检测点编号', 'Checkpoint ID'],
  'adm.staff.status': ['状态', 'Status'],
  'adm.staff.enabled': ['正常', 'Enabled'],
  'adm.staff.disabled': ['已禁用', 'Disabled'],
  'adm.staff.created': ['创建于', 'Created'],
  'adm.staff.count': ['符合条件的账号', 'Matching accounts'],
  'adm.staff.empty': ['没有符合条件的账号', 'No accounts match'],
  'adm.staff.disable': ['禁用', 'Disable'],
  'adm.staff.enable': ['启用', 'Enable'],
  'adm.staff.reset': ['重置密码', 'Reset password'],
  'adm.staff.disabledNotice': ['账号已禁用，其所有登录已失效', 'Account disabled; all its sessions have ended'],
  'adm.staff.enabledNotice': ['账号已启用，需重新登录', 'Account enabled; it must sign in again'],
  'adm.create.heading': ['新建账号', 'New account'],
  'adm.create.password': ['初始密码', 'Initial password'],
  'adm.create.submit': ['创建账号', 'Create account'],
  'adm.create.done': ['账号已创建，请将用户名和初始密码告知本人', 'Account created: give the username and initial password to its holder'],
  'adm.password.generate': ['生成密码', 'Generate'],
  'adm.password.rule': ['至少 10 个字符', 'At least 10 characters'],
  'adm.reset.heading': ['重置密码', 'Reset the password'],
  'adm.reset.intro': ['设置新的初始密码并告知本人；该账号现有的所有登录立即失效', 'Set a new initial password and give it to its holder; every current session of the account ends at once'],
  'adm.reset.password': ['新密码', 'New password'],
  'adm.reset.submit': ['重置', 'Reset'],
  'adm.reset.done': ['密码已重置，该账号的所有登录已失效', 'Password reset; all sessions of the account have ended'],
});

const ROLES = ['village', 'checkpoint', 'hotline', 'commander', 'admin', 'auditor'];

let ctx;
let filterPicker;
let createPicker;
let shown = 0;

const roleOption = (role) => h('option', { value: role }, t(`role.${role}`, role));

async function load(more = false) {
  const role = $('staff-filter-role').value;
  const jurisdiction = filterPicker.value() ?? ctx.root.code;
  if (!more) shown = 0;
  const query = new URLSearchParams({ jurisdiction, skip: String(shown), take: String(PAGE_SIZE) });
  if (role) query.set('role', role);
  const page = (await ctx.api('GET', `/api/admin/staff?${query}`)) ?? [];
  const body = $('staff-table').querySelector('tbody');
  if (!more) body.replaceChildren();
  for (const a of page) body.append(row(a));
  shown += page.length;
  if (shown === 0) {
    const td = bi('td', 'adm.staff.empty');
    td.colSpan = 7;
    td.className = 'empty';
    body.append(h('tr', {}, td));
  }
  $('staff-more').hidden = page.length < PAGE_SIZE;
  $('staff-count').textContent = `${t('adm.staff.count')}: ${shown}${page.length < PAGE_SIZE ? '' : '+'}`;
}

function row(a) {
  const status = bi('span', a.disabled ? 'adm.staff.disabled' : 'adm.staff.enabled');
  status.className = a.disabled ? 'adm-status adm-off' : 'adm-status adm-on';
  const toggle = h('button', {
    type: 'button', class: 'secondary small', 'data-testid': a.disabled ? 'staff-enable' : 'staff-disable',
  });
  toggle.append(bi('span', a.disabled ? 'adm.staff.enable' : 'adm.staff.disable'));
  toggle.setAttribute('aria-label', `${t(a.disabled ? 'adm.staff.enable' : 'adm.staff.disable')}: ${a.username}`);
  toggle.addEventListener('click', () => ctx.busy(toggle, null, async () => {
    await ctx.api('POST', `/api/admin/staff/${encodeURIComponent(a.username)}/${a.disabled ? 'enable' : 'disable'}`);
    ctx.showNotice(t(a.disabled ? 'adm.staff.enabledNotice' : 'adm.staff.disabledNotice'));
    await load();
  }));
  const reset = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'staff-reset' });
  reset.append(bi('span', 'adm.staff.reset'));
  reset.setAttribute('aria-label', `${t('adm.staff.reset')}: ${a.username}`);
  reset.addEventListener('click', () => openReset(a.username));
  return h('tr', { 'data-testid': 'staff-row', 'data-username': a.username, 'data-disabled': String(!!a.disabled), 'data-role': a.role },
    h('td', {}, h('strong', {}, a.username), h('br', {}), h('small', {}, `${t('adm.staff.created')} ${formatDateTime(a.createdAt)}`)),
    h('td', {}, a.displayName ?? ''),
    h('td', {}, t(`role.${a.role}`, a.role)),
    h('td', { 'data-testid': 'staff-jurisdiction' }, a.jurisdiction ?? ''),
    h('td', {}, a.checkpointId ?? ''),
    h('td', {}, status),
    h('td', { class: 'adm-row-actions' }, toggle, reset));
}

function openReset(username) {
  const card = $('reset-card');
  $('reset-form').reset();
  $('reset-username').textContent = username;
  card.dataset.username = username;
  card.hidden = false;
  $('reset-password').focus();
  card.scrollIntoView?.({ block: 'nearest' });
}

export function setupStaff(context) {
  ctx = context;
  $('staff-filter-role').replaceChildren(h('option', { value: '' }, t('adm.staff.allRoles')), ...ROLES.map(roleOption));
  $('create-role').replaceChildren(h('option', { value: '' }, t('common.choose')), ...ROLES.map(roleOption));
  filterPicker = createRegionPicker(document.querySelector('[data-picker="staff-filter-region"]'), ctx.api);
  createPicker = createRegionPicker(document.querySelector('[data-picker="create-jurisdiction"]'), ctx.api);

  const filter = $('staff-filter');
  filter.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('staff-filter-apply'), filter, () => load());
  });
  $('staff-more').addEventListener('click', () => ctx.busy($('staff-more'), null, () => load(true)));

  const create = $('create-form');
  $('create-role').addEventListener('change', () => {
    $('create-checkpoint-field').hidden = $('create-role').value !== 'checkpoint';
  });
  $('create-generate').addEventListener('click', () => { $('create-password').value = generatePassword(); });
  create.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('create-submit'), create, async () => {
      const el = create.elements;
      const role = el.role.value;
      const account = await ctx.api('POST', '/api/admin/staff', {
        username: el.username.value.trim(),
        password: el.password.value,
        displayName: el.displayName.value.trim(),
        role: role || null,
        jurisdiction: createPicker.value(),
        checkpointId: role === 'checkpoint' ? el.checkpointId.value.trim() || null : null,
      });
      create.dataset.created = account?.username ?? '';
      create.reset();
      $('create-checkpoint-field').hidden = true;
      await createPicker.reset();
      ctx.showNotice(t('adm.create.done'));
      await load();
    });
  });

  const reset = $('reset-form');
  $('reset-generate').addEventListener('click', () => { $('reset-password').value = generatePassword(); });
  $('reset-cancel').addEventListener('click', () => {
    reset.reset();
    $('reset-card').hidden = true;
  });
  reset.addEventListener('submit', e => {
    e.preventDefault();
    ctx.busy($('reset-submit'), reset, async () => {
      const username = $('reset-card').dataset.username;
      await ctx.api('POST', `/api/admin/staff/${encodeURIComponent(username)}/password`, { password: reset.elements.password.value });
      reset.dataset.done = username;
      ctx.showNotice(t('adm.reset.done'));
    });
  });
}

export async function enterStaff() {
  await filterPicker.reset(ctx.root);
  await createPicker.reset(ctx.root);
  await load();
}
