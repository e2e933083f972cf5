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
import { hasDayFilter, nextPassingDay } from './day-filters.ts';
import { DAILY, type IterRule, MAX_LOCAL, MINUTELY, MONTHLY, SECONDLY, WEEKLY, YEARLY } from './iter-rule.ts';
import { DAY, HOUR, MINUTE, SECOND, WEEK } from './local-time.ts';
import { emitPeriod, periodDays, type Sink, scratchDays } from './period-candidates.ts';

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

/** Longest span of one period, for searching backwards from a bound. */
export const PERIOD_SPAN = [366 * DAY, 31 * DAY, WEEK, DAY, HOUR, MINUTE, SECOND] as const;
