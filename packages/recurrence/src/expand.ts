/**
 * Expansion of a series over a window, its bounds, and the first-occurrence fallback for broken series.
 *
 * The recurrence set is RFC 5545 §3.8.5: occurrences of every RRULE, plus RDATEs (plus DTSTART when there is
 * no RRULE), minus EXDATEs and EXRULE occurrences, deduplicated by start. Then the exceptions Google keeps
 * beside the rule: cancelled original starts are dropped, and an overridden occurrence appears at its new
 * time, wherever that is, with `isException` and the changed fields.
 */
import { type CompiledSeries, type CompileResult, compileSeries } from './compile.ts';
import { RecurrenceError, type RecurrenceIssue } from './errors.ts';
import {
  DAY,
  formatLocalDate,
  formatUtc,
  instantToLocal,
  localToInstant,
  parseLocalDate,
  parseLocalDateTime,
  resolveZone,
  startOfDay,
  type Zone,
} from './local-time.ts';
import { type CompiledRule, lastOccurrence, occurrencesBetween } from './rule-iterator.ts';
import type { ExpandOptions, Occurrence, Series } from './types.ts';

/** Floating bounds get this slack; exact bounds are applied on instants. */
const SLACK = 2 * DAY;

function compiled(series: Series | CompiledSeries): CompiledSeries {
  if ('rules' in series && 'overridden' in series) return series;
  const result: CompileResult = compileSeries(series);
  if (!result.ok) throw new RecurrenceError(result.error);
  return result.series;
}

function allDayZone(options: ExpandOptions | undefined): Zone {
  const name = options?.allDayZone ?? 'UTC';
  const zone = resolveZone(name);
  if (!zone) throw new RecurrenceError({ code: 'unknown_zone', reason: `allDayZone '${name}' is unknown` });
  return zone;
}

/** Maps start values (instant / floating date) to instants, and back to floating, for the window. */
interface Frame {
  toInstant: (start: number) => number;
  toLocal: (instant: number) => number;
}

function frameOf(series: CompiledSeries, options: ExpandOptions | undefined): Frame {
  if (!series.allDay) {
    const zone = series.zone!;
    return { toInstant: (start) => start, toLocal: (instant) => instantToLocal(instant, zone) };
  }
  const zone = allDayZone(options);
  return {
    toInstant: (date) => localToInstant(date, zone),
    toLocal: (instant) => instantToLocal(instant, zone),
  };
}

/** Start values of one rule's occurrences within floating [from, to]. */
function ruleStarts(series: CompiledSeries, rule: CompiledRule, from: number, to: number): number[] {
  const locals = occurrencesBetween(rule, from, to);
  if (series.allDay) return locals.map(startOfDay);
  const zone = series.zone!;
  const out: number[] = [];
  for (const local of locals) {
    const instant = localToInstant(local, zone);
    if (rule.untilInstant === undefined || instant <= rule.untilInstant) out.push(instant);
  }
  return out;
}

const keyOf = (series: CompiledSeries, start: number): string =>
  series.allDay ? formatLocalDate(start) : formatUtc(start);

function occurrence(
  series: CompiledSeries,
  frame: Frame,
  key: string,
  start: number,
  end: number,
  override?: CompiledSeries['overrides'][number],
): Occurrence {
  const out: Occurrence = {
    start: new Date(frame.toInstant(start)),
    end: new Date(frame.toInstant(end)),
    originalStart: key,
    isException: override !== undefined,
    allDay: series.allDay,
  };
  if (series.allDay) {
    out.startDate = formatLocalDate(start);
    out.endDate = formatLocalDate(end);
  }
  if (override) out.overrides = override.fields;
  return out;
}

/**
 * Occurrences of `series` in the window [from, to), sorted by start. With `window: 'start'` (default) an
 * occurrence belongs to the window when its start does; with `'overlap'` when any part of it does.
 * Throws `RecurrenceError` for an invalid series: use `compileSeries` first to get the error as a value.
 */
export function expand(
  series: Series | CompiledSeries,
  from: Date,
  to: Date,
  options?: ExpandOptions,
): Occurrence[] {
  const s = compiled(series);
  const frame = frameOf(s, options);
  const lo = from.getTime();
  const hi = to.getTime();
  if (!(hi > lo)) return [];
  const overlap = options?.window === 'overlap';
  const inWindow = (start: number, end: number) => {
    const a = frame.toInstant(start);
    if (a >= hi) return false;
    return a >= lo || (overlap && frame.toInstant(end) > lo);
  };
  // Floating range that holds every candidate start: an overlapping occurrence starts ≤ duration earlier.
  const fromLocal = frame.toLocal(lo) - (overlap ? s.durationMs : 0) - SLACK;
  const toLocal = frame.toLocal(hi) + SLACK;

  let starts: number[] = [];
  for (const rule of s.rules) starts = starts.concat(ruleStarts(s, rule, fromLocal, toLocal));
  if (s.includesDtstart) starts.push(s.allDay ? s.dtstart : localToInstant(s.dtstart, s.zone!));
  starts = starts.concat(s.rdates);
  // Nearly sorted already (one rule, ascending); a gap shift or a second rule can reorder or repeat.
  starts.sort((a, b) => a - b);
  const excluded = new Set<number>();
  for (const rule of s.exrules)
    for (const start of ruleStarts(s, rule, fromLocal, toLocal)) excluded.add(start);
  const exdates = s.exdates.size > 0 || excluded.size > 0;
  const exceptions = s.cancelled.size > 0 || s.overridden.size > 0;

  const out: Occurrence[] = [];
  let previous = Number.NaN;
  for (const start of starts) {
    if (start === previous) continue;
    previous = start;
    const end = start + s.durationMs;
    if (!inWindow(start, end)) continue;
    if (exdates && (s.exdates.has(start) || excluded.has(start))) continue;
    if (s.exdateDays.size > 0 && s.exdateDays.has(startOfDay(instantToLocal(start, s.zone!)))) continue;
    const key = keyOf(s, start);
    if (exceptions && (s.cancelled.has(key) || s.overridden.has(key))) continue;
    out.push(occurrence(s, frame, key, start, end));
  }
  // An override shows at its new time, even when its original start is outside the window.
  let moved = false;
  for (const override of s.overrides) {
    if (!inWindow(override.start, override.end)) continue;
    out.push(occurrence(s, frame, override.key, override.start, override.end, override));
    moved = true;
  }
  if (moved) {
    out.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.originalStart < b.originalStart ? -1 : 1));
  }
  return out;
}

export interface SeriesBounds {
  /** No occurrence starts earlier. */
  start: Date;
  /** No occurrence ends later; null when the series is unbounded (an RRULE without COUNT or UNTIL). */
  end: Date | null;
}

/**
 * The span the series' occurrences can cover (what the API stores as series_start/series_end, so that
 * "which series touch this window" is one index range scan). It may be wider than the occurrences (an
 * EXDATE on the last one is not looked at), never narrower. All-day dates are read in `allDayZone`.
 */
export function seriesBounds(series: Series | CompiledSeries, options?: ExpandOptions): SeriesBounds {
  const s = compiled(series);
  const frame = frameOf(s, options);
  const dtstart = s.allDay ? s.dtstart : localToInstant(s.dtstart, s.zone!);
  const starts = [dtstart, ...s.rdates, ...s.overrides.map((o) => o.start)];
  const start = Math.min(...starts);
  if (s.rules.some((rule) => rule.spec.count === undefined && rule.spec.until === undefined))
    return { start: new Date(frame.toInstant(start)), end: null };
  const ends = [
    ...(s.includesDtstart ? [dtstart + s.durationMs] : []),
    ...s.rdates.map((rdate) => rdate + s.durationMs),
    ...s.overrides.map((o) => o.end),
  ];
  for (const rule of s.rules) {
    const keep = (local: number) =>
      rule.untilInstant === undefined || localToInstant(local, s.zone!) <= rule.untilInstant;
    const last = lastOccurrence(rule, keep);
    if (last === undefined) continue;
    ends.push((s.allDay ? startOfDay(last) : localToInstant(last, s.zone!)) + s.durationMs);
  }
  const end = ends.length > 0 ? Math.max(...ends) : start;
  return { start: new Date(frame.toInstant(start)), end: new Date(frame.toInstant(end)) };
}

/**
 * The first occurrence (DTSTART) of a series that may not compile, for showing it with a warning instead
 * of failing: an unknown zone reads as UTC, a bad duration as none. Undefined when DTSTART is unreadable.
 */
export function firstOccurrenceFallback(series: Series, options?: ExpandOptions): Occurrence | undefined {
  const date = parseLocalDate(series?.dtstart);
  const allDay = date !== undefined;
  const local = date ?? parseLocalDateTime(series?.dtstart);
  if (local === undefined) return undefined;
  const zone = allDay ? allDayZone(options) : (resolveZone(series.tzid ?? 'UTC') ?? resolveZone('UTC')!);
  const valid = Number.isFinite(series.durationMs) && series.durationMs! >= 0;
  const duration = allDay
    ? Math.max(1, Math.round((valid ? series.durationMs! : DAY) / DAY)) * DAY
    : valid
      ? series.durationMs!
      : 0;
  const start = localToInstant(local, zone);
  return {
    start: new Date(start),
    end: new Date(allDay ? localToInstant(local + duration, zone) : start + duration),
    originalStart: allDay ? formatLocalDate(local) : formatUtc(start),
    isException: false,
    allDay,
    ...(allDay ? { startDate: formatLocalDate(local), endDate: formatLocalDate(local + duration) } : {}),
  };
}

/**
 * What a calendar view wants: the occurrences, or for a series that does not compile its first occurrence
 * (when in the window) and the reason as a warning. Never throws for bad series data.
 */
export function expandOrFallback(
  series: Series | CompiledSeries,
  from: Date,
  to: Date,
  options?: ExpandOptions,
): { occurrences: Occurrence[]; warning?: RecurrenceIssue } {
  let result: CompileResult;
  if ('rules' in series && 'overridden' in series) result = { ok: true, series };
  else result = compileSeries(series);
  if (result.ok) return { occurrences: expand(result.series, from, to, options) };
  const first = firstOccurrenceFallback(series as Series, options);
  const inWindow = first && first.start.getTime() < to.getTime() && first.start.getTime() >= from.getTime();
  return { occurrences: inWindow ? [first] : [], warning: result.error };
}
