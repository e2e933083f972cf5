import type { CalendarEventDto } from '@firstlight/contracts';
import { Budget } from '@firstlight/recurrence';
import { addDays, dateInZone } from './calendar-dates.ts';
import type { CalendarOccurrence, MoreMarker, ViewOccurrences } from './occurrence-types.ts';
import { daysOf, type ExpansionTarget, expandSeries, lastDayOf, RENDER_BUDGET } from './series-expansion.ts';

export {
  type CalendarOccurrence,
  type MoreMarker,
  type OccurrenceWarning,
  SERIES_DAY_LIMIT,
  type ViewOccurrences,
} from './occurrence-types.ts';

/**
 * Every occurrence overlapping [from, to) in `zone`, sorted all-day first, then by start, and the markers of
 * what is not drawn. Bounded work: see the budgets in series-expansion.ts; nothing here can freeze the tab.
 */
export function occurrencesIn(
  events: readonly CalendarEventDto[],
  from: Date,
  to: Date,
  zone: string,
): ViewOccurrences {
  const target: ExpansionTarget = {
    out: [],
    more: [],
    shared: new Budget(RENDER_BUDGET),
    days: daysOf(from, to, zone),
    from,
    to,
    zone,
  };
  for (const event of events) {
    if (event.status === 'cancelled') continue;
    if (event.kind === 'series') expandSeries(event, target);
    else {
      const single = singleView(event, from, to, zone);
      if (single) target.out.push(single);
    }
  }
  const out = target.out;
  out.sort(
    (a, b) =>
      Number(b.allDay) - Number(a.allDay) ||
      a.start.getTime() - b.start.getTime() ||
      a.key.localeCompare(b.key),
  );
  return { occurrences: out, more: target.more };
}

/** A single event as the views draw it, or null when it does not overlap [from, to). */
function singleView(
  event: Extract<CalendarEventDto, { kind: 'single' }>,
  from: Date,
  to: Date,
  zone: string,
): CalendarOccurrence | null {
  const start = new Date(event.start);
  const end = new Date(event.end);
  if (!(start < to && end > from)) return null;
  const allDay = event.allDay && event.startDate !== null && event.endDate !== null;
  return {
    key: event.id,
    event,
    title: event.summary ?? '(no title)',
    start,
    end,
    allDay,
    firstDay: allDay ? event.startDate! : dateInZone(start, zone),
    lastDay: allDay ? addDays(event.endDate!, -1) : lastDayOf(start, end, zone),
    originalStart: null,
    isException: false,
    warning: null,
    notes: [],
  };
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

/** The markers per civil day. */
export function moreByDay(markers: readonly MoreMarker[]): Map<string, MoreMarker[]> {
  const map = new Map<string, MoreMarker[]>();
  for (const marker of markers) {
    const list = map.get(marker.day);
    if (list) list.push(marker);
    else map.set(marker.day, [marker]);
  }
  return map;
}

/** "+3 more", or "+ more" when some were not counted. */
export function moreLabel(hidden: number, uncounted: boolean): string {
  return uncounted ? `+${hidden > 0 ? hidden : ''} more` : `+${hidden} more`;
}
