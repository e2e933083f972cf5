/** Rule preparation: dateutil's `rrule.__init__` (the parts derived from DTSTART, the lookup tables). */

import {
  DAILY,
  HOURLY,
  type IterRule,
  MINUTELY,
  MONTHLY,
  pymod,
  SECONDLY,
  WEEKLY,
  weekdayOfDay,
  YEARLY,
} from './iter-rule.ts';
import { DAY, HOUR, MINUTE, SECOND } from './local-time.ts';
import { neverMatches } from './rule-emptiness.ts';
import { FREQUENCIES, type RuleSpec } from './rule-grammar.ts';

const lookup = (values: number[] | undefined, size: number, pick = (v: number) => v) => {
  if (!values) return null;
  const table = new Uint8Array(size);
  for (const v of values) table[pick(v)] = 1;
  return table;
};

const sortedSet = (list: number[] | undefined) => list && [...new Set(list)].sort((a, b) => a - b);

/** Times of a day (ms, sorted) for FREQ ≥ DAILY; offsets within a period for sub-daily FREQs. */
function timesOf(freq: number, hours?: number[], minutes?: number[], seconds?: number[]): number[] {
  let times: number[] = [];
  if (freq <= DAILY) {
    for (const h of hours!)
      for (const m of minutes!) for (const s of seconds!) times.push(h * HOUR + m * MINUTE + s * SECOND);
  } else if (freq === HOURLY) {
    for (const m of minutes!) for (const s of seconds!) times.push(m * MINUTE + s * SECOND);
  } else if (freq === MINUTELY) times = seconds!.map((s) => s * SECOND);
  else times = [0];
  times.sort((a, b) => a - b);
  return times;
}

/** dateutil's derivation of the rule's parts from DTSTART, and the lookup tables. */
export function prepareRule(spec: RuleSpec, dtstart: number): IterRule {
  const freq = FREQUENCIES.indexOf(spec.freq);
  const d = new Date(dtstart);
  let bymonth = spec.bymonth;
  let bymonthday = spec.bymonthday;
  let byday = spec.byday;
  if (!spec.byweekno && !spec.byyearday && !spec.bymonthday && !spec.byday) {
    if (freq === YEARLY) {
      bymonth = bymonth ?? [d.getUTCMonth() + 1];
      bymonthday = [d.getUTCDate()];
    } else if (freq === MONTHLY) bymonthday = [d.getUTCDate()];
    else if (freq === WEEKLY) byday = [{ weekday: weekdayOfDay(Math.floor(dtstart / DAY)) }];
  }
  const plain = new Set<number>();
  const nth = new Map<string, [number, number]>();
  for (const day of byday ?? []) {
    if (day.n === undefined || freq > MONTHLY) plain.add(day.weekday);
    else nth.set(`${day.weekday}/${day.n}`, [day.weekday, day.n]);
  }
  const hours = sortedSet(spec.byhour) ?? (freq < HOURLY ? [d.getUTCHours()] : undefined);
  const minutes = sortedSet(spec.byminute) ?? (freq < MINUTELY ? [d.getUTCMinutes()] : undefined);
  const seconds = sortedSet(spec.bysecond) ?? (freq < SECONDLY ? [d.getUTCSeconds()] : undefined);
  const times = timesOf(freq, hours, minutes, seconds);
  const unit = freq === HOURLY ? HOUR : freq === MINUTELY ? MINUTE : freq === SECONDLY ? SECOND : DAY;
  const positiveDays = bymonthday?.filter((v) => v > 0);
  const negativeDays = bymonthday?.filter((v) => v < 0);
  const rule: IterRule = {
    freq,
    interval: spec.interval,
    wkst: spec.wkst ?? 0,
    dtstart,
    bymonth: lookup(bymonth, 13),
    bymonthList: sortedSet(bymonth) ?? null,
    byweekno: sortedSet(spec.byweekno) ?? null,
    byyeardayPos: spec.byyearday
      ? lookup(
          spec.byyearday.filter((v) => v > 0),
          367,
        )
      : null,
    byyeardayNeg: spec.byyearday
      ? lookup(
          spec.byyearday.filter((v) => v < 0),
          367,
          (v) => -v,
        )
      : null,
    byyeardayCount: new Set(spec.byyearday ?? []).size,
    byweekday: plain.size > 0 ? lookup([...plain], 7) : null,
    bynweekday: nth.size > 0 ? [...nth.values()] : null,
    monthdays: bymonthday ? [...new Set(bymonthday)] : null,
    monthdayPos: bymonthday ? lookup(positiveDays, 32) : null,
    monthdayNeg: bymonthday ? lookup(negativeDays, 32, (v) => -v) : null,
    hourFilter: freq >= HOURLY ? lookup(hours, 24) : null,
    minuteFilter: freq >= MINUTELY ? lookup(minutes, 60) : null,
    secondFilter: freq >= SECONDLY ? lookup(seconds, 60) : null,
    times,
    bysetpos: spec.bysetpos ? [...spec.bysetpos] : null,
    unit,
    origin: Math.floor(dtstart / unit) * unit,
    empty: false,
    years: new Map(),
    reached: dtstart,
    year0: d.getUTCFullYear(),
    month0: d.getUTCMonth(),
    day0: Math.floor(dtstart / DAY),
    week0: 0,
    lastYear: null,
  };
  rule.week0 = rule.day0 - pymod(weekdayOfDay(rule.day0) - rule.wkst, 7);
  rule.empty = neverMatches(rule);
  return rule;
}
