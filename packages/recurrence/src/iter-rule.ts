/**
 * The prepared form of a rule (dateutil's `rrule.__init__` result, period-iterator.ts iterates it) and the
 * calendar arithmetic on day numbers that every part of the iterator shares.
 */
import { DAY } from './local-time.ts';

export const YEARLY = 0;
export const MONTHLY = 1;
export const WEEKLY = 2;
export const DAILY = 3;
export const HOURLY = 4;
export const MINUTELY = 5;
export const SECONDLY = 6;

/** Past this nothing is produced (dateutil stops at datetime.MAXYEAR). */
export const MAX_LOCAL = Date.UTC(9999, 11, 31, 23, 59, 59);
export const MAX_DAY = Math.floor(MAX_LOCAL / DAY);

export const pymod = (a: number, b: number) => ((a % b) + b) % b;
export const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

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
export const MASKS = [monthMasks(false), monthMasks(true)] as const;

/** Day number (days since 1970-01-01) of Jan 1. */
export const yearStartDay = (year: number) => Date.UTC(year, 0, 1) / DAY;
/** Monday = 0 of a day number (1970-01-01 was a Thursday). */
export const weekdayOfDay = (day: number) => pymod(day + 3, 7);

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

export interface YearInfo {
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
