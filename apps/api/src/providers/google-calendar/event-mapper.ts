import { CALENDAR_REQUIRED_FIELDS, GoogleCalendarEvent, parseLeniently } from '@firstlight/contracts';
import { isKnownZone, originalStartFromGoogle, toLocalDateTime } from '@firstlight/recurrence';
import { type EventRow, LoopSlice, type Mapped, seriesBounds } from '../../calendar/index.ts';

/**
 * Google Calendar events → our rows (ARCHITECTURE §4): a single → one row; a series master → one row with its
 * rule lines, zone, local DTSTART and duration; an instance Google reports with `recurringEventId` is never a
 * row but a change to its master's exceptions. Data from Google is validated (GoogleCalendarEvent in
 * packages/contracts cleans text for PostgreSQL): a field whose loss changes nothing essential is left out and
 * named in `parse_error`; an event that cannot be read safely is reported with a reason, not stored half-way.
 */

/** The schema lives in packages/contracts. */
export const GoogleEvent = GoogleCalendarEvent;
export type GoogleEvent = GoogleCalendarEvent;

const DAY_MS = 86_400_000;

/** All-day dates are instants at UTC midnight in `start_at`/`end_at` (for range queries); the dates stay dates. */
const dateInstant = (date: string) => new Date(`${date}T00:00:00Z`);

/**
 * PostgreSQL's timestamptz ends at 294276 AD and JS Dates reach 275760 BC; Google's calendars live in years
 * 1–9999 (RFC 3339 has four-digit years). Outside them an instant is not read as one.
 */
const readable = (date: Date) => {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
};

/** Never throws: anything unexpected in a rule or a zone is this event's `invalid`, not its calendar's error. */
export function mapEvent(raw: unknown, calendarZone: string | null): Mapped {
  try {
    return mapParsed(raw, calendarZone);
  } catch (error) {
    const id = (raw as { id?: unknown } | null)?.id;
    return {
      type: 'invalid',
      googleEventId: typeof id === 'string' ? id : null,
      reason: `unreadable: ${error instanceof Error ? error.name : 'error'}`,
    };
  }
}

function mapParsed(raw: unknown, calendarZone: string | null): Mapped {
  const parsed = parseLeniently(GoogleEvent, raw, CALENDAR_REQUIRED_FIELDS);
  if (!parsed.ok) {
    const id = (raw as { id?: unknown } | null)?.id;
    return { type: 'invalid', googleEventId: typeof id === 'string' ? id : null, reason: parsed.reason };
  }
  const event = parsed.data;
  const notes = [...parsed.dropped];
  if (event.recurringEventId) return mapInstance(event, event.recurringEventId);
  if (event.status === 'cancelled') return { type: 'deleted', googleEventId: event.id };
  if (!event.start || !event.end)
    return { type: 'invalid', googleEventId: event.id, reason: 'no start or end' };

  const allDay = Boolean(event.start.date);
  const start = allDay ? dateInstant(event.start.date!) : new Date(event.start.dateTime ?? '');
  const end = allDay ? dateInstant(event.end.date ?? event.start.date!) : new Date(event.end.dateTime ?? '');
  if (!readable(start) || !readable(end) || end < start) {
    return { type: 'invalid', googleEventId: event.id, reason: 'unreadable or reversed start/end' };
  }
  const updated = event.updated ? new Date(event.updated) : null;
  if (updated && !readable(updated)) notes.push('updated: outside years 1-9999');
  const base = {
    google_event_id: event.id,
    status: event.status ?? 'confirmed',
    summary: event.summary ?? null,
    location: event.location ?? null,
    all_day: allDay,
    start_at: start,
    end_at: allDay && end.getTime() === start.getTime() ? new Date(start.getTime() + DAY_MS) : end,
    etag: event.etag ?? null,
    google_updated: updated && readable(updated) ? updated : null,
    parse_error: notes.length > 0 ? notes.join('; ').slice(0, 1000) : null,
  };
  const recurrence = (event.recurrence ?? []).filter((line) => line.trim() !== '');
  if (recurrence.length === 0) {
    return {
      type: 'row',
      row: {
        ...base,
        kind: 'single',
        tzid: null,
        dtstart_local: null,
        duration_ms: null,
        recurrence: null,
        series_start: null,
        series_end: null,
      },
    };
  }
  return mapSeries(event, base, recurrence, calendarZone);
}

/** An instance Google reports with `recurringEventId`: a change to its master's exceptions, never a row. */
function mapInstance(event: GoogleEvent, masterId: string): Mapped {
  const key = event.originalStartTime ? originalStartFromGoogle(event.originalStartTime) : undefined;
  if (!key)
    return { type: 'invalid', googleEventId: event.id, reason: 'an instance without originalStartTime' };
  if (event.status === 'cancelled') {
    return {
      type: 'exception',
      instanceId: event.id,
      masterId,
      key,
      cancelled: true,
      override: {},
    };
  }
  const override: Record<string, unknown> = {};
  if (event.start) override.start = event.start.dateTime ?? event.start.date;
  if (event.end) override.end = event.end.dateTime ?? event.end.date;
  if (event.summary !== undefined) override.summary = event.summary;
  if (event.location) override.location = event.location;
  return {
    type: 'exception',
    instanceId: event.id,
    masterId,
    key,
    cancelled: false,
    override,
  };
}

/** What singles and series rows share. */
type RowBase = Omit<
  EventRow,
  'kind' | 'tzid' | 'dtstart_local' | 'duration_ms' | 'recurrence' | 'series_start' | 'series_end'
>;

/** A series master: its rule lines, zone, local DTSTART, duration and the range it covers. */
function mapSeries(
  event: GoogleEvent,
  base: RowBase,
  recurrence: string[],
  calendarZone: string | null,
): Mapped {
  const allDay = base.all_day;
  const start = base.start_at;
  const first = event.start!; // checked by mapParsed
  // Google: start.timeZone is required on recurring events and is the zone the rule expands in.
  const tzid = allDay ? null : (first.timeZone ?? calendarZone);
  if (!allDay && (!tzid || !isKnownZone(tzid))) {
    // The reason names no value: reasons are few (they key the failures table and label a metric).
    return { type: 'invalid', googleEventId: event.id, reason: tzid ? 'unknown time zone' : 'no time zone' };
  }
  const dtstart = allDay ? first.date! : toLocalDateTime(start, tzid!);
  const durationMs = base.end_at.getTime() - start.getTime();
  const bounds = seriesBounds({ dtstart, tzid, durationMs, recurrence }, start);
  // An end the database cannot hold (an UNTIL in year 10000) reads as unbounded, like a rule the engine refuses.
  const seriesEnd = bounds.end && readable(bounds.end) ? bounds.end : null;
  if (!readable(bounds.start)) {
    return { type: 'invalid', googleEventId: event.id, reason: 'series start outside years 1-9999' };
  }
  return {
    type: 'row',
    row: {
      ...base,
      kind: 'series',
      tzid,
      // timestamp without time zone: midnight for an all-day series.
      dtstart_local: allDay ? `${dtstart} 00:00:00` : dtstart.replace('T', ' '),
      duration_ms: durationMs,
      recurrence,
      series_start: bounds.start,
      series_end: seriesEnd,
    },
  };
}

/**
 * mapEvent over a sync pass's items, yielding to the event loop between slices (loop-slice.ts): each series'
 * bounds run under the recurrence engine's work budget, and a page of many heavy series must not hold the
 * loop for the sum of them.
 */
export async function mapEvents(items: readonly unknown[], calendarZone: string | null): Promise<Mapped[]> {
  const out: Mapped[] = [];
  const slice = new LoopSlice();
  for (const item of items) {
    out.push(mapEvent(item, calendarZone));
    await slice.pause();
  }
  return out;
}
