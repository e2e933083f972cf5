/**
 * How events leave the emulator.
 */
import type { CalendarEvent, EventDateTime } from './model.js';
import { formatInstant } from './time.js';

export const originalKey = (t: EventDateTime | undefined) =>
  t?.dateTime ? Date.parse(t.dateTime) : Number.NaN;

/**
 * How an event leaves the emulator: dateTimes in the response zone (Google: `timeZone` "Time zone used in the
 * response ... The default is the time zone of the calendar"). In lists, a cancelled event carries only what
 * Google guarantees: id, status and, for an instance, recurringEventId and originalStartTime.
 */
export function present(event: CalendarEvent, zone: string, inList: boolean): Partial<CalendarEvent> {
  const inZone = (t: EventDateTime | undefined) =>
    t?.dateTime ? { ...t, dateTime: formatInstant(Date.parse(t.dateTime), zone) } : t;
  if (inList && event.status === 'cancelled') {
    return {
      kind: event.kind,
      etag: event.etag,
      id: event.id,
      status: 'cancelled',
      ...(event.recurringEventId
        ? { recurringEventId: event.recurringEventId, originalStartTime: inZone(event.originalStartTime) }
        : {}),
    };
  }
  const out: Partial<CalendarEvent> = { ...event, start: inZone(event.start)!, end: inZone(event.end)! };
  if (event.originalStartTime) out.originalStartTime = inZone(event.originalStartTime);
  return out;
}
