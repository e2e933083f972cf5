/**
 * Candidate generation for one period: its days passing the day filters (per FREQ: a year's BYMONTH months,
 * a month, a week up to the next WKST, a day), times them by the rule's times, then BYSETPOS.
 */
import type { Budget } from './budget.ts';
import { nthMask, passMask } from './day-filters.ts';
import { DAILY, HOURLY, type IterRule, MONTHLY, pymod, YEARLY, type YearInfo } from './iter-rule.ts';
import { DAY } from './local-time.ts';
import { yearInfoOfDay } from './year-masks.ts';

/** What receives the candidates (an object, not a closure: no allocation per call in the hot path). */
export interface Sink {
  /** A candidate, ascending; false stops the iteration. */
  visit(local: number): boolean;
}

/** Days of the current period (366 + 7 at most); `dayCount` of them are valid. */
export const scratchDays = new Float64Array(373);
let dayCount = 0;
const scratchPicked: number[] = [];
const ascending = (a: number, b: number) => a - b;

/** Appends the day numbers of year days [from, to) passing the filters. */
function pushDays(
  rule: IterRule,
  info: YearInfo,
  from: number,
  to: number,
  nth: Uint8Array | null,
  budget: Budget,
  days: Float64Array,
): void {
  budget.spend(to - from);
  const pass = passMask(rule, info, budget);
  for (let i = from; i < to; i++) if (pass[i] && (nth === null || nth[i])) days[dayCount++] = info.start + i;
}

/** Day numbers of the period starting at `start` passing the day filters: `scratchDays[0..count)`. */
export function periodDays(rule: IterRule, start: number, budget: Budget): number {
  const days = scratchDays;
  dayCount = 0;
  const day = Math.floor(start / DAY);
  if (rule.freq >= DAILY) {
    days[dayCount++] = day; // nextGridPeriod checked it
    return dayCount;
  }
  const info = yearInfoOfDay(rule, day);
  if (rule.freq === YEARLY) {
    const nth = nthMask(rule, info, 1);
    const range = info.masks.range;
    // Days outside BYMONTH are filtered anyway: visit only those months.
    if (rule.bymonthList)
      for (const m of rule.bymonthList) pushDays(rule, info, range[m - 1]!, range[m]!, nth, budget, days);
    else pushDays(rule, info, 0, info.len, nth, budget, days);
  } else if (rule.freq === MONTHLY) {
    const first = day - info.start;
    const month = info.masks.month[first]!;
    pushDays(rule, info, first, info.masks.range[month]!, nthMask(rule, info, month), budget, days);
  } else {
    // WEEKLY: from the period's first day to the next WKST, with the masks of the year it starts in.
    const from = day - info.start;
    let i = from;
    do i++;
    while (i - from < 7 && pymod(info.weekday + i, 7) !== rule.wkst);
    pushDays(rule, info, from, i, null, budget, days);
  }
  return dayCount;
}

/** Emits the candidates of the period starting at `start` (BYSETPOS applied); false when told to stop. */
export function emitPeriod(
  rule: IterRule,
  start: number,
  days: Float64Array,
  count: number,
  budget: Budget,
  sink: Sink,
): boolean {
  const times = rule.times;
  const subDaily = rule.freq >= HOURLY;
  const nt = times.length;
  if (!rule.bysetpos) {
    budget.spend(count * nt);
    for (let d = 0; d < count; d++) {
      const base = subDaily ? start : days[d]! * DAY;
      for (let t = 0; t < nt; t++) if (!sink.visit(base + times[t]!)) return false;
    }
    return true;
  }
  const n = count * nt;
  const picked = scratchPicked;
  picked.length = 0;
  budget.spend(rule.bysetpos.length);
  for (const pos of rule.bysetpos) {
    const index = pos < 0 ? n + pos : pos - 1;
    if (index < 0 || index >= n) continue; // out of range: selects nothing
    const base = subDaily ? start : days[Math.floor(index / nt)]! * DAY;
    const value = base + times[index % nt]!;
    if (!picked.includes(value)) picked.push(value);
  }
  picked.sort(ascending);
  // `sink.visit` never re-enters the iterator, so the scratch array is safe to walk.
  for (let i = 0; i < picked.length; i++) if (!sink.visit(picked[i]!)) return false;
  return true;
}
