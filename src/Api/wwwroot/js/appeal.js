// 健康码申诉 · a resident's appeal against their code (issue 14, docs/tickets.md "Appeals"), on the code page of the
// resident portal: the latest appeal's state, number, deadline and the village's answer (resolved, or rejected with its
// reason), and the form to file one (a reason from the fixed list, an optional note). One appeal awaits an answer at a
// time: while it does, the form is hidden; a second filing is refused by the API (409) naming the first.
import { register, t, bi, fill } from './i18n.js';
import { $, h } from './dom.js';
import { formatDateTime } from './format.js';
import { stateBadge, APPEAL_REASONS } from './tickets.js';

register({
  'appeal.heading': ['健康码申诉', 'Appeal against the code'],
  'appeal.open': ['认为健康码有误？提出申诉', 'Code wrong? File an appeal'],
  'appeal.intro': ['申诉将转至您所在的村（社区），在办理时限内答复。', 'The appeal goes to your village, which answers it by the deadline.'],
  'appeal.reason': ['申诉理由', 'Reason'],
  'appeal.note': ['补充说明（可选，500 字以内）', 'Note (optional, up to 500 characters)'],
  'appeal.submit': ['提交申诉', 'File the appeal'],
  'appeal.filed': ['申诉已提交', 'Appeal filed'],
  'appeal.number': ['申诉编号', 'Appeal number'],
  'appeal.due': ['答复时限', 'Answer due by'],
  'appeal.awaiting': ['等待村（社区）答复', 'Awaiting the village\'s answer'],
  'appeal.answer': ['村（社区）答复', 'The village\'s answer'],
  'appeal.answeredAt': ['答复时间', 'Answered'],
  'appeal.verdict': ['处理结论', 'Decision'],
  'appeal.noteRequired': ['选择"其他"时请说明', 'say what is wrong when the reason is Other'],
  'appeal.reasonRequired': ['请选择申诉理由', 'choose a reason'],
});

/**
 * The appeal card of one code view (`root`, the resident's or a household member's). `deps`: the page's api, busy,
 * showNotice and showProblem, localProblem. Returns `load(base)`: reads `${base}/appeals` and renders the latest.
 */
export function setupAppeal(root, { api, busy, showNotice, showProblem, localProblem }) {
  const card = $('appeal-card', root);
  const form = $('appeal-form', root);
  const select = form.elements.reason;
  select.replaceChildren(h('option', { value: '' }, t('common.choose')), ...APPEAL_REASONS.map(r => h('option', { value: r }, t(`appealReason.${r}`))));
  let base = null;

  form.addEventListener('submit', e => {
    e.preventDefault();
    busy(form.querySelector('[type="submit"]'), form, async () => {
      const reason = select.value;
      const note = form.elements.note.value.trim();
      if (!reason) throw localProblem('reason', 'appeal.reasonRequired');
      if (reason === 'Other' && !note) throw localProblem('note', 'appeal.noteRequired');
      try {
        const filed = await api('POST', `${base}/appeals`, { reason, note: note || null });
        form.reset();
        showNotice(`${t('appeal.filed')} · ${filed.number}`);
      } finally {
        await load(base).catch(() => { /* the refusal is what the resident needs to see */ });
      }
    });
  });

  function render(appeals) {
    const latest = appeals[0];
    const status = $('appeal-status', root);
    card.dataset.state = latest?.state ?? '';
    card.dataset.number = latest?.number ?? '';
    card.dataset.decision = latest?.decision ?? '';
    $('appeal-details', root).hidden = !!latest?.awaitsAnswer;
    if (!latest) { status.replaceChildren(); return; }
    const dl = h('dl', { class: 'facts' });
    const fact = (key, value, testid) => {
      if (value === null || value === undefined || value === '') return;
      dl.append(fill(document.createElement('dt'), key), h('dd', { 'data-testid': testid }, value));
    };
    fact('appeal.number', latest.number, 'appeal-number');
    fact('appeal.reason', t(`appealReason.${latest.reason}`, latest.reason), 'appeal-reason-shown');
    if (latest.awaitsAnswer) {
      fact('ticket.state', t('appeal.awaiting'), 'appeal-awaiting');
      fact('appeal.due', formatDateTime(latest.dueAt), 'appeal-due');
    } else if (latest.decision) {
      const decision = bi('strong', `appealDecision.${latest.decision}`, latest.decision);
      decision.className = `appeal-decision decision-${latest.decision}`;
      fact('appeal.verdict', decision, 'appeal-decision');
      fact('appeal.answer', latest.answer, 'appeal-answer');
      fact('appeal.answeredAt', formatDateTime(latest.answeredAt), 'appeal-answered-at');
    }
    status.replaceChildren(h('p', { class: 'appeal-head' }, stateBadge(latest.state)), dl);
  }

  async function load(path) {
    base = path;
    if (!base) return;
    try {
      const appeals = await api('GET', `${base}/appeals`);
      if (path !== base) return;
      render(appeals ?? []);
      card.hidden = false;
      card.dataset.loaded = 'true';
    } catch (e) {
      if (!e?.signedOut) showProblem(e);
    }
  }

  return { load };
}
