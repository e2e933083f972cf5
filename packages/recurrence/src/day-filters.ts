/**
 * The day filters (BYMONTH, BYWEEKNO, BYDAY, BYMONTHDAY, BYYEARDAY) over a year's days, tested as dateutil
 * does, and the search for the next day passing them.
 */
import type { Budget } from './budget.ts';
import { type IterRule, MAX_DAY, pymod, YEARLY, type YearInfo } from './iter-rule.ts';
import { nthWeekdayMask, yearInfoOfDay } from './year-masks.ts';

/** Is day index `i` of the year (0-based, up to len + 6) removed by the day filters? dateutil's test. */
function filtered(rule: IterRule, info: YearInfo, i: number, nth: Uint8Array | null): boolean {
  const m = info.masks;
  if (rule.bymonth && !rule.bymonth[m.month[i]!]) return true;
  if (info.wnomask && !info.wnomask[i]) return true;
  if (rule.byweekday && !rule.byweekday[pymod(info.weekday + i, 7)]) return true;
  if (nth && !nth[i]) return true;
  if (rule.monthdayPos && !rule.monthdayPos[m.mday[i]!] && !rule.monthdayNeg![-m.nmday[i]!]) return true;
  if (rule.byyeardayPos) {
    const pos = rule.byyeardayPos;
    const neg = rule.byyeardayNeg!;
    if (i < info.len) {
      if (!pos[i + 1] && !neg[info.len - i]) return true;
    } else if (!pos[i + 1 - info.len] && !neg[info.nextLen - (i - info.len)]) return true;
  }
  return false;
}

/** The year's days passing the filters but ordinal BYDAY (cached on the year: a lookup per day after). */
export function passMask(rule: IterRule, info: YearInfo, budget: Budget): Uint8Array {
  if (info.pass) return info.pass;
  budget.spend(info.len);
  const pass = new Uint8Array(info.len + 7);
  for (let i = 0; i < info.len + 7; i++) pass[i] = filtered(rule, info, i, null) ? 0 : 1;
  info.pass = pass;
  return pass;
}

/** The ordinal BYDAY mask of a YEARLY period or of a month (MONTHLY), cached on the year. */
export function nthMask(rule: IterRule, info: YearInfo, month: number): Uint8Array | null {
  if (!rule.bynweekday) return null;
  const slot = rule.freq === YEARLY ? 0 : month;
  let mask = info.nth[slot];
  if (!mask) {
    mask = nthWeekdayMask(rule, info, month);
    info.nth[slot] = mask;
  }
  return mask;
}

export const hasDayFilter = (rule: IterRule) =>
  rule.bymonth !== null ||
  rule.byweekno !== null ||
  rule.byweekday !== null ||
  rule.monthdayPos !== null ||
  rule.byyeardayPos !== null;

/** The first day in [day, lastDay] passing the day filters (DAILY and finer), or undefined. */
export function nextPassingDay(
  rule: IterRule,
  day: number,
  lastDay: number,
  budget: Budget,
): number | undefined {
  const last = Math.min(lastDay, MAX_DAY);
  if (!hasDayFilter(rule)) return day <= last ? day : undefined;
  let current = day;
  while (current <= last) {
    const info = yearInfoOfDay(rule, current);
    const pass = passMask(rule, info, budget);
    const end = Math.min(info.len, last - info.start + 1);
    for (let i = current - info.start; i < end; i++) if (pass[i]) return info.start + i;
    budget.spend(1);
    current = info.start + info.len;
  }
  return undefined;
}
