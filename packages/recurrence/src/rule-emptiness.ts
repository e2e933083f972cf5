/** Compile-time emptiness: rules that can never produce an occurrence must not search until year 9999. */

import {
  DAILY,
  gcd,
  HOURLY,
  type IterRule,
  MINUTELY,
  MONTHLY,
  pymod,
  WEEKLY,
  weekdayOfDay,
  YEARLY,
} from './iter-rule.ts';
import { DAY } from './local-time.ts';

const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function neverMatches(rule: IterRule): boolean {
  // BYMONTH/BYMONTHDAY naming no real date (BYMONTH=2;BYMONTHDAY=30), or MONTHLY steps never reaching BYMONTH.
  let months = rule.bymonthList ?? MAX_MONTH_DAYS.map((_, i) => i + 1);
  if (rule.freq === MONTHLY && rule.interval > 1) {
    const m0 = new Date(rule.dtstart).getUTCMonth();
    const reachable = new Set(Array.from({ length: 12 }, (_, k) => ((m0 + k * rule.interval) % 12) + 1));
    months = months.filter((m) => reachable.has(m));
  }
  if (months.length === 0) return true;
  const monthdays = rule.monthdays;
  if (monthdays && !months.some((m) => monthdays.some((d) => Math.abs(d) <= MAX_MONTH_DAYS[m - 1]!)))
    return true;
  if (rule.freq === DAILY && rule.byweekday) {
    // A DAILY grid visits the weekdays w0 + j·gcd(INTERVAL, 7) only.
    const step = gcd(rule.interval, 7);
    const w0 = weekdayOfDay(Math.floor(rule.dtstart / DAY));
    let hit = false;
    for (let w = 0; w < 7; w++) if (rule.byweekday[w] && pymod(w - w0, step) === 0) hit = true;
    if (!hit) return true;
  }
  if (rule.freq >= HOURLY && !subDailyReachable(rule)) return true;
  const size = maxSetSize(rule);
  return rule.bysetpos?.every((pos) => Math.abs(pos) > size) ?? false;
}

/**
 * Sub-daily FREQs: does the INTERVAL grid ever land on a time of day that BYHOUR/BYMINUTE/BYSECOND accept?
 * (dateutil raises "empty rule" for these.) The grid's times of day are r0 + j·gcd(step, 1 day).
 */
function subDailyReachable(rule: IterRule): boolean {
  const unitsPerDay = DAY / rule.unit;
  const g = gcd(rule.interval, unitsPerDay);
  const r0 = Math.round((rule.origin - Math.floor(rule.origin / DAY) * DAY) / rule.unit);
  const ok = (index: number) => pymod(index - r0, g) === 0;
  const hours = rule.hourFilter;
  const minutes = rule.minuteFilter;
  const seconds = rule.secondFilter;
  if (!hours && !minutes && !seconds) return true;
  for (let h = 0; h < 24; h++) {
    if (hours && !hours[h]) continue;
    if (rule.freq === HOURLY) {
      if (ok(h)) return true;
      continue;
    }
    for (let m = 0; m < 60; m++) {
      if (minutes && !minutes[m]) continue;
      if (rule.freq === MINUTELY) {
        if (ok(h * 60 + m)) return true;
        continue;
      }
      for (let s = 0; s < 60; s++) if ((!seconds || seconds[s]) && ok((h * 60 + m) * 60 + s)) return true;
    }
  }
  return false;
}

/** An upper bound on the size of one period's candidate set, for BYSETPOS positions that can never exist. */
function maxSetSize(rule: IterRule): number {
  const f = rule.freq;
  const months = f === YEARLY ? (rule.bymonthList?.length ?? 12) : f === WEEKLY ? 2 : 1;
  let days = [366, 31, 7, 1, 1, 1, 1][f]!;
  if (f === YEARLY && rule.bymonthList) days = Math.min(days, 31 * months);
  if (rule.monthdays) days = Math.min(days, rule.monthdays.length * months);
  if (rule.byyeardayCount > 0) days = Math.min(days, rule.byyeardayCount * (f === WEEKLY ? 2 : 1));
  if (rule.bynweekday) days = Math.min(days, rule.bynweekday.length * months);
  if (rule.byweekday) {
    const perWeekday = f === YEARLY ? (rule.bymonthList ? 5 * months : 53) : f === MONTHLY ? 5 : 1;
    days = Math.min(days, rule.byweekday.reduce((a, b) => a + b, 0) * perWeekday);
  }
  return days * rule.times.length;
}
