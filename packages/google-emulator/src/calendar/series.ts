/**
 * Recurring events as Google shows them: a parent (with `recurrence`) and its instances, whose ids are
 * `{parentId}_{original start in UTC as YYYYMMDDTHHMMSSZ}` (`_{YYYYMMDD}` for all-day series).
 */
import { expandSeries, type Occurrence, type SeriesInput } from './expand.js';
import type { CalendarEvent, EventDateTime } from './model.js';
import {
  compactDate,
  compactUtc,
  formatInstant,
  instantToLocal,
  isoDate,
  localToInstant,
  parseIcalValue,
  parseIsoDate,
} from './time.js';

const DAY = 86_400_000;

export const isAllDay = (event: Pick<CalendarEvent, 'start'>): boolean => event.start.date !== undefined;
export const isRecurring = (event: CalendarEvent): boolean => (event.recurrence?.length ?? 0) > 0;

/** The zone a series expands in: Google requires `start.timeZone` on recurring events. */
export const seriesZone = (parent: CalendarEvent, calendarZone: string): string =>
  parent.start.timeZone ?? calendarZone;

export function seriesInputOf(parent: CalendarEvent, calendarZone: string): SeriesInput {
  const timeZone = seriesZone(parent, calendarZone);
  const allDay = isAllDay(parent);
  return {
    allDay,
    timeZone,
    startLocal: allDay
      ? parseIsoDate(parent.start.date!)
      : instantToLocal(Date.parse(parent.start.dateTime!), timeZone),
    recurrence: parent.recurrence ?? [],
  };
}

/** Exact duration (timed) or whole days (all-day): RFC 5545 §3.8.5.3, instances keep DTSTART/DTEND's span. */
export function durationOf(event: Pick<CalendarEvent, 'start' | 'end'>): number {
  if (event.start.date)
    return parseIsoDate(event.end.date ?? event.start.date) - parseIsoDate(event.start.date);
  return Date.parse(event.end.dateTime!) - Date.parse(event.start.dateTime!);
}

/** The instant span of an event; all-day dates are read in the calendar's zone (as Google filters them). */
export function spanOf(event: Pick<CalendarEvent, 'start' | 'end'>, calendarZone: string) {
  if (event.start.date) {
    const start = localToInstant(parseIsoDate(event.start.date), calendarZone);
    const end = localToInstant(parseIsoDate(event.end.date ?? event.start.date), calendarZone);
    return { start, end: Math.max(end, start + 1) };
  }
  return { start: Date.parse(event.start.dateTime!), end: Date.parse(event.end.dateTime!) };
}

export function instanceId(parentId: string, occurrenceStart: number, allDay: boolean): string {
  return `${parentId}_${allDay ? compactDate(occurrenceStart) : compactUtc(occurrenceStart)}`;
}

/** Splits an instance id into its parent id and original start (instant, or floating date if all-day). */
export function parseInstanceId(
  id: string,
): { parentId: string; start: number; allDay: boolean } | undefined {
  const cut = id.lastIndexOf('_');
  if (cut <= 0) return undefined;
  const suffix = id.slice(cut + 1);
  if (!/^\d{8}(T\d{6}Z)?$/.test(suffix)) return undefined;
  const value = parseIcalValue(suffix);
  const start = value.kind === 'utc' ? value.instant : value.kind === 'date' ? value.floating : Number.NaN;
  return { parentId: id.slice(0, cut), start, allDay: value.kind === 'date' };
}

/** `originalStartTime` of an occurrence: the parent's zone, or a date for all-day series. */
export function originalStartOf(parent: CalendarEvent, start: number, calendarZone: string): EventDateTime {
  if (isAllDay(parent)) return { date: isoDate(start) };
  const timeZone = seriesZone(parent, calendarZone);
  return { dateTime: formatInstant(start, timeZone), timeZone };
}

/** Start/end of an unmodified occurrence. */
export function occurrenceTimes(parent: CalendarEvent, start: number, calendarZone: string) {
  const duration = durationOf(parent);
  if (isAllDay(parent)) return { start: { date: isoDate(start) }, end: { date: isoDate(start + duration) } };
  const timeZone = parent.end.timeZone ?? seriesZone(parent, calendarZone);
  return {
    start: {
      dateTime: formatInstant(start, seriesZone(parent, calendarZone)),
      timeZone: seriesZone(parent, calendarZone),
    },
    end: { dateTime: formatInstant(start + duration, timeZone), timeZone },
  };
}

/** An unmodified occurrence as Google returns it with singleEvents=true or from events.instances. */
export function virtualInstance(parent: CalendarEvent, start: number, calendarZone: string): CalendarEvent {
  const { recurrence: _recurrence, ...rest } = parent;
  return {
    ...rest,
    id: instanceId(parent.id, start, isAllDay(parent)),
    recurringEventId: parent.id,
    originalStartTime: originalStartOf(parent, start, calendarZone),
    ...occurrenceTimes(parent, start, calendarZone),
  };
}

/** Occurrences of a parent with start ≤ stop. */
export function occurrencesOf(
  parent: CalendarEvent,
  calendarZone: string,
  stop: number,
  limit?: number,
): Occurrence[] {
  return expandSeries(seriesInputOf(parent, calendarZone), stop, limit);
}

/** Is `start` (instant, or floating date) an occurrence of the parent's current rule? */
export function isOccurrence(parent: CalendarEvent, start: number, calendarZone: string): boolean {
  const input = seriesInputOf(parent, calendarZone);
  if (start < input.startLocal - 2 * DAY) return false;
  return expandSeries(input, start).some((o) => o.start === start);
}
