import type { CalendarEventDto, SeriesEvent } from '@firstlight/contracts';
import { type CompileResult, compileSeries, expandOrFallback, type Series } from '@firstlight/recurrence';
import { addDays, dateInZone } from './calendar-dates.ts';

/** One thing on screen: a single event, or one occurrence of a series expanded in the browser. */
export interface CalendarOccurrence {
  /** Stable across re-expansions: event id + original start. */
  key: string;
  event: CalendarEventDto;
  title: string;
  start: Date;
  end: Date;
  allDay: boolean;
  /** First and last civil day it covers in the viewer's zone (inclusive), for placing it in day cells. */
  firstDay: string;
  lastDay: string;
  /** Series only: the occurrence's identity for the edit routes. */
  originalStart: string | null;
  isException: boolean;
  /** The rule did not compile: only the first occurrence is shown (packages/recurrence's fallback). */
  warning: string | null;
}

// Compiling parses the rule lines once; a series object is replaced (never mutated) on every edit, so a
// WeakMap keyed by it is invalidated exactly when the series changes.
const compiled = new WeakMap<SeriesEvent, CompileResult>();

function seriesOf(event: SeriesEvent): Series {
  return {
    dtstart: event.dtstart,
    ...(event.tzid ? { tzid: event.tzid } : {}),
    durationMs: event.durationMs,
    recurrence: event.recurrence,
    exceptions: event.exceptions,
  };
}

function compiledOf(event: SeriesEvent): CompileResult {
  let result = compiled.get(event);
  if (!result) {
    result = compileSeries(seriesOf(event));
    compiled.set(event, result);
  }
  return result;
}

function lastDayOf(start: Date, end: Date, zone: string): string {
  // The end is exclusive: an event ending at midnight does not touch the next day.
  return dateInZone(new Date(Math.max(start.getTime(), end.getTime() - 1)), zone);
}

/** Every occurrence overlapping [from, to) in `zone`, sorted all-day first, then by start. */
export function occurrencesIn(
  events: readonly CalendarEventDto[],
  from: Date,
  to: Date,
  zone: string,
): CalendarOccurrence[] {
  const out: CalendarOccurrence[] = [];
  for (const event of events) {
    if (event.status === 'cancelled') continue;
    const fallbackTitle = event.summary ?? '(no title)';
    if (event.kind === 'single') {
      const start = new Date(event.start);
      const end = new Date(event.end);
      if (!(start < to && end > from)) continue;
      const allDay = event.allDay && event.startDate !== null && event.endDate !== null;
      out.push({
        key: event.id,
        event,
        title: fallbackTitle,
        start,
        end,
        allDay,
        firstDay: allDay ? event.startDate! : dateInZone(start, zone),
        lastDay: allDay ? addDays(event.endDate!, -1) : lastDayOf(start, end, zone),
        originalStart: null,
        isException: false,
        warning: null,
      });
      continue;
    }
    const compileResult = compiledOf(event);
    const { occurrences, warning } = expandOrFallback(
      compileResult.ok ? compileResult.series : seriesOf(event),
      from,
      to,
      { window: 'overlap', allDayZone: zone },
    );
    for (const occurrence of occurrences) {
      const summary = occurrence.overrides?.summary;
      out.push({
        key: `${event.id}/${occurrence.originalStart}`,
        event,
        title: typeof summary === 'string' ? summary : fallbackTitle,
        start: occurrence.start,
        end: occurrence.end,
        allDay: occurrence.allDay,
        firstDay: occurrence.startDate ?? dateInZone(occurrence.start, zone),
        lastDay: occurrence.endDate
          ? addDays(occurrence.endDate, -1)
          : lastDayOf(occurrence.start, occurrence.end, zone),
        originalStart: occurrence.originalStart,
        isException: occurrence.isException,
        warning: warning ? `${warning.code}: ${warning.reason}` : null,
      });
    }
  }
  return out.sort(
    (a, b) =>
      Number(b.allDay) - Number(a.allDay) ||
      a.start.getTime() - b.start.getTime() ||
      a.key.localeCompare(b.key),
  );
}

/** Occurrences per civil day for the given days (a multi-day event appears on each day it covers). */
export function byDay(occurrences: readonly CalendarOccurrence[], days: readonly string[]) {
  const map = new Map<string, CalendarOccurrence[]>(days.map((day) => [day, []]));
  const first = days[0] ?? '';
  const last = days[days.length - 1] ?? '';
  for (const occurrence of occurrences) {
    // Civil dates compare as strings (YYYY-MM-DD), so no Math.min/max here.
    let day = occurrence.firstDay;
    if (day < first) day = first;
    let until = occurrence.lastDay;
    if (until > last) until = last;
    while (day <= until) {
      map.get(day)?.push(occurrence);
      day = addDays(day, 1);
    }
  }
  return map;
}
