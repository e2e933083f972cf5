/** Expansion that never throws: the first-occurrence fallback for series that do not compile. */
import { type CompiledSeries, type CompileResult, compileSeries } from './compile.ts';
import type { RecurrenceIssue } from './errors.ts';
import { expandWithin } from './expand.ts';
import {
  DAY,
  formatLocalDate,
  formatUtc,
  localToInstant,
  parseLocalDate,
  parseLocalDateTime,
  resolveZone,
} from './local-time.ts';
import { allDayZone } from './series-frame.ts';
import type { ExpandOptions, Occurrence, Series } from './types.ts';

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
 * What a calendar view wants; never throws for bad series data or a hostile rule:
 * - a series that does not compile: its first occurrence (when in the window), `warning` its reason;
 * - one that needs more than the work budget: the occurrences before `coveredUntil`, `warning`
 *   `budget_exceeded`;
 * - `notices`: `nonstandard_rrule` for rule parts RFC 5545 forbids that are expanded as python-dateutil does.
 */
export function expandOrFallback(
  series: Series | CompiledSeries,
  from: Date,
  to: Date,
  options?: ExpandOptions,
): {
  occurrences: Occurrence[];
  warning?: RecurrenceIssue;
  coveredUntil?: Date;
  notices?: RecurrenceIssue[];
} {
  let result: CompileResult;
  if ('rules' in series && 'overridden' in series) result = { ok: true, series };
  else result = compileSeries(series);
  if (result.ok) {
    const notices = result.series.warnings.length > 0 ? { notices: [...result.series.warnings] } : {};
    const expanded = expandWithin(result.series, from, to, options);
    if (expanded.ok) return { occurrences: expanded.occurrences, ...notices };
    return {
      occurrences: expanded.occurrences,
      warning: expanded.error,
      coveredUntil: expanded.coveredUntil,
      ...notices,
    };
  }
  const first = firstOccurrenceFallback(series as Series, options);
  const inWindow = first && first.start.getTime() < to.getTime() && first.start.getTime() >= from.getTime();
  return { occurrences: inWindow ? [first] : [], warning: result.error };
}
