import type { CalendarEventDto } from '@firstlight/contracts';
import type { CalendarEventsTable } from '@firstlight/db';
import type { Selectable } from 'kysely';

export type EventRecord = Selectable<CalendarEventsTable>;

const date = (instant: Date) => instant.toISOString().slice(0, 10);

/** A stored row as the browser sees it (the engine's Series shape for series). */
export function toDto(row: EventRecord): CalendarEventDto {
  const base = {
    id: row.id,
    calendarId: row.calendar_id,
    googleEventId: row.google_event_id,
    summary: row.summary,
    location: row.location,
    status: row.status,
    allDay: row.all_day,
  };
  if (row.kind === 'single') {
    return {
      ...base,
      kind: 'single',
      start: row.start_at.toISOString(),
      end: row.end_at.toISOString(),
      startDate: row.all_day ? date(row.start_at) : null,
      endDate: row.all_day ? date(row.end_at) : null,
    };
  }
  const local = (row.dtstart_local ?? '').replace(' ', 'T');
  return {
    ...base,
    kind: 'series',
    dtstart: row.all_day ? local.slice(0, 10) : local.slice(0, 19),
    tzid: row.tzid,
    durationMs: row.duration_ms ?? 0,
    recurrence: row.recurrence ?? [],
    exceptions: row.exceptions,
    seriesStart: (row.series_start ?? row.start_at).toISOString(),
    seriesEnd: row.series_end?.toISOString() ?? null,
  };
}

/** The engine's input for a stored series. */
export function toSeries(row: EventRecord) {
  const dto = toDto(row);
  if (dto.kind !== 'series') throw new Error('not a series');
  return {
    dtstart: dto.dtstart,
    ...(dto.tzid ? { tzid: dto.tzid } : {}),
    durationMs: dto.durationMs,
    recurrence: dto.recurrence,
    exceptions: dto.exceptions,
  };
}
