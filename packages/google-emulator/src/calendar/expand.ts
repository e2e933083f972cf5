/**
 * Recurrence expansion of a Google Calendar series, independent of the product's engine (it is the oracle).
 *
 * Google: a parent's `recurrence` holds RRULE/EXRULE/RDATE/EXDATE lines (RFC 5545 §3.8.5) without DTSTART;
 * DTSTART is the parent's `start`, and `start.timeZone` is the zone the rule expands in. We expand each RRULE
 * in floating local time (the `rrule` package with UTC-as-floating dates and no tzid), then map every local
 * time to an instant (see time.ts for gaps and overlaps). UNTIL is compared as an instant when it is UTC
 * (RFC 5545 §3.3.10: "If specified as a DATE-TIME value, then it MUST be specified in a UTC time format").
 * All-day series (`start.date`) stay in dates.
 */
import * as rruleModule from 'rrule';
import { instantToLocal, localToInstant, parseIcalValue } from './time.js';

// rrule ships CommonJS without an exports map: Node's ESM loader exposes it only as a default export,
// bundlers (and vite) see the named export. Accept both.
const { RRule } =
  (rruleModule as { RRule?: typeof rruleModule.RRule }).RRule !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default;

const DAY = 86_400_000;
/** Expansion never goes past this (rrule needs a valid Date; nobody schedules beyond it). */
const LAST_INSTANT = Date.UTC(2200, 0, 1);

/** What expansion needs to know about a parent event. */
export interface SeriesInput {
  allDay: boolean;
  /** Timed: the floating wall-clock start (wall clock as UTC ms). All-day: the floating start date. */
  startLocal: number;
  /** The zone the rule expands in (ignored for all-day). */
  timeZone: string;
  /** The parent's `recurrence` lines. */
  recurrence: string[];
}

/**
 * One occurrence. `start` is an instant (timed) or a floating date (all-day); `local` is the floating
 * wall-clock time (or date) the rule produced, before the gap shift.
 */
export interface Occurrence {
  start: number;
  local: number;
}

interface Line {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** `EXDATE;TZID=Europe/Berlin:20250916T170000` → {name, params, value}. */
export function parseRecurrenceLine(line: string): Line {
  const colon = line.indexOf(':');
  if (colon < 0) throw new Error(`invalid recurrence line ${line}`);
  const [name = '', ...rawParams] = line.slice(0, colon).split(';');
  const params: Record<string, string> = {};
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1);
  }
  return { name: name.toUpperCase(), params, value: line.slice(colon + 1) };
}

/** Start key of an RDATE/EXDATE value in the series' terms (instant for timed, floating date for all-day). */
function dateValueKey(value: string, params: Record<string, string>, series: SeriesInput): number {
  const parsed = parseIcalValue(value);
  if (series.allDay) {
    return parsed.kind === 'utc'
      ? Math.floor(parsed.instant / DAY) * DAY
      : Math.floor(parsed.floating / DAY) * DAY;
  }
  if (parsed.kind === 'utc') return parsed.instant;
  // A DATE on a timed series names the whole local day: the caller matches on the local date.
  if (parsed.kind === 'date') return Number.NaN;
  return localToInstant(parsed.floating, params.TZID ?? series.timeZone);
}

function dateValueLocalDay(value: string): number | undefined {
  const parsed = parseIcalValue(value);
  return parsed.kind === 'date' ? parsed.floating : undefined;
}

/** Splits UNTIL out of an RRULE value: rrule gets a rule without it, we compare UNTIL ourselves. */
function splitUntil(rule: string): { rest: string; until?: string } {
  const parts = rule.split(';').filter((p) => p.length > 0);
  const until = parts.find((p) => p.toUpperCase().startsWith('UNTIL='));
  return { rest: parts.filter((p) => p !== until).join(';'), until: until?.slice(6) };
}

/** Is an occurrence (start key, floating local) past UNTIL? */
function pastUntil(until: string | undefined, occ: Occurrence, series: SeriesInput): boolean {
  if (until === undefined) return false;
  const parsed = parseIcalValue(until);
  if (series.allDay) {
    const limit = parsed.kind === 'utc' ? parsed.instant : parsed.floating;
    return occ.local > limit;
  }
  if (parsed.kind === 'utc') return occ.start > parsed.instant;
  if (parsed.kind === 'date') return Math.floor(occ.local / DAY) * DAY > parsed.floating;
  return occ.start > localToInstant(parsed.floating, series.timeZone);
}

/** Expands one RRULE/EXRULE value up to `stop` (same terms as Occurrence.start, inclusive). */
function expandRule(value: string, series: SeriesInput, stop: number, limit: number): Occurrence[] {
  const { rest, until } = splitUntil(value);
  const options = RRule.parseString(rest);
  const rule = new RRule({ ...options, dtstart: new Date(series.startLocal), tzid: null });
  // Floating bound with a day of slack for offsets; the exact bound is applied on instants below.
  const localStop = series.allDay ? stop : instantToLocal(stop, series.timeZone) + DAY;
  const out: Occurrence[] = [];
  rule.between(new Date(series.startLocal - 1), new Date(localStop), true, (d) => {
    const local = d.getTime();
    const start = series.allDay ? local : localToInstant(local, series.timeZone);
    const occ = { start, local };
    if (pastUntil(until, occ, series) || start > stop) return false;
    out.push(occ);
    return out.length < limit;
  });
  return out;
}

/**
 * Occurrences of a series with `start <= stop`, in order, at most `limit` of them.
 * EXDATE removes an occurrence by its start (RFC 5545 §3.8.5.1); RDATE adds one (§3.8.5.2).
 */
export function expandSeries(series: SeriesInput, stopAt: number, limit = 5000): Occurrence[] {
  const stop = Math.min(stopAt, LAST_INSTANT);
  // Lists re-expand the same series on every page and request: reuse a longer expansion when there is one.
  const key = JSON.stringify(series);
  const cached = expansions.get(key);
  if (cached && cached.stop >= stop && (cached.complete || cached.occurrences.length >= limit)) {
    return cached.occurrences.filter((o) => o.start <= stop).slice(0, limit);
  }
  const occurrences = expandUncached(series, stop, limit);
  if (expansions.size > 2000) expansions.clear();
  expansions.set(key, { stop, complete: occurrences.length < limit, occurrences });
  return occurrences;
}

const expansions = new Map<string, { stop: number; complete: boolean; occurrences: Occurrence[] }>();

function expandUncached(series: SeriesInput, stop: number, limit: number): Occurrence[] {
  const byStart = new Map<number, Occurrence>();
  const excluded = new Set<number>();
  const excludedDays = new Set<number>();
  const exrules: string[] = [];
  for (const raw of series.recurrence) {
    const line = parseRecurrenceLine(raw);
    if (line.name === 'RRULE') {
      for (const occ of expandRule(line.value, series, stop, limit)) byStart.set(occ.start, occ);
    } else if (line.name === 'EXRULE') {
      exrules.push(line.value);
    } else if (line.name === 'RDATE' || line.name === 'EXDATE') {
      if (line.params.VALUE === 'PERIOD') continue;
      for (const value of line.value.split(',')) {
        const key = dateValueKey(value, line.params, series);
        if (line.name === 'EXDATE') {
          const day = dateValueLocalDay(value);
          if (Number.isNaN(key) && day !== undefined) excludedDays.add(day);
          else excluded.add(key);
        } else if (!Number.isNaN(key) && key <= stop) {
          const local = series.allDay ? key : instantToLocal(key, series.timeZone);
          byStart.set(key, { start: key, local });
        }
      }
    }
  }
  for (const exrule of exrules) {
    for (const occ of expandRule(exrule, series, stop, Number.MAX_SAFE_INTEGER)) excluded.add(occ.start);
  }
  return [...byStart.values()]
    .filter((o) => !excluded.has(o.start) && !excludedDays.has(Math.floor(o.local / DAY) * DAY))
    .sort((a, b) => a.start - b.start)
    .slice(0, limit);
}
