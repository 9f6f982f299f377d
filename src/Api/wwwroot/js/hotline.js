// 12345 热线工单 · the hotline console (platform 6) in staff.html and the tickets pane of the village console.
// Hotline operators record a call into a ticket (keyboard first: phone, kind, category, place, text, Enter), see the open
// tickets of the same place and category of the last 24 h before accepting, then accept / reject (not epidemic-related,
// duplicate of N) / dispatch to a department or a village / record the call-back feedback / close; the queue lists open
// tickets overdue first with the escalation flag. Commanders see the queue of their jurisdiction and act as supervisors;
// village staff see what is dispatched to their village and hand in the result. Every action is audited by the API.
import { register, t, bi, fill } from './i18n.js';
import { $, h } from './dom.js';
import { formatDateTime } from './format.js';
import { fillRegionSelect, regionLabel } from './regions.js';
import { loadCatalogue, fillOptions, stateBadge, flags, stepItem, assigneeText, APPEAL_DECISIONS } from './tickets.js';
import { personSection, keyPersonForm } from './ticket-person.js';

register({
  'console.tickets': ['12345 热线工单', '12345 hotline tickets'],
  'console.tickets.desc': ['来电登记、受理、派单、回访、办结；超时与升级', 'Record calls, accept, dispatch, call back, close; overdue and escalations'],
  'call.heading': ['来电登记', 'Record a call'],
  'call.phone': ['来电号码', "Caller's phone"],
  'call.kind': ['诉求类型', 'Kind'],
  'call.category': ['线索类别（举报必填）', 'Category (reports)'],
  'call.place': ['地点', 'Place'],
  'call.address': ['详细地址', 'Address'],
  'call.description': ['来电内容', 'What the caller says'],
  'call.name': ['来电人姓名（选填）', "Caller's name (optional)"],
  'call.callback': ['来电人要求回电', 'The caller wants a call back'],
  'call.submit': ['生成工单', 'Create the ticket'],
  'call.recorded': ['工单已生成', 'Ticket created'],
  'call.keys': ['Tab 切换字段，Enter 提交', 'Tab moves between fields, Enter submits'],
  'similar.heading': ['可能重复：同地点、同类别、24 小时内', 'Possible duplicates: same place and category, last 24 h'],
  'similar.none': ['24 小时内同地点同类别暂无未办结工单', 'No open ticket of this place and category in the last 24 h'],
  'similar.markDuplicate': ['作为此单的重复件不予受理', 'Reject as a duplicate of this'],
  'queue.heading': ['待办工单（超时优先）', 'Open tickets (overdue first)'],
  'queue.refresh': ['刷新', 'Refresh'],
  'queue.more': ['更多', 'More'],
  'queue.state': ['状态', 'State'],
  'queue.escalatedOnly': ['仅看已升级', 'Escalated only'],
  'queue.any': ['全部', 'Any'],
  'queue.village': ['派至本村（社区）的工单', 'Tickets dispatched to this village'],
  'detail.pick': ['从左侧选择或登记一张工单', 'Pick a ticket from the queue or record a call'],
  'detail.regionName': ['地点', 'Place'],
  'act.accept': ['受理', 'Accept'],
  'act.reject': ['不予受理', 'Reject'],
  'act.rejectReason': ['原因', 'Reason'],
  'act.duplicateOf': ['重复的工单编号', 'Duplicate of ticket'],
  'act.dispatch': ['派单', 'Dispatch'],
  'act.dispatchTo': ['派至', 'To'],
  'act.dispatchVillage': ['村（社区）代码', 'Village code'],
  'act.toVillage': ['村（社区）', 'A village or community'],
  'act.handle': ['提交办理结果', 'Hand in the result'],
  'act.result': ['办理结果', 'Result'],
  'act.feedback': ['记录回访', 'Record the call-back'],
  'act.outcome': ['回访结果', 'Outcome'],
  'act.close': ['办结', 'Close'],
  'act.note': ['备注（选填）', 'Note (optional)'],
  'act.done': ['已保存', 'Saved'],
  'act.showPhone': ['显示回电号码（访问已记录）', 'Show the call-back number (audited)'],
  'act.resultRequired': ['请填写办理结果', 'write the result'],
  'act.villageRequired': ['请填写 12 位村（社区）代码', 'enter a 12-digit village code'],
  'act.duplicateRequired': ['请填写重复的工单编号', 'name the ticket this one repeats'],
  'call.phoneRequired': ['请填写来电号码', "enter the caller's phone"],
  'call.descriptionRequired': ['请填写来电内容', 'write what the caller says'],
  'call.placeRequired': ['请至少选择县（市、区）', 'choose at least the county'],
  'call.categoryRequired': ['举报须选择线索类别', 'a report needs a category'],
});

const CITY = '411200';
const REJECT_REASONS = ['NotEpidemicRelated', 'Duplicate'];
const OUTCOMES = ['Satisfied', 'NotSatisfied', 'NoAnswer'];
const STATES = ['Received', 'Accepted', 'Dispatched', 'Handled', 'FeedbackGiven', 'Supervision'];

/**
 * `deps`: the page's api, problems.js messages and `role()`/`jurisdiction()` of the session. Returns the entry points
 * staff.js calls: enter() for the console, loadVillage(code) for the village pane, reset() on sign-out.
 */
export function setupTickets({ api, busy, showNotice, showProblem, clearError, localProblem, role, jurisdiction }) {
  const state = { catalogue: null, next: null, open: null, villageCode: null, formReady: false };
  const guard = (fn, form) => async (...args) => { try { await fn(...args); } catch (e) { if (!e?.signedOut) showProblem(e, form); } };
  const catalogue = async () => (state.catalogue ??= await loadCatalogue(path => api('GET', path)));

  // ------------------------------------------------------------ the call form

  const form = $('call-form');
  const county = $('call-county'), township = $('call-township'), village = $('call-village');
  const place = () => village.value || township.value || county.value;

  county.addEventListener('change', guard(async () => {
    await fillRegionSelect(village, null, api);
    await fillRegionSelect(township, county.value || null, api);
    await checkSimilar();
  }, form));
  township.addEventListener('change', guard(async () => { await fillRegionSelect(village, township.value || null, api); await checkSimilar(); }, form));
  village.addEventListener('change', guard(checkSimilar, form));
  form.elements.category.addEventListener('change', guard(checkSimilar, form));
  form.elements.kind.addEventListener('change', () => {
    $('call-category-field').hidden = form.elements.kind.value !== 'Report';
    guard(checkSimilar, form)();
  });

  /** The possible duplicates of what is being typed in: shown as soon as the category and the place are known. */
  async function checkSimilar() {
    const box = $('call-similar');
    const category = form.elements.category.value;
    const region = place();
    if (form.elements.kind.value !== 'Report' || !category || !region) { box.hidden = true; return; }
    const page = await api('GET', `/api/tickets/similar?region=${encodeURIComponent(region)}&category=${encodeURIComponent(category)}&hours=24`);
    renderSimilar($('call-similar-list'), page.items ?? [], null);
    box.dataset.count = String((page.items ?? []).length);
    box.hidden = false;
  }

  form.addEventListener('submit', e => {
    e.preventDefault();
    busy($('call-submit'), form, async () => {
      const f = form.elements;
      const phone = f.phone.value.trim();
      if (!phone) throw localProblem('phone', 'call.phoneRequired');
      if (f.kind.value === 'Report' && !f.category.value) throw localProblem('category', 'call.categoryRequired');
      const regionCode = place();
      if (!regionCode) throw localProblem('regionCode', 'call.placeRequired');
      const description = f.description.value.trim();
      if (!description) throw localProblem('description', 'call.descriptionRequired');
      const receipt = await api('POST', '/api/tickets', {
        kind: f.kind.value,
        category: f.kind.value === 'Report' ? f.category.value : null,
        regionCode,
        address: f.address.value.trim() || null,
        description,
        phone,
        name: f.name.value.trim() || null,
        callback: f.callback.checked,
      });
      showNotice(`${t('call.recorded')}: ${receipt.number}`);
      // Keep the kind and place (the next call is often about the same place); clear what the caller said.
      for (const name of ['phone', 'address', 'description', 'name']) f[name].value = '';
      f.callback.checked = false;
      $('call-similar').hidden = true;
      await openTicket(receipt.number);
      await loadQueue();
    });
  });

  async function prepareForm() {
    const c = await catalogue();
    if (state.formReady) return;
    fillOptions(form.elements.kind, c.kinds ?? [], 'ticketKind.', { choose: false });
    form.elements.kind.value = 'Report';
    fillOptions(form.elements.category, (c.categories ?? []).map(x => x.code), 'cat.');
    await fillRegionSelect(county, CITY, api);
    await fillRegionSelect(township, null, api);
    await fillRegionSelect(village, null, api);
    state.formReady = true;
    form.dataset.ready = 'true';
  }

  // ------------------------------------------------------------ the queue

  const filters = $('queue-filters');
  fillOptions(filters.elements.state, STATES, 'ticketState.', { choose: false });
  filters.elements.state.prepend(h('option', { value: '' }, t('queue.any')));
  filters.elements.state.value = '';
  filters.addEventListener('change', guard(() => loadQueue()));
  filters.addEventListener('submit', e => e.preventDefault());
  $('queue-refresh').addEventListener('click', () => busy($('queue-refresh'), null, () => loadQueue()));
  $('queue-more').addEventListener('click', () => busy($('queue-more'), null, () => loadQueue({ more: true })));

  let queueRequest = 0;
  async function loadQueue({ more = false } = {}) {
    const mine = ++queueRequest;
    const list = $('ticket-queue');
    list.dataset.loaded = 'false';
    const q = new URLSearchParams({ take: '50' });
    if (filters.elements.state.value) q.set('state', filters.elements.state.value);
    if (filters.elements.escalated.checked) q.set('escalated', 'true');
    if (more && state.next) q.set('after', state.next);
    const page = await api('GET', `/api/tickets/queue?${q}`);
    if (mine !== queueRequest) return;
    const items = (page.items ?? []).map(item => queueItem(item, number => openTicket(number)));
    if (more) list.append(...items); else list.replaceChildren(...items);
    state.next = page.next ?? null;
    $('queue-more').hidden = !state.next;
    $('queue-empty').hidden = list.children.length > 0;
    list.dataset.loaded = 'true';
    highlight(list);
  }

  function highlight(list) {
    for (const li of list.querySelectorAll('[data-testid=queue-item]')) li.setAttribute('aria-current', String(li.dataset.number === state.open));
  }

  // ------------------------------------------------------------ one ticket

  async function openTicket(number, root = $('ticket-detail')) {
    const ticket = await api('GET', `/api/tickets/${encodeURIComponent(number)}`);
    state.open = number;
    await renderDetail(root, ticket);
    root.hidden = false;
    for (const list of document.querySelectorAll('.ticket-queue')) highlight(list);
    root.scrollIntoView?.({ block: 'nearest' });
    (root.querySelector('[data-first-action]') ?? root).focus?.({ preventScroll: true });
  }

  async function renderDetail(root, ticket) {
    const c = await catalogue();
    root.dataset.number = ticket.number;
    root.dataset.state = ticket.state;
    let regionName = '';
    try { regionName = regionLabel(await api('GET', `/api/regions/${encodeURIComponent(ticket.regionCode)}`)); } catch { /* the code is enough */ }

    const head = h('div', { class: 'ticket-head' },
      h('h3', { 'data-testid': 'detail-number', class: 'ticket-number' }, ticket.number), stateBadge(ticket.state), ...flags(ticket));
    const audited = bi('p', 'detail.audited');
    audited.className = 'audited';

    const dl = h('dl', { class: 'facts', 'data-testid': 'ticket-facts' });
    const fact = (key, value, testid) => {
      if (value === null || value === undefined || value === '') return;
      dl.append(fill(document.createElement('dt'), key), h('dd', { 'data-testid': testid }, String(value)));
    };
    fact('ticket.kind', t(`ticketKind.${ticket.kind}`, ticket.kind), 'ticket-kind');
    if (ticket.category) fact('ticket.category', t(`cat.${ticket.category}`, ticket.category), 'ticket-category');
    fact('ticket.source', t(`ticketSource.${ticket.source}`, ticket.source), 'ticket-source');
    fact('ticket.region', regionName ? `${regionName} (${ticket.regionCode})` : ticket.regionCode, 'ticket-region');
    fact('ticket.address', ticket.address, 'ticket-address');
    fact('ticket.description', ticket.description, 'ticket-description');
    if (ticket.contact) {
      fact('ticket.caller', [ticket.contact.maskedPhone, ticket.contact.name].filter(Boolean).join(' '), 'ticket-caller');
      if (ticket.contact.callbackRequested) fact('ticket.callback', t('common.yes'), 'ticket-callback');
    }
    fact('ticket.receivedAt', formatDateTime(ticket.receivedAt), 'ticket-received');
    fact('ticket.dueAt', formatDateTime(ticket.dueAt), 'ticket-due');
    fact('ticket.assignee', assigneeText(ticket.assigneeKind, ticket.assignee), 'ticket-assignee');
    if (ticket.appealReason) fact('ticket.appealReason', t(`appealReason.${ticket.appealReason}`, ticket.appealReason), 'ticket-appeal-reason');
    fact('ticket.result', ticket.result, 'ticket-result');
    if (ticket.appealDecision) fact('ticket.appealDecision', t(`appealDecision.${ticket.appealDecision}`, ticket.appealDecision), 'ticket-appeal-decision');
    if (ticket.feedback) fact('ticket.feedback', t(`feedback.${ticket.feedback}`, ticket.feedback), 'ticket-feedback');
    if (ticket.rejectReason) fact('act.rejectReason', t(`reject.${ticket.rejectReason}`, ticket.rejectReason), 'ticket-reject-reason');
    fact('ticket.duplicateOf', ticket.duplicateOf, 'ticket-duplicate-of');
    if (ticket.reopens) fact('ticket.reopens', ticket.reopens, 'ticket-reopens');
    fact('ticket.closedAt', formatDateTime(ticket.closedAt), 'ticket-closed');

    const parts = [head, audited, dl];
    // The resident behind it (an appeal's appellant, a signed-in reporter): read through its own audited call.
    const person = ticket.residentKey ? personSection(ticket, { api, busy, showNotice, localProblem, role }) : null;
    if (person) parts.push(person);
    const actions = actionsFor(ticket, c);
    let similarBox = null;
    if (ticket.state === 'Received' && ticket.category && actions.includes('reject')) {
      similarBox = h('section', { class: 'similar', 'data-testid': 'detail-similar', 'aria-live': 'polite' }, bi('h4', 'similar.heading'),
        h('ul', { class: 'ticket-queue similar-list', 'data-testid': 'detail-similar-list' }));
      parts.push(similarBox);
    }
    const forms = h('div', { class: 'ticket-actions', 'data-testid': 'ticket-actions' });
    for (const action of actions) forms.append(actionForm(action, ticket, c, root));
    // A lead about a person that the village confirms: register the key-person entry and hand in the result at once.
    if (ticket.suggestedKeyPersonCategory && ticket.state === 'Dispatched' && actions.includes('handle')) {
      forms.append(keyPersonForm(ticket, { api, busy, showNotice, localProblem, field, after: async updated => {
        await renderDetail(root, updated);
        await (state.villageCode ? loadVillageQueue() : loadQueue());
      } }));
    }
    forms.querySelector('input, select, textarea, button')?.setAttribute('data-first-action', '');
    if (actions.length) parts.push(forms);
    parts.push(bi('h4', 'ticket.steps'), h('ol', { class: 'history', 'data-testid': 'ticket-steps' }, ...(ticket.steps ?? []).map(stepItem)));
    root.replaceChildren(...parts);
    if (person) await person.load().catch(e => { if (!e?.signedOut) showProblem(e); });

    if (similarBox) {
      const page = await api('GET', `/api/tickets/similar?region=${encodeURIComponent(ticket.regionCode)}&category=${encodeURIComponent(ticket.category)}&hours=24&except=${encodeURIComponent(ticket.number)}`);
      similarBox.dataset.count = String((page.items ?? []).length);
      renderSimilar(similarBox.querySelector('ul'), page.items ?? [], ticket, root);
    }
  }

  /** What this role may do in this state (the API decides in the end; a refusal is shown next to the form). */
  function actionsFor(ticket) {
    const r = role();
    const villageAssigned = ticket.assigneeKind === 'Village';
    const byState = {
      Received: ['accept', 'reject'],
      Accepted: ['dispatch', 'handle'],
      Dispatched: ['handle', 'dispatch'],
      Handled: ['feedback'],
      FeedbackGiven: ['close'],
      Supervision: ['handle', 'dispatch', 'close'],
    }[ticket.state] ?? [];
    if (r === 'village') return ticket.state === 'Dispatched' && villageAssigned ? ['handle'] : [];
    if (r === 'hotline') return byState.filter(a => a !== 'handle' || !villageAssigned || ticket.state === 'Supervision');
    if (r === 'commander' || r === 'admin') return byState;
    return [];
  }

  function field(name, key, control, testid) {
    control.name = name;
    control.id = `act-${name}-${Math.random().toString(36).slice(2, 8)}`;
    if (testid) control.dataset.testid = testid;
    const label = bi('label', key);
    label.htmlFor = control.id;
    return h('div', { class: 'field' }, label, control, h('p', { class: 'field-error', 'data-field': name }));
  }

  function select(values, prefix) {
    const s = document.createElement('select');
    fillOptions(s, values, prefix, { choose: false });
    return s;
  }

  function actionForm(action, ticket, c, root) {
    const form = h('form', { class: `ticket-action action-${action}`, 'data-testid': `action-${action}`, novalidate: true });
    const submit = bi('button', `act.${action}`);
    submit.type = 'submit';
    submit.className = action === 'reject' ? 'secondary' : 'primary';
    submit.dataset.testid = `${action}-submit`;
    const note = () => field('note', 'act.note', h('input', { maxlength: 500, autocomplete: 'off' }), `${action}-note`);
    let body;
    switch (action) {
      case 'accept':
        form.append(note());
        body = f => ({ note: f.note.value.trim() || null });
        break;
      case 'reject': {
        const reason = select(REJECT_REASONS, 'reject.');
        const duplicate = h('input', { maxlength: 21, autocomplete: 'off', spellcheck: 'false', placeholder: '12345-YYYYMMDD-NNNNNN' });
        const dupField = field('duplicateOf', 'act.duplicateOf', duplicate, 'reject-duplicate-of');
        dupField.hidden = true;
        reason.addEventListener('change', () => { dupField.hidden = reason.value !== 'Duplicate'; });
        form.append(field('reason', 'act.rejectReason', reason, 'reject-reason'), dupField, note());
        body = f => {
          if (f.reason.value === 'Duplicate' && !f.duplicateOf.value.trim()) throw localProblem('duplicateOf', 'act.duplicateRequired');
          return { reason: f.reason.value, duplicateOf: f.reason.value === 'Duplicate' ? f.duplicateOf.value.trim() : null, note: f.note.value.trim() || null };
        };
        break;
      }
      case 'dispatch': {
        const to = document.createElement('select');
        to.append(h('option', { value: 'village' }, t('act.toVillage')),
          ...(c.departments ?? []).map(d => h('option', { value: `dept:${d.code}` }, t(`dept.${d.code}`, d.code))));
        const villageInput = h('input', { maxlength: 12, inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', placeholder: '411202001001' });
        if (/^\d{12}$/.test(ticket.regionCode)) villageInput.value = ticket.regionCode;
        const villageField = field('village', 'act.dispatchVillage', villageInput, 'dispatch-village');
        to.addEventListener('change', () => { villageField.hidden = to.value !== 'village'; });
        form.append(field('department', 'act.dispatchTo', to, 'dispatch-to'), villageField, note());
        body = f => {
          if (to.value === 'village') {
            const code = f.village.value.replace(/\s+/g, '');
            if (!/^\d{12}$/.test(code)) throw localProblem('village', 'act.villageRequired');
            return { village: code, note: f.note.value.trim() || null };
          }
          return { department: to.value.slice(5), note: f.note.value.trim() || null };
        };
        break;
      }
      case 'handle': {
        // An appeal's answer names the decision: resolved, or rejected with the reason (the resident sees the text).
        const appeal = ticket.source === 'ResidentAppeal';
        if (appeal) form.append(field('decision', 'appeal.decision', select(APPEAL_DECISIONS, 'appealDecision.'), 'handle-decision'));
        form.append(field('result', appeal ? 'appeal.resultLabel' : 'act.result', h('textarea', { rows: 3, maxlength: 2000 }), 'handle-result'));
        body = f => {
          const result = f.result.value.trim();
          if (!result) throw localProblem('result', 'act.resultRequired');
          return appeal ? { result, decision: f.decision.value } : { result };
        };
        break;
      }
      case 'feedback': {
        form.append(field('outcome', 'act.outcome', select(OUTCOMES, 'feedback.'), 'feedback-outcome'), note());
        if (ticket.contact?.callbackRequested && (role() === 'hotline' || role() === 'admin')) {
          const show = bi('button', 'act.showPhone');
          show.type = 'button';
          show.className = 'link';
          show.dataset.testid = 'show-phone';
          const out = h('span', { class: 'callback-phone', 'data-testid': 'callback-phone' });
          show.addEventListener('click', () => busy(show, form, async () => {
            const contact = await api('GET', `/api/tickets/${encodeURIComponent(ticket.number)}/contact`);
            out.textContent = contact.phone;
          }));
          form.append(h('p', { class: 'callback-line' }, show, ' ', out));
        }
        body = f => ({ outcome: f.outcome.value, note: f.note.value.trim() || null });
        break;
      }
      case 'close':
        form.append(note());
        body = f => ({ note: f.note.value.trim() || null });
        break;
    }
    form.append(submit);
    form.addEventListener('submit', e => {
      e.preventDefault();
      busy(submit, form, async () => {
        const updated = await api('POST', `/api/tickets/${encodeURIComponent(ticket.number)}/${action}`, body(form.elements));
        showNotice(`${t(`act.${action}`)} · ${updated.number}: ${t(`ticketState.${updated.state}`)}`);
        await renderDetail(root, updated);
        (root.querySelector('[data-first-action]') ?? root).focus?.({ preventScroll: true });
        await (state.villageCode ? loadVillageQueue() : loadQueue());
      });
    });
    return form;
  }

  /** Possible duplicates; on a received ticket each offers "reject as a duplicate of this". */
  function renderSimilar(list, items, ticket, root) {
    list.replaceChildren(...items.map(item => {
      const li = queueItem(item, number => openTicket(number), 'similar-item');
      if (ticket) {
        const button = bi('button', 'similar.markDuplicate');
        button.type = 'button';
        button.className = 'secondary';
        button.dataset.testid = 'mark-duplicate';
        button.addEventListener('click', e => {
          e.stopPropagation();
          const form = root.querySelector('[data-testid=action-reject]');
          form.elements.reason.value = 'Duplicate';
          form.elements.reason.dispatchEvent(new Event('change'));
          form.elements.duplicateOf.value = item.number;
          form.elements.note.focus();
        });
        li.append(button);
      }
      return li;
    }));
    if (items.length === 0) list.append(h('li', { class: 'hint', 'data-testid': 'similar-none' }, t('similar.none')));
  }

  /** One queue line: number, state, flags, kind/category, place, due; Enter or a click opens it. */
  function queueItem(item, open, testid = 'queue-item') {
    // A list item holding one button (a list may hold only list items, so the item itself is not the button).
    const li = h('li', {
      class: 'queue-line', 'data-testid': testid, 'data-number': item.number, 'data-state': item.state,
      'data-overdue': String(!!item.overdue), 'data-escalation': String(item.escalationLevel ?? 0),
    });
    const what = item.category ? t(`cat.${item.category}`, item.category) : t(`ticketKind.${item.kind}`, item.kind);
    const button = h('button', { type: 'button', class: 'queue-line-open' },
      h('span', { class: 'queue-line-head' }, h('strong', { class: 'queue-number' }, item.number), stateBadge(item.state), ...flags(item)),
      h('span', { class: 'queue-line-what' }, what),
      h('span', { class: 'queue-line-meta' }, [item.regionCode, assigneeText(item.assigneeKind, item.assignee),
        item.dueAt ? `${t('ticket.dueAt')} ${formatDateTime(item.dueAt)}` : ''].filter(Boolean).join(' · ')));
    button.addEventListener('click', guard(() => open(item.number)));
    li.append(button);
    return li;
  }

  // ------------------------------------------------------------ the village pane

  async function loadVillageQueue() {
    const code = state.villageCode;
    const list = $('village-ticket-list');
    list.dataset.loaded = 'false';
    const page = await api('GET', `/api/tickets/queue?village=${encodeURIComponent(code)}&take=100`);
    if (code !== state.villageCode) return;
    list.replaceChildren(...(page.items ?? []).map(item => queueItem(item, number => openTicket(number, $('village-ticket-detail')))));
    $('village-tickets-empty').hidden = (page.items ?? []).length > 0;
    list.dataset.loaded = 'true';
    highlight(list);
  }

  return {
    /** The hotline console: the call form for those who record calls, the queue for everyone here. */
    async enter() {
      state.villageCode = null;
      const records = role() === 'hotline' || role() === 'admin';
      $('call-card').hidden = !records;
      await catalogue();
      if (records) await prepareForm();
      await loadQueue();
      if (records && !state.open) form.elements.phone.focus();
    },
    async loadVillage(code) {
      state.villageCode = code;
      await catalogue();
      $('village-ticket-detail').hidden = true;
      await loadVillageQueue();
    },
    leaveVillage() { state.villageCode = null; },
    reset() {
      state.open = null;
      state.next = null;
      state.villageCode = null;
      form.reset();
      $('call-similar').hidden = true;
      $('ticket-detail').replaceChildren(bi('p', 'detail.pick'));
      $('ticket-detail').firstChild.className = 'detail-empty';
      delete $('ticket-detail').dataset.number;
      delete $('ticket-detail').dataset.state;
      $('village-ticket-detail').hidden = true;
      $('ticket-queue').replaceChildren();
      $('village-ticket-list').replaceChildren();
    },
    jurisdiction,
  };
}
