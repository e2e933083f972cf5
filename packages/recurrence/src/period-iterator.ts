/**
 * Our iterator for every rule part of RFC 5545 §3.3.10, in floating local time (the wall clock encoded as UTC).
 *
 * Per period of FREQ × INTERVAL (a year, month, week, day, hour, minute or second, counted from DTSTART's), the
 * candidate set is built the way python-dateutil's `rrule._iter` builds it — dateutil is the reference
 * implementation (rrule.js ports it) and the differential test compares against it: the days of the period
 * are limited by BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY (expanding where the RFC's table says so,
 * through the same year masks), times come from BYHOUR × BYMINUTE × BYSECOND (or, for sub-daily FREQs, the
 * finer parts within the period), the set is sorted and BYSETPOS picks from it (out-of-range positions pick
 * nothing, an instant picked twice counts once). COUNT and UNTIL are the caller's (rule-iterator.ts).
 *
 * Differences from dateutil's loop, none visible in the output:
 * - periods that cannot match are skipped arithmetically: a day failing the day filters, an hour not in BYHOUR,
 *   a minute not in BYMINUTE; the next period is the first on the INTERVAL grid after the skipped span, so
 *   the phase of INTERVAL is kept (dateutil walks them one by one: MINUTELY;BYYEARDAY=335 visits every
 *   minute of every day it passes over);
 * - every day, period and time examined is counted against a Budget, so no rule runs unbounded;
 * - iteration can start at any period (window queries far from DTSTART).
 * dateutil quirks kept on purpose: the first WEEKLY period starts at DTSTART's day (BYSETPOS counts from
 * there), BYDAY ordinals are plain weekdays above MONTHLY, plain and ordinal BYDAY intersect.
 */
import type { Budget } from './budget.ts';
import { DAY, HOUR, MINUTE, SECOND, WEEK } from './local-time.ts';
import { FREQUENCIES, type RuleSpec } from './rule-grammar.ts';

export const YEARLY = 0;
export const MONTHLY = 1;
export const WEEKLY = 2;
export const DAILY = 3;
export const HOURLY = 4;
export const MINUTELY = 5;
export const SECONDLY = 6;

/** Past this nothing is produced (dateutil stops at datetime.MAXYEAR). */
export const MAX_LOCAL = Date.UTC(9999, 11, 31, 23, 59, 59);
const MAX_DAY = Math.floor(MAX_LOCAL / DAY);

const pymod = (a: number, b: number) => ((a % b) + b) % b;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

// dateutil's masks: day index in the year → month, day of month, negative day of month. 7 days longer, for
// weekly periods crossing the year end (the padding is next January's).
function monthMasks(leap: boolean) {
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const month: number[] = [];
  const mday: number[] = [];
  const nmday: number[] = [];
  const range = [0];
  lengths.forEach((length, m) => {
    for (let d = 1; d <= length; d++) {
      month.push(m + 1);
      mday.push(d);
      nmday.push(d - length - 1);
    }
    range.push(range[m]! + length);
  });
  for (let d = 1; d <= 7; d++) {
    month.push(1);
    mday.push(d);
    nmday.push(d - 32);
  }
  return {
    month: Int8Array.from(month),
    mday: Int8Array.from(mday),
    nmday: Int8Array.from(nmday),
    range,
  };
}
const MASKS = [monthMasks(false), monthMasks(true)] as const;

/** The year holding day number `day` (a YearInfo of the rule, when it is the last one used). */
function yearInfoOfDay(rule: IterRule, day: number): YearInfo {
  const last = rule.lastYear;
  if (last && day >= last.start && day < last.start + last.len) return last;
  return yearInfo(rule, new Date(day * DAY).getUTCFullYear());
}

/** Day number (days since 1970-01-01) of Jan 1. */
const yearStartDay = (year: number) => Date.UTC(year, 0, 1) / DAY;
/** Monday = 0 of a day number (1970-01-01 was a Thursday). */
const weekdayOfDay = (day: number) => pymod(day + 3, 7);

/** A rule prepared for iteration: dateutil's `rrule.__init__` (defaults from DTSTART, lookup tables). */
export interface IterRule {
  freq: number;
  interval: number;
  wkst: number;
  dtstart: number;
  bymonth: Uint8Array | null;
  bymonthList: number[] | null;
  byweekno: number[] | null;
  byyeardayPos: Uint8Array | null;
  byyeardayNeg: Uint8Array | null;
  byyeardayCount: number;
  byweekday: Uint8Array | null;
  bynweekday: [weekday: number, n: number][] | null;
  /** BYMONTHDAY, or DTSTART's day where dateutil derives it. */
  monthdays: number[] | null;
  monthdayPos: Uint8Array | null;
  monthdayNeg: Uint8Array | null;
  /** Filters at or above FREQ's level (sub-daily FREQs): BYHOUR, BYMINUTE, BYSECOND as lookups. */
  hourFilter: Uint8Array | null;
  minuteFilter: Uint8Array | null;
  secondFilter: Uint8Array | null;
  /** Times of a day (ms, sorted) for FREQ ≥ DAILY; offsets within a period for sub-daily FREQs. */
  times: number[];
  bysetpos: number[] | null;
  /** Sub-daily: length of one period and the grid origin (DTSTART's period start). */
  unit: number;
  origin: number;
  /** The rule can never produce an occurrence (found when compiling). */
  empty: boolean;
  years: Map<number, YearInfo>;
  /** Set by `iterate`: every candidate before this floating time has been visited. */
  reached: number;
  /** DTSTART's year, month (0-11), day number and WKST-aligned week start (day number). */
  year0: number;
  month0: number;
  day0: number;
  week0: number;
  /** The year last looked up, to skip the Map for consecutive periods. */
  lastYear: YearInfo | null;
}

interface YearInfo {
  year: number;
  start: number;
  len: number;
  nextLen: number;
  weekday: number;
  masks: (typeof MASKS)[number];
  wnomask: Uint8Array | null;
  /** Days (len + 7: weekly periods cross the year end) passing the filters but ordinal BYDAY, built lazily. */
  pass: Uint8Array | null;
  /** Ordinal BYDAY masks, per month (MONTHLY) or at [0] (YEARLY), built lazily. */
  nth: (Uint8Array | undefined)[];
}

const lookup = (values: number[] | undefined, size: number, pick = (v: number) => v) => {
  if (!values) return null;
  const table = new Uint8Array(size);
  for (const v of values) table[pick(v)] = 1;
  return table;
};

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
  const sortedSet = (list: number[] | undefined) => list && [...new Set(list)].sort((a, b) => a - b);
  const hours = sortedSet(spec.byhour) ?? (freq < HOURLY ? [d.getUTCHours()] : undefined);
  const minutes = sortedSet(spec.byminute) ?? (freq < MINUTELY ? [d.getUTCMinutes()] : undefined);
  const seconds = sortedSet(spec.bysecond) ?? (freq < SECONDLY ? [d.getUTCSeconds()] : undefined);
  let times: number[] = [];
  if (freq <= DAILY) {
    for (const h of hours!)
      for (const m of minutes!) for (const s of seconds!) times.push(h * HOUR + m * MINUTE + s * SECOND);
  } else if (freq === HOURLY) {
    for (const m of minutes!) for (const s of seconds!) times.push(m * MINUTE + s * SECOND);
  } else if (freq === MINUTELY) times = seconds!.map((s) => s * SECOND);
  else times = [0];
  times.sort((a, b) => a - b);
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

// ---------------------------------------------------------------------------------------------------------
// Compile-time emptiness: rules that can never produce an occurrence must not search until year 9999.

const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function neverMatches(rule: IterRule): boolean {
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

// ---------------------------------------------------------------------------------------------------------
// Year masks (dateutil's _iterinfo.rebuild).

function yearInfo(rule: IterRule, year: number): YearInfo {
  if (rule.lastYear?.year === year) return rule.lastYear;
  let info = rule.years.get(year);
  if (info) {
    rule.lastYear = info;
    return info;
  }
  const leap = isLeap(year);
  const len = leap ? 366 : 365;
  const start = yearStartDay(year);
  const weekday = weekdayOfDay(start);
  info = {
    year,
    start,
    len,
    nextLen: isLeap(year + 1) ? 366 : 365,
    weekday,
    masks: MASKS[leap ? 1 : 0],
    wnomask: rule.byweekno ? weekNumberMask(rule, year, len, weekday) : null,
    pass: null,
    nth: [],
  };
  if (rule.years.size >= 16) rule.years.clear();
  rule.years.set(year, info);
  rule.lastYear = info;
  return info;
}

/** dateutil's BYWEEKNO mask of a year, quirks included (it is the reference). */
function weekNumberMask(rule: IterRule, year: number, len: number, yearWeekday: number): Uint8Array {
  const wkst = rule.wkst;
  const byweekno = rule.byweekno!;
  const mask = new Uint8Array(len + 14);
  const wday = (i: number) => pymod(yearWeekday + i, 7);
  let no1wkst = pymod(7 - yearWeekday + wkst, 7);
  const firstwkst = no1wkst;
  let wyearlen: number;
  if (no1wkst >= 4) {
    no1wkst = 0;
    wyearlen = len + pymod(yearWeekday - wkst, 7);
  } else wyearlen = len - no1wkst;
  const numweeks = Math.floor(wyearlen / 7) + Math.floor((wyearlen % 7) / 4);
  const markWeek = (from: number) => {
    let i = from;
    for (let j = 0; j < 7; j++) {
      mask[i] = 1;
      i++;
      if (wday(i) === wkst) break;
    }
  };
  for (const n0 of byweekno) {
    const n = n0 < 0 ? n0 + numweeks + 1 : n0;
    if (!(n > 0 && n <= numweeks)) continue;
    let i: number;
    if (n > 1) {
      i = no1wkst + (n - 1) * 7;
      if (no1wkst !== firstwkst) i -= 7 - firstwkst;
    } else i = no1wkst;
    markWeek(i);
  }
  if (byweekno.includes(1)) {
    // Week 1 of the next year, when it starts in this one.
    let i = no1wkst + numweeks * 7;
    if (no1wkst !== firstwkst) i -= 7 - firstwkst;
    if (i < len) markWeek(i);
  }
  if (no1wkst) {
    // The days before this year's week 1 belong to the last week of the previous year.
    let lnumweeks: number;
    if (!byweekno.includes(-1)) {
      const lyearweekday = weekdayOfDay(yearStartDay(year - 1));
      let lno1wkst = pymod(7 - lyearweekday + wkst, 7);
      const lyearlen = isLeap(year - 1) ? 366 : 365;
      if (lno1wkst >= 4) {
        lno1wkst = 0;
        lnumweeks = 52 + Math.floor(pymod(lyearlen + pymod(lyearweekday - wkst, 7), 7) / 4);
      } else lnumweeks = 52 + Math.floor(pymod(len - no1wkst, 7) / 4);
    } else lnumweeks = -1;
    if (byweekno.includes(lnumweeks)) for (let i = 0; i < no1wkst; i++) mask[i] = 1;
  }
  return mask;
}

/** dateutil's ordinal-weekday mask for a YEARLY or MONTHLY period (`month` 1-12 for MONTHLY). */
function nthWeekdayMask(rule: IterRule, info: YearInfo, month: number): Uint8Array {
  const range = info.masks.range;
  const ranges: [number, number][] = [];
  if (rule.freq === YEARLY) {
    if (rule.bymonthList) for (const m of rule.bymonthList) ranges.push([range[m - 1]!, range[m]!]);
    else ranges.push([0, info.len]);
  } else ranges.push([range[month - 1]!, range[month]!]);
  const mask = new Uint8Array(info.len);
  const wday = (i: number) => pymod(info.weekday + i, 7);
  for (const [first, end] of ranges) {
    const last = end - 1;
    for (const [weekday, n] of rule.bynweekday!) {
      let i: number;
      if (n < 0) {
        i = last + (n + 1) * 7;
        i -= pymod(wday(i) - weekday, 7);
      } else {
        i = first + (n - 1) * 7;
        i += pymod(7 - wday(i) + weekday, 7);
      }
      if (first <= i && i <= last) mask[i] = 1;
    }
  }
  return mask;
}

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
function passMask(rule: IterRule, info: YearInfo, budget: Budget): Uint8Array {
  if (info.pass) return info.pass;
  budget.spend(info.len);
  const pass = new Uint8Array(info.len + 7);
  for (let i = 0; i < info.len + 7; i++) pass[i] = filtered(rule, info, i, null) ? 0 : 1;
  info.pass = pass;
  return pass;
}

/** The ordinal BYDAY mask of a YEARLY period or of a month (MONTHLY), cached on the year. */
function nthMask(rule: IterRule, info: YearInfo, month: number): Uint8Array | null {
  if (!rule.bynweekday) return null;
  const slot = rule.freq === YEARLY ? 0 : month;
  let mask = info.nth[slot];
  if (!mask) {
    mask = nthWeekdayMask(rule, info, month);
    info.nth[slot] = mask;
  }
  return mask;
}

const hasDayFilter = (rule: IterRule) =>
  rule.bymonth !== null ||
  rule.byweekno !== null ||
  rule.byweekday !== null ||
  rule.monthdayPos !== null ||
  rule.byyeardayPos !== null;

/** The first day in [day, lastDay] passing the day filters (DAILY and finer), or undefined. */
function nextPassingDay(rule: IterRule, day: number, lastDay: number, budget: Budget): number | undefined {
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

// ---------------------------------------------------------------------------------------------------------
// Periods.

/** Period index of the period holding floating time `local` (0 = DTSTART's); may be negative. */
export function periodOf(rule: IterRule, local: number): number {
  const t = new Date(local);
  const { interval } = rule;
  switch (rule.freq) {
    case YEARLY:
      return Math.floor((t.getUTCFullYear() - rule.year0) / interval);
    case MONTHLY:
      return Math.floor(
        (t.getUTCFullYear() * 12 + t.getUTCMonth() - (rule.year0 * 12 + rule.month0)) / interval,
      );
    case WEEKLY:
      return Math.floor((Math.floor(local / DAY) - rule.week0) / (7 * interval));
    case DAILY:
      return Math.floor((Math.floor(local / DAY) - rule.day0) / interval);
    default:
      return Math.floor((local - rule.origin) / (rule.unit * interval));
  }
}

/** Floating start of period k (its earliest possible candidate). */
export function periodStart(rule: IterRule, k: number): number {
  switch (rule.freq) {
    case YEARLY:
      return Date.UTC(rule.year0 + k * rule.interval, 0, 1);
    case MONTHLY:
      return Date.UTC(rule.year0, rule.month0 + k * rule.interval, 1);
    case WEEKLY:
      return k === 0 ? rule.day0 * DAY : (rule.week0 + 7 * k * rule.interval) * DAY;
    case DAILY:
      return (rule.day0 + k * rule.interval) * DAY;
    default:
      return rule.origin + k * rule.interval * rule.unit;
  }
}

/** What receives the candidates (an object, not a closure: no allocation per call in the hot path). */
export interface Sink {
  /** A candidate, ascending; false stops the iteration. */
  visit(local: number): boolean;
}

/** Days of the current period (366 + 7 at most); `dayCount` of them are valid. */
const scratchDays = new Float64Array(373);
let dayCount = 0;
const scratchPicked: number[] = [];
const ascending = (a: number, b: number) => a - b;

/**
 * Calls `sink.visit` with the candidates of every period from `k` on, ascending, until it returns false or a
 * period starts after `hi`. Candidates before DTSTART are the caller's to drop. `rule.reached` tells how far
 * it got (every candidate before it was visited), also when the budget stopped it.
 */
export function iterate(rule: IterRule, k0: number, hi: number, budget: Budget, sink: Sink): void {
  if (rule.empty) return;
  const limit = Math.min(hi, MAX_LOCAL);
  let k = Math.max(0, k0);
  rule.reached = periodStart(rule, k);
  for (;;) {
    let start: number;
    if (rule.freq >= DAILY) {
      const next = nextGridPeriod(rule, k, limit, budget);
      if (next === undefined) break;
      k = next;
      start = rule.origin + k * rule.interval * rule.unit;
    } else {
      start = periodStart(rule, k);
      if (start > limit) break;
    }
    rule.reached = start;
    const count = periodDays(rule, start, budget);
    if (count > 0 && !emitPeriod(rule, start, scratchDays, count, budget, sink)) return;
    k++;
  }
  rule.reached = Number.POSITIVE_INFINITY;
}

/**
 * The start of the next allowed unit when `value` is not in `filter` (the next allowed value, or `size`: the
 * start of the enclosing unit's next one); -1 when `value` is allowed (or there is no filter).
 */
function skipTo(filter: Uint8Array | null, value: number, size: number, scale: number, base: number): number {
  if (!filter || filter[value]) return -1;
  let next = value + 1;
  while (next < size && !filter[next]) next++;
  return base + next * scale;
}

/** DAILY and finer: the first period ≥ k whose day (and hour, minute, second) passes the filters. */
function nextGridPeriod(rule: IterRule, from: number, limit: number, budget: Budget): number | undefined {
  const step = rule.interval * rule.unit;
  const dayFilter = hasDayFilter(rule);
  let k = from;
  for (;;) {
    budget.spend(1);
    const t = rule.origin + k * step;
    if (t > limit) return undefined;
    const day = Math.floor(t / DAY);
    if (dayFilter) {
      const passing = nextPassingDay(rule, day, Math.floor(limit / DAY), budget);
      if (passing === undefined) return undefined;
      if (passing !== day) {
        k = Math.ceil((passing * DAY - rule.origin) / step);
        continue;
      }
    }
    if (rule.freq === DAILY) return k;
    const dayStart = day * DAY;
    const hour = Math.floor((t - dayStart) / HOUR);
    let target = skipTo(rule.hourFilter, hour, 24, HOUR, dayStart);
    if (target < 0 && rule.freq >= MINUTELY) {
      const hourStart = dayStart + hour * HOUR;
      target = skipTo(rule.minuteFilter, Math.floor((t - hourStart) / MINUTE), 60, MINUTE, hourStart);
      if (target < 0 && rule.freq === SECONDLY) {
        const minuteStart = t - (t % MINUTE);
        target = skipTo(rule.secondFilter, Math.floor((t - minuteStart) / SECOND), 60, SECOND, minuteStart);
      }
    }
    if (target < 0) return k;
    k = Math.ceil((target - rule.origin) / step);
  }
}

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
function periodDays(rule: IterRule, start: number, budget: Budget): number {
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
function emitPeriod(
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

/** Longest span of one period, for searching backwards from a bound. */
export const PERIOD_SPAN = [366 * DAY, 31 * DAY, WEEK, DAY, HOUR, MINUTE, SECOND] as const;
