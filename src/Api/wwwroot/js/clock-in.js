// The daily clock-in card and the outcome of Apply / Clock in, shown where the user is looking (issue 17):
// once today's clock-in is recorded the form gives way to "clocked in today at 08:12, 36.5 °C" with an
// "update today's temperature" action; a second clock-in the same day is said to be an update (the server's
// `updatedToday`), never accepted silently. Used by the resident's own code and a household member's.
import { register, fill, texts } from './i18n.js';
import { $ } from './dom.js';
import { ZONE } from './format.js';

register({
  'clockin.todaySummary': ['今日已打卡：{time}，体温 {temp} °C', 'Clocked in today at {time}, {temp} °C'],
  'clockin.todaySummaryNoTime': ['今日已打卡，体温 {temp} °C', 'Clocked in today, {temp} °C'],
  'clockin.update': ['更新今日体温', 'Update today\'s temperature'],
  'clockin.updateNote': ['今天已打卡。再次打卡会更新今天的体温记录，不会多算一天。', 'You have clocked in today. Clocking in again updates today\'s record; it does not count as another day.'],
  'clockin.updateSubmit': ['更新今日记录', 'Update today\'s record'],
  'clockin.cancel': ['取消', 'Cancel'],
  'clockin.doneAt': ['打卡成功：{time}，体温 {temp} °C', 'Clocked in at {time}, {temp} °C'],
  'clockin.updated': ['今日记录已更新：{time}，体温 {temp} °C（原 {was} °C）。同一天只算一次打卡。', 'Today\'s record updated: {time}, {temp} °C (was {was} °C). One day counts once.'],
  'apply.done': ['申领成功：{colour}', 'Applied: {colour}'],
});

const timeFormat = new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false });

/** "08:12" in the policy's time zone. */
export const clockTime = iso => (iso ? timeFormat.format(new Date(iso)) : '');

/** 36.5 → "36.5", 37 → "37.0". */
export const celsius = value => (value === null || value === undefined ? '' : Number(value).toFixed(1));

/**
 * Fills `el` with the string `key` names, its {placeholders} replaced from `params` (a value, or a [中文, English]
 * pair for a word that is itself translated). Goes through i18n.js like every other string.
 */
export function fillFormat(el, key, params = {}) {
  const sub = (text, i) => text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = params[name];
    return Array.isArray(value) ? value[i] : String(value ?? '');
  });
  const [zh, en] = texts(key);
  const derived = `${key}#${el.dataset.testid ?? 'text'}`;
  register({ [derived]: [sub(zh, 0), sub(en, 1)] });
  return fill(el, derived);
}

/** Shows `text` in a result region next to where the user acted, and moves focus there so it is read out. */
export function announce(el, key, params, { scroll = true } = {}) {
  fillFormat(el, key, params);
  el.dataset.key = key;
  el.focus({ preventScroll: true });
  if (scroll) el.scrollIntoView?.({ block: 'nearest' });
}

/** The clock-in card of one code view (`root`): summary or form, and the clock-in's outcome. */
export class ClockInCard {
  constructor(root) {
    this.root = root;
    this.card = $('clockin-form-card', root);
    this.form = $('clockin-form', root);
    this.today = $('clockin-today', root);
    this.result = $('clockin-result', root);
    this.editing = false;
    this.clockIn = null;
    $('clockin-update', root).addEventListener('click', () => this.edit(true));
    $('clockin-cancel', root).addEventListener('click', () => this.edit(false));
  }

  /** Today's clock-in (CodeView.todayClockIn) in place of the form, or the form when there is none yet. */
  render(view) {
    this.clockIn = view.todayClockIn ?? null;
    const summary = $('clockin-summary', this.root);
    this.card.dataset.clockedInToday = String(!!this.clockIn);
    if (this.clockIn) {
      const at = clockTime(this.clockIn.at);
      fillFormat(summary, at ? 'clockin.todaySummary' : 'clockin.todaySummaryNoTime', { time: at, temp: celsius(this.clockIn.temperature) });
      summary.dataset.at = this.clockIn.at ?? '';
      summary.dataset.temperature = celsius(this.clockIn.temperature);
    } else {
      summary.replaceChildren();
      this.editing = false;
    }
    this.show();
  }

  edit(on) {
    this.editing = on;
    this.show();
    if (on) this.form.elements.temperature.focus();
    else $('clockin-update', this.root).focus();
  }

  show() {
    const done = !!this.clockIn;
    this.today.hidden = !done || this.editing;
    this.form.hidden = done && !this.editing;
    $('clockin-update-note', this.root).hidden = !(done && this.editing);
    $('clockin-cancel', this.root).hidden = !(done && this.editing);
    fill($('clockin-submit', this.root), done ? 'clockin.updateSubmit' : 'clockin.submit');
  }

  /** After an accepted clock-in: what was recorded, and whether it only updated today's earlier one. */
  accepted(answer) {
    $('apply-result', this.root)?.replaceChildren(); // the application's outcome is old news now
    this.editing = false;
    this.show();
    const now = answer.todayClockIn ?? {};
    const params = { time: clockTime(now.at), temp: celsius(now.temperature), was: celsius(answer.replaced?.temperature) };
    this.result.dataset.updatedToday = String(!!answer.updatedToday);
    announce(this.result, answer.updatedToday ? 'clockin.updated' : 'clockin.doneAt', params);
  }

  clear() {
    this.result.replaceChildren();
    delete this.result.dataset.key;
  }
}

/** After Apply: the outcome under the code face, which is brought into view (the new QR with it). */
export function announceApplied(root, view) {
  const result = $('apply-result', root);
  const colour = view.explanation?.colour ?? 'None';
  result.dataset.colour = colour;
  announce(result, 'apply.done', { colour: texts(`colour.${colour}`, colour) }, { scroll: false });
  $('code-card', root)?.scrollIntoView?.({ block: 'start' });
}
