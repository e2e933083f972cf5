/**
 * One RRULE/EXRULE iterated with `rrule` in floating local time (wall clock as UTC, no tzid: rrule's own
 * TZID support converts through the host zone and is wrong across DST gaps).
 *
 * What we do around rrule:
 * - the defaults rrule derives from DTSTART (RFC 5545 §3.3.10: BYMONTHDAY/BYMONTH/BYDAY/BYHOUR/... taken
 *   from DTSTART when absent) are pinned explicitly, so that
 * - a window query far from DTSTART restarts the iteration at a period boundary just before the window
 *   (k × INTERVAL periods after DTSTART's period) instead of iterating from DTSTART, as `between` does;
 * - COUNT is turned into a bound once (the last occurrence, memoised), after which COUNT rules
 *   fast-forward too;
 * - UNTIL: a UTC UNTIL on a timed series is compared as an instant by the caller after mapping, rrule only
 *   gets a floating bound with slack (the local reading of UNTIL moves across DST edges).
 */

import type { Options } from 'rrule';
import * as rruleModule from 'rrule';
import { compileFast, type FastRule, fastOccurrences } from './fast-iterator.ts';
import type { IcalDateValue } from './ical-values.ts';
import {
  DAY,
  HOUR,
  instantToLocal,
  localToInstant,
  MINUTE,
  SECOND,
  startOfDay,
  WEEK,
  type Zone,
} from './local-time.ts';
import { FREQUENCIES, type RuleSpec } from './rule-grammar.ts';

// rrule ships CommonJS without an exports map: Node's ESM loader exposes it as a default export only,
// bundlers (vite, vitest) see named exports. Accept both.
const { RRule, Weekday } =
  (rruleModule as { RRule?: unknown }).RRule !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default;

/** Slack on floating bounds: the widest offset jump (Pacific/Apia skipped a whole day in 2011) and more. */
const SLACK = 2 * DAY;
/** COUNT rules are resolved over at most this span: a rule that never matches must not run to year 9999. */
const COUNT_HORIZON_YEARS = 200;

export interface CompiledRule {
  readonly spec: RuleSpec;
  /** The original rule text, for memo keys and messages. */
  readonly text: string;
  /** DTSTART, floating. */
  readonly dtstart: number;
  /** rrule options with every DTSTART-derived default made explicit (no dtstart/until/count). */
  readonly base: Partial<Options>;
  /** Inclusive floating bound handed to rrule (UNTIL, with slack when `untilInstant` is set). */
  readonly untilLocal: number | undefined;
  /** Timed series with a UTC or local UNTIL: occurrences whose instant is past this are dropped. */
  readonly untilInstant: number | undefined;
  /** COUNT rules: the last occurrence, floating; resolved on first use. */
  lastLocal: number | undefined;
  /** Set when the rule's shape is one the fast iterator handles (then rrule is not used). */
  readonly fast: FastRule | undefined;
  /** BYMONTH/BYMONTHDAY name no real date (`BYMONTH=2;BYMONTHDAY=30`): the rule has no occurrence. */
  readonly empty: boolean;
}

const MAX_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Rules whose BYMONTH/BYMONTHDAY can never be met: BYMONTH=2;BYMONTHDAY=30, or a MONTHLY INTERVAL that never
 * lands in BYMONTH (INTERVAL=2 from January never reaches February). RFC 5545 §3.3.10 ignores invalid dates,
 * so the set is empty; rrule would look for a first occurrence until year 9999 (it stops only on a candidate
 * past the bound), ~0.2 s a query.
 */
function neverMatches(spec: RuleSpec, dtstart: number): boolean {
  let months = spec.bymonth ?? MAX_MONTH_DAYS.map((_, i) => i + 1);
  if (spec.freq === 'MONTHLY' && spec.interval > 1) {
    const m0 = new Date(dtstart).getUTCMonth();
    const reachable = new Set(Array.from({ length: 12 }, (_, k) => ((m0 + k * spec.interval) % 12) + 1));
    months = months.filter((m) => reachable.has(m));
  }
  if (!spec.bymonthday) return months.length === 0;
  return !months.some((m) => spec.bymonthday!.some((d) => Math.abs(d) <= MAX_MONTH_DAYS[m - 1]!));
}

const freqIndex = (spec: RuleSpec) => FREQUENCIES.indexOf(spec.freq);
const HOURLY = FREQUENCIES.indexOf('HOURLY');
const MINUTELY = FREQUENCIES.indexOf('MINUTELY');
const SECONDLY = FREQUENCIES.indexOf('SECONDLY');

/**
 * rrule builds its time set in list order, so `BYHOUR=10,9` yields 10:00 before 09:00 and `between` stops
 * early at the first time past the window: lists are sorted and deduplicated (RFC 5545 gives them no order).
 */
const sorted = (list: number[] | undefined) => list && [...new Set(list)].sort((a, b) => a - b);

/** rrule's option derivation (parseoptions.ts) done up front, from the real DTSTART. */
function pinnedOptions(given: RuleSpec, dtstart: number): Partial<Options> {
  const spec: RuleSpec = {
    ...given,
    byhour: sorted(given.byhour),
    byminute: sorted(given.byminute),
    bysecond: sorted(given.bysecond),
  };
  const d = new Date(dtstart);
  const f = freqIndex(spec);
  const options: Partial<Options> = {
    freq: f, // rrule's Frequency enum has the same order: YEARLY = 0 ... SECONDLY = 6
    interval: spec.interval,
    wkst: spec.wkst ?? 0,
    bysetpos: spec.bysetpos ?? null,
    bymonth: spec.bymonth ?? null,
    bymonthday: spec.bymonthday ?? null,
    byyearday: spec.byyearday ?? null,
    byweekno: spec.byweekno ?? null,
    byweekday: spec.byday?.map((day) => new Weekday(day.weekday, day.n)) ?? null,
    byhour: spec.byhour ?? (f < HOURLY ? [d.getUTCHours()] : null),
    byminute: spec.byminute ?? (f < MINUTELY ? [d.getUTCMinutes()] : null),
    bysecond: spec.bysecond ?? (f < SECONDLY ? [d.getUTCSeconds()] : null),
    tzid: null,
  };
  if (!spec.byweekno && !spec.byyearday && !spec.bymonthday && !spec.byday) {
    if (spec.freq === 'YEARLY') {
      options.bymonth = spec.bymonth ?? [d.getUTCMonth() + 1];
      options.bymonthday = [d.getUTCDate()];
    } else if (spec.freq === 'MONTHLY') options.bymonthday = [d.getUTCDate()];
    else if (spec.freq === 'WEEKLY') options.byweekday = [(d.getUTCDay() + 6) % 7];
  }
  return options;
}

/** Prepares a rule for DTSTART `dtstart` (floating) of a timed series in `zone`, or an all-day one. */
export function compileRule(spec: RuleSpec, text: string, dtstart: number, zone: Zone | null): CompiledRule {
  let untilLocal: number | undefined;
  let untilInstant: number | undefined;
  const until: IcalDateValue | undefined = spec.until;
  if (until && zone === null) {
    // All-day: dates compare as dates; a date-time UNTIL is read in floating time (its own fields).
    untilLocal = until.kind === 'utc' ? until.instant : until.local;
  } else if (until && zone !== null) {
    if (until.kind === 'date') {
      untilLocal = until.local + DAY - 1; // the whole local day is included
    } else {
      // RFC 5545 §3.3.10: UNTIL "MUST be specified in a UTC time format" when DTSTART has a TZID, and
      // bounds the set as an instant. A floating UNTIL is read in the series' zone.
      untilInstant = until.kind === 'utc' ? until.instant : localToInstant(until.local, zone);
      untilLocal = instantToLocal(untilInstant, zone) + SLACK;
    }
  }
  const base = pinnedOptions(spec, dtstart);
  return {
    spec,
    text,
    dtstart,
    base,
    untilLocal,
    untilInstant,
    lastLocal: undefined,
    fast: compileFast(spec, base),
    empty: neverMatches(spec, dtstart),
  };
}

const lastByRule = new Map<string, number>();

/** COUNT rules: the last occurrence (floating), iterated once from DTSTART and memoised. */
function lastOfCount(rule: CompiledRule, count: number): number {
  if (rule.lastLocal !== undefined) return rule.lastLocal;
  if (rule.empty) return rule.dtstart - 1;
  const key = `${rule.dtstart}|${rule.text}`;
  let last = lastByRule.get(key);
  if (last === undefined) {
    const horizon = new Date(rule.dtstart);
    horizon.setUTCFullYear(horizon.getUTCFullYear() + COUNT_HORIZON_YEARS);
    const dates = rule.fast
      ? fastOccurrences(rule.fast, rule.dtstart, rule.dtstart, horizon.getTime(), count)
      : new RRule({ ...rule.base, dtstart: new Date(rule.dtstart), count }, true)
          .between(new Date(rule.dtstart), horizon, true)
          .map((d) => d.getTime());
    last = dates.length > 0 ? dates[dates.length - 1]! : rule.dtstart - 1;
    if (lastByRule.size >= 2000) lastByRule.clear();
    lastByRule.set(key, last);
  }
  rule.lastLocal = last;
  return last;
}

/** Inclusive floating upper bound of the rule: UNTIL (with slack), the COUNT-th occurrence, or none. */
export function upperBound(rule: CompiledRule): number | undefined {
  if (rule.spec.count !== undefined) return lastOfCount(rule, rule.spec.count);
  return rule.untilLocal;
}

/**
 * The start of a period of the rule's frequency, a whole number of INTERVALs after DTSTART's period and at
 * least one period before `target`'s; undefined when that is DTSTART's own period (iterate from DTSTART).
 * One period of margin covers BYWEEKNO, whose year-period spills into the neighbouring years.
 */
function restartBefore(rule: CompiledRule, target: number): number | undefined {
  const { freq, interval } = rule.spec;
  const d0 = new Date(rule.dtstart);
  const t = new Date(target);
  if (freq === 'YEARLY' || freq === 'MONTHLY') {
    const perYear = freq === 'YEARLY' ? 1 : 12;
    const months = freq === 'YEARLY' ? 12 : 1;
    const p0 = d0.getUTCFullYear() * perYear + (freq === 'MONTHLY' ? d0.getUTCMonth() : 0);
    const pt = t.getUTCFullYear() * perYear + (freq === 'MONTHLY' ? t.getUTCMonth() : 0);
    const k = Math.floor((pt - p0) / interval) - 1;
    if (k < 1) return undefined;
    const month = (p0 + k * interval) * months;
    return Date.UTC(Math.floor(month / 12), month % 12, 1);
  }
  let origin: number;
  let unit: number;
  if (freq === 'WEEKLY') {
    const weekday = (d0.getUTCDay() + 6) % 7;
    const wkst = rule.spec.wkst ?? 0;
    origin = startOfDay(rule.dtstart) - ((weekday - wkst + 7) % 7) * DAY;
    unit = WEEK;
  } else if (freq === 'DAILY') {
    origin = startOfDay(rule.dtstart);
    unit = DAY;
  } else {
    unit = freq === 'HOURLY' ? HOUR : freq === 'MINUTELY' ? MINUTE : SECOND;
    origin = Math.floor(rule.dtstart / unit) * unit;
  }
  const k = Math.floor((target - origin) / (interval * unit)) - 1;
  return k < 1 ? undefined : origin + k * interval * unit;
}

/** Longest length of one period of each frequency. */
const PERIOD: Record<RuleSpec['freq'], number> = {
  YEARLY: 366 * DAY,
  MONTHLY: 31 * DAY,
  WEEKLY: WEEK,
  DAILY: DAY,
  HOURLY: HOUR,
  MINUTELY: MINUTE,
  SECONDLY: SECOND,
};

/** Floating occurrences of the rule in [from, to] (both inclusive), ascending. */
export function occurrencesBetween(rule: CompiledRule, from: number, to: number): number[] {
  if (rule.empty) return [];
  const bound = upperBound(rule);
  const last = bound === undefined ? to : Math.min(to, bound);
  const first = Math.max(from, rule.dtstart);
  if (last < first) return [];
  if (rule.fast) return fastOccurrences(rule.fast, rule.dtstart, first, last);
  const restart = restartBefore(rule, first);
  const options: Partial<Options> = { ...rule.base, dtstart: new Date(restart ?? rule.dtstart) };
  if (bound !== undefined) options.until = new Date(bound);
  const dates = new RRule(options, true).between(new Date(first), new Date(last), true);
  return dates.map((d) => d.getTime());
}

/**
 * The last occurrence of a bounded rule (floating), or undefined when the rule is unbounded or empty.
 * Searches backwards from the bound in growing windows, so a far UNTIL costs a few periods, not the series.
 */
export function lastOccurrence(rule: CompiledRule, keep: (local: number) => boolean): number | undefined {
  const bound = upperBound(rule);
  if (bound === undefined) return undefined;
  for (let span = 4 * rule.spec.interval * PERIOD[rule.spec.freq]; ; span *= 8) {
    const from = Math.max(rule.dtstart, bound - span);
    const found = occurrencesBetween(rule, from, bound).filter(keep);
    if (found.length > 0) return found[found.length - 1];
    if (from === rule.dtstart) return undefined;
  }
}
