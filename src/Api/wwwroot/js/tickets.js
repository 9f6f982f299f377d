// Tickets (platforms 1 and 6, docs/tickets.md) as every page shows them: the labels of states, kinds, categories,
// steps, feedback and departments (zh-CN first, English), the catalogue the API serves, and small renderers shared by
// the resident portal's lead form (lead.js), the hotline console (hotline.js) and the village console's ticket pane.
import { register, t, bi } from './i18n.js';
import { h } from './dom.js';
import { formatDateTime } from './format.js';

register({
  'ticket.number': ['工单编号', 'Ticket number'],
  'ticket.state': ['状态', 'State'],
  'ticket.kind': ['类型', 'Kind'],
  'ticket.category': ['线索类别', 'Category'],
  'ticket.source': ['来源', 'Source'],
  'ticket.region': ['地点', 'Place'],
  'ticket.address': ['详细地址', 'Address'],
  'ticket.description': ['内容', 'Description'],
  'ticket.receivedAt': ['受理时间', 'Received'],
  'ticket.updatedAt': ['最近更新', 'Last updated'],
  'ticket.closedAt': ['办结时间', 'Closed'],
  'ticket.dueAt': ['办理时限', 'Due'],
  'ticket.assignee': ['承办单位', 'Assigned to'],
  'ticket.result': ['办理结果', 'Result'],
  'ticket.feedback': ['回访结果', 'Call-back feedback'],
  'ticket.caller': ['来电人', 'Caller'],
  'ticket.callback': ['要求回电', 'Call back requested'],
  'ticket.steps': ['办理过程', 'Steps'],
  'ticket.overdue': ['超时', 'Overdue'],
  'ticket.escalated': ['已升级至', 'Escalated to'],
  'ticket.escalatedLevel': ['升级', 'Escalated'],
  'ticket.duplicateOf': ['重复工单', 'Duplicate of'],
  'ticket.reopens': ['退回重办', 'Reopened'],
  'ticket.none': ['暂无工单', 'No tickets'],
  'ticket.village': ['村（社区）', 'Village'],
  'ticket.department': ['部门', 'Department'],

  'ticketState.Received': ['待受理', 'Received'],
  'ticketState.Accepted': ['已受理', 'Accepted'],
  'ticketState.Rejected': ['不予受理', 'Rejected'],
  'ticketState.Dispatched': ['已派单', 'Dispatched'],
  'ticketState.Handled': ['已办理', 'Handled'],
  'ticketState.FeedbackGiven': ['已回访', 'Feedback given'],
  'ticketState.Supervision': ['督办中', 'Under supervision'],
  'ticketState.Closed': ['已办结', 'Closed'],

  'ticketKind.Consultation': ['咨询', 'Consultation'],
  'ticketKind.Report': ['举报线索', 'Report'],
  'ticketKind.Verification': ['核实', 'Verification'],
  'ticketKind.Help': ['求助', 'Help'],
  'ticketKind.Complaint': ['投诉', 'Complaint'],
  'ticketKind.Appeal': ['申诉', 'Appeal'],

  'ticketSource.HotlineCall': ['12345 来电', '12345 call'],
  'ticketSource.LeadReport': ['线上上报', 'Online lead'],
  'ticketSource.ResidentAppeal': ['居民申诉', 'Resident appeal'],
  'ticketSource.Staff': ['工作人员', 'Staff'],

  'step.Received': ['收到', 'Received'],
  'step.Accepted': ['受理', 'Accepted'],
  'step.Rejected': ['不予受理', 'Rejected'],
  'step.Dispatched': ['派单', 'Dispatched'],
  'step.Handled': ['办理', 'Handled'],
  'step.Feedback': ['回访', 'Feedback'],
  'step.Reopened': ['退回重办', 'Reopened'],
  'step.ToSupervisor': ['转督办', 'To the supervisor'],
  'step.Closed': ['办结', 'Closed'],
  'step.Overdue': ['超时', 'Overdue'],
  'step.Escalated': ['升级', 'Escalated'],

  'feedback.Satisfied': ['满意', 'Satisfied'],
  'feedback.NotSatisfied': ['不满意', 'Not satisfied'],
  'feedback.NoAnswer': ['未接通', 'No answer'],
  'reject.NotEpidemicRelated': ['与疫情无关', 'Not epidemic-related'],
  'reject.Duplicate': ['重复工单', 'Duplicate'],

  'ticket.appealReason': ['申诉理由', 'Appeal reason'],
  'ticket.appealDecision': ['申诉答复', 'Answer to the appeal'],
  'appealReason.WrongColour': ['健康码颜色有误', 'The colour is wrong'],
  'appealReason.FeverGone': ['已退烧', 'The fever is gone'],
  'appealReason.NotKeyPerson': ['不属于重点人员', 'Not a key person'],
  'appealReason.ObservationOver': ['观察期已满', 'The observation period is over'],
  'appealReason.Other': ['其他', 'Other'],
  'appealDecision.Resolved': ['已解决', 'Resolved'],
  'appealDecision.Rejected': ['申诉未获支持', 'Rejected'],
});

/** A resident's appeal: the reasons the code page offers, the village's decisions (docs/tickets.md "Appeals"). */
export const APPEAL_REASONS = ['WrongColour', 'FeverGone', 'NotKeyPerson', 'ObservationOver', 'Other'];
export const APPEAL_DECISIONS = ['Resolved', 'Rejected'];

/** The catalogue (categories, kinds, departments), read once; its labels become i18n strings `cat.<code>`, `dept.<code>`. */
let catalogue;
export async function loadCatalogue(get) {
  if (catalogue) return catalogue;
  const c = await get('/api/tickets/catalogue');
  const more = {};
  const split = label => {
    const [zh, en] = String(label ?? '').split(' · ');
    return [zh, en ?? zh];
  };
  for (const cat of c.categories ?? []) more[`cat.${cat.code}`] = split(cat.label);
  for (const d of c.departments ?? []) more[`dept.${d.code}`] = split(d.name);
  register(more);
  catalogue = c;
  return c;
}

/** `<option>`s for values, labelled by `prefix + value` (a leading "choose" option when `choose`). */
export function fillOptions(select, values, prefix, { choose = true } = {}) {
  const option = (value, text) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  };
  select.replaceChildren(...(choose ? [option('', t('common.choose'))] : []), ...values.map(v => option(v, t(prefix + v, v))));
}

/** A state badge: data-state for tests and CSS. */
export function stateBadge(state) {
  const b = bi('span', `ticketState.${state}`, state);
  b.className = `badge ticket-state state-${state}`;
  b.dataset.testid = 'ticket-state';
  b.dataset.state = state;
  return b;
}

/** "village:411202001001" / a department code → its label. */
export function assigneeText(kind, code, regionName) {
  if (!kind || !code) return '';
  if (kind === 'Department') return t(`dept.${code}`, code);
  return `${t('ticket.village')} ${regionName ? `${regionName} ` : ''}${code}`;
}

/** The flags a queue line or a ticket carries: overdue, escalated (level and region). */
export function flags(item) {
  const out = [];
  if (item.overdue) {
    const b = bi('span', 'ticket.overdue');
    b.className = 'badge overdue';
    b.dataset.testid = 'ticket-overdue';
    out.push(b);
  }
  if (item.escalationLevel > 0) {
    const b = h('span', { class: 'badge escalated', 'data-testid': 'ticket-escalated', 'data-level': item.escalationLevel },
      `${t('ticket.escalated')} ${item.escalatedTo ?? ''}`);
    out.push(b);
  }
  return out;
}

/** A step of the history: when, what, who, and why. */
export function stepItem(step) {
  const li = h('li', { 'data-testid': 'ticket-step', 'data-kind': step.kind },
    h('time', { datetime: step.at }, formatDateTime(step.at)), ' ');
  const kind = bi('strong', `step.${step.kind}`, step.kind);
  li.append(kind);
  const why = [];
  if (step.assignee) {
    const [kindText, code] = String(step.assignee).split(':');
    why.push(assigneeText(kindText === 'village' ? 'Village' : 'Department', code));
  }
  if (step.rejectReason) why.push(t(`reject.${step.rejectReason}`, step.rejectReason));
  if (step.duplicateOf) why.push(step.duplicateOf);
  if (step.feedback) why.push(t(`feedback.${step.feedback}`, step.feedback));
  if (step.escalatedTo) why.push(step.escalatedTo);
  if (step.note) why.push(step.note);
  if (step.actor) why.push(`(${step.actor})`);
  if (why.length) li.append(' ', h('span', { class: 'step-why' }, why.join(' · ')));
  return li;
}
