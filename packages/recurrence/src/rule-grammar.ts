/**
 * A strict reader of RRULE/EXRULE values (RFC 5545 §3.3.10).
 *
 * This replaces `rrule`'s `RRule.parseString`, which accepts garbage silently: `FREQ=FOO` parses to `{}`
 * (then iterates as YEARLY), `BYDAY=XX` to `[null]`, `COUNT=abc` to the string "abc", `BYHOUR=25` passes,
 * `INTERVAL=0` yields nothing. A rule that does not parse here is an error value with the reason, so the
 * caller can show the first occurrence with a warning instead of a wrong calendar.
 */
import { fail } from './errors.ts';
import { type IcalDateValue, parseIcalDateValue } from './ical-values.ts';

export const FREQUENCIES = [
  'YEARLY',
  'MONTHLY',
  'WEEKLY',
  'DAILY',
  'HOURLY',
  'MINUTELY',
  'SECONDLY',
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** Monday = 0 ... Sunday = 6 (rrule's numbering). */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface WeekdaySpec {
  weekday: number;
  /** Ordinal (`1FR`, `-1SU`), MONTHLY/YEARLY only. */
  n?: number;
}

export interface RuleSpec {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: IcalDateValue;
  bysecond?: number[];
  byminute?: number[];
  byhour?: number[];
  byday?: WeekdaySpec[];
  bymonthday?: number[];
  byyearday?: number[];
  byweekno?: number[];
  bymonth?: number[];
  bysetpos?: number[];
  wkst?: number;
  /**
   * Combinations RFC 5545 forbids but python-dateutil (the reference implementation, which rrule.js ports)
   * expands, so other calendar software shows such a series: they are expanded as dateutil does, and each
   * is named here so the series carries a warning.
   */
  nonstandard: string[];
}

type ListPart = 'bysecond' | 'byminute' | 'byhour' | 'bymonthday' | 'byyearday' | 'byweekno' | 'bymonth';

/** Allowed ranges per list part; `signed` parts allow -max..-1 too (zero never). */
const LISTS: Record<string, { key: ListPart; min: number; max: number; signed: boolean }> = {
  BYSECOND: { key: 'bysecond', min: 0, max: 59, signed: false },
  BYMINUTE: { key: 'byminute', min: 0, max: 59, signed: false },
  BYHOUR: { key: 'byhour', min: 0, max: 23, signed: false },
  BYMONTHDAY: { key: 'bymonthday', min: 1, max: 31, signed: true },
  BYYEARDAY: { key: 'byyearday', min: 1, max: 366, signed: true },
  BYWEEKNO: { key: 'byweekno', min: 1, max: 53, signed: true },
  BYMONTH: { key: 'bymonth', min: 1, max: 12, signed: false },
};

const UNSUPPORTED = new Set(['RSCALE', 'SKIP', 'BYEASTER']);

function integer(text: string, part: string, rule: string): number {
  if (!/^[+-]?\d{1,9}$/.test(text)) fail('invalid_rrule', `${part}=${text} is not an integer in '${rule}'`);
  return Number(text);
}

function numberList(text: string, part: string, spec: (typeof LISTS)[string], rule: string): number[] {
  return text.split(',').map((item) => {
    const n = integer(item, part, rule);
    const abs = Math.abs(n);
    const ok = n < 0 ? spec.signed && abs >= spec.min && abs <= spec.max : n >= spec.min && n <= spec.max;
    if (!ok || (n === 0 && spec.min > 0))
      fail('invalid_rrule', `${part} value ${item} out of range in '${rule}'`);
    return n;
  });
}

function weekday(text: string, part: string, rule: string): number {
  const index = WEEKDAYS.indexOf(text as (typeof WEEKDAYS)[number]);
  if (index < 0) fail('invalid_rrule', `${part}: '${text}' is not a weekday (MO..SU) in '${rule}'`);
  return index;
}

function byday(text: string, rule: string): WeekdaySpec[] {
  return text.split(',').map((item) => {
    const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item);
    if (!m) return fail('invalid_rrule', `BYDAY: '${item}' is not [±n]MO..SU in '${rule}'`);
    const day = weekday(m[2]!, 'BYDAY', rule);
    if (m[1] === undefined) return { weekday: day };
    const n = Number(m[1]);
    if (n === 0 || Math.abs(n) > 53) fail('invalid_rrule', `BYDAY ordinal ${m[1]} out of range in '${rule}'`);
    return { weekday: day, n };
  });
}

/** Parses an RRULE value (`FREQ=WEEKLY;BYDAY=MO,WE`); throws RecurrenceError with the reason. */
export function parseRule(value: string): RuleSpec {
  const rule = value.trim().toUpperCase();
  if (rule === '') fail('invalid_rrule', 'empty rule');
  const parts = new Map<string, string>();
  for (const part of rule.split(';')) {
    if (part === '') continue; // a trailing ';' is harmless
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) fail('invalid_rrule', `'${part}' is not NAME=VALUE in '${value}'`);
    const name = part.slice(0, eq);
    if (parts.has(name)) fail('invalid_rrule', `${name} given twice in '${value}'`);
    parts.set(name, part.slice(eq + 1));
  }
  const freq = parts.get('FREQ');
  if (freq === undefined) fail('invalid_rrule', `FREQ is required in '${value}'`);
  if (!FREQUENCIES.includes(freq as Frequency))
    fail('invalid_rrule', `FREQ=${freq} is not one of ${FREQUENCIES.join(', ')}`);
  const spec: RuleSpec = { freq: freq as Frequency, interval: 1, nonstandard: [] };
  for (const [name, text] of parts) {
    if (name === 'FREQ') continue;
    if (UNSUPPORTED.has(name)) fail('unsupported_rrule', `${name} is not supported in '${value}'`);
    const list = LISTS[name];
    if (list) spec[list.key] = numberList(text, name, list, value);
    else if (name === 'INTERVAL') {
      spec.interval = integer(text, name, value);
      if (spec.interval < 1) fail('invalid_rrule', `INTERVAL must be a positive integer in '${value}'`);
    } else if (name === 'COUNT') {
      spec.count = integer(text, name, value);
      if (spec.count < 1) fail('invalid_rrule', `COUNT must be a positive integer in '${value}'`);
    } else if (name === 'UNTIL') {
      spec.until =
        parseIcalDateValue(text) ?? fail('invalid_rrule', `UNTIL=${text} is not a date in '${value}'`);
    } else if (name === 'BYDAY' || name === 'BYWEEKDAY') {
      if (spec.byday) fail('invalid_rrule', `BYDAY given twice in '${value}'`);
      spec.byday = byday(text, value);
      // dateutil's own spelling (its keyword argument), which its rrulestr reads.
      if (name === 'BYWEEKDAY') spec.nonstandard.push("BYWEEKDAY (dateutil's name for BYDAY)");
    } else if (name === 'WKST') spec.wkst = weekday(text, name, value);
    else if (name === 'BYSETPOS') {
      spec.bysetpos = numberList(text, name, { key: 'byyearday', min: 1, max: 366, signed: true }, value);
    } else fail('invalid_rrule', `unknown rule part ${name} in '${value}'`);
  }
  checkCombinations(spec, value);
  return spec;
}

/**
 * The "MUST NOT" combinations of RFC 5545 §3.3.10: the ones python-dateutil expands anyway are kept, with a
 * warning (`nonstandard`); COUNT with UNTIL (deprecated in dateutil) and BYSETPOS alone stay invalid.
 */
function checkCombinations(spec: RuleSpec, value: string): void {
  const { freq } = spec;
  const invalid = (why: string) => fail('invalid_rrule', `${why} in '${value}'`);
  const unusual = (why: string) => spec.nonstandard.push(why);
  if (spec.count !== undefined && spec.until !== undefined)
    invalid('COUNT and UNTIL MUST NOT occur together');
  if (spec.byweekno && freq !== 'YEARLY') unusual(`BYWEEKNO with FREQ=${freq} (RFC 5545: YEARLY only)`);
  if (spec.byyearday && (freq === 'DAILY' || freq === 'WEEKLY' || freq === 'MONTHLY'))
    unusual(`BYYEARDAY with FREQ=${freq}`);
  if (spec.bymonthday && freq === 'WEEKLY') unusual('BYMONTHDAY with FREQ=WEEKLY');
  if (spec.byday?.some((d) => d.n !== undefined)) {
    // dateutil reads the ordinal as a plain weekday above MONTHLY, and intersects it with BYWEEKNO.
    if (freq !== 'MONTHLY' && freq !== 'YEARLY')
      unusual(`BYDAY with an ordinal in FREQ=${freq} (the ordinal is ignored)`);
    if (freq === 'YEARLY' && spec.byweekno) unusual('BYDAY with an ordinal and BYWEEKNO');
  }
  const hasOtherBy =
    spec.bysecond ??
    spec.byminute ??
    spec.byhour ??
    spec.byday ??
    spec.bymonthday ??
    spec.byyearday ??
    spec.byweekno ??
    spec.bymonth;
  if (spec.bysetpos && !hasOtherBy) invalid('BYSETPOS needs another BYxxx rule part');
}
