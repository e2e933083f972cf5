import type { CalendarEventsTable } from '@firstlight/db';
import { RecurrenceError } from '@firstlight/recurrence';
import type { Insertable } from 'kysely';
import { DomainError } from '../lib/errors.ts';
import type { NewSeries } from './calendar-source.ts';
import { type EventRecord, toDto, toSeries } from './event-dto.ts';
import { assertOccurrence, type EditDeps, lockSeries, notFound, tooComplex } from './occurrence-edits.ts';
import { seriesBounds } from './series-bounds.ts';
import { insertEvent, shortenSeries } from './series-repository.ts';
import { type Split, splitSeries } from './series-split.ts';
import { insertOutbox, toWritebackDto } from './writeback-repository.ts';

/**
 * "This and following": the old row ends before `fromKey`, a new row starts there (with a Google event id we
 * choose, so the write-back can insert it idempotently), one outbox row carries both changes to Google.
 */
export async function splitSeriesAt(deps: EditDeps, userId: string, id: string, fromKey: string) {
  const result = await deps.db.transaction().execute(async (trx) => {
    const row = await lockSeries(trx, userId, id);
    assertOccurrence(row, fromKey);
    const split = planSplit(row, fromKey);
    const oldBounds = seriesBounds(
      {
        dtstart: toSeries(row).dtstart,
        tzid: row.tzid,
        durationMs: row.duration_ms ?? 0,
        recurrence: split.old.recurrence,
      },
      row.start_at,
    );
    const old = await shortenSeries(trx, row.id, {
      recurrence: split.old.recurrence,
      exceptions: split.old.exceptions,
      seriesEnd: oldBounds.end,
    });
    const next = await insertEvent(trx, newSeriesRow(userId, row, split));
    const outbox = await insertOutbox(trx, {
      userId,
      accountId: row.account_id,
      eventId: row.id,
      calendarId: row.calendar_id,
      googleEventId: row.google_event_id,
      operation: 'split_series',
      payload: { oldRecurrence: split.old.recurrence, newEvent: newSeriesOf(row, split) },
    });
    return { old, next, outbox };
  });
  await deps.enqueue(result.outbox);
  const [old, next] = [toDto(result.old), toDto(result.next)];
  if (old.kind !== 'series' || next.kind !== 'series') throw notFound();
  return { old, next, writeback: toWritebackDto(result.outbox) };
}

function planSplit(row: EventRecord, fromKey: string): Split {
  let split: Split | undefined;
  try {
    split = splitSeries(
      { ...toSeries(row), tzid: row.tzid, durationMs: row.duration_ms ?? 0, exceptions: row.exceptions },
      fromKey,
    );
  } catch (error) {
    // Counting the occurrences before the split ran past the engine's work budget.
    if (error instanceof RecurrenceError && error.code === 'budget_exceeded') throw tooComplex();
    throw error;
  }
  if (!split) throw new DomainError(400, 'invalid_split', 'a series cannot be split at its first occurrence');
  return split;
}

/** The new side of the split, in the same account and calendar as the old one. */
function newSeriesRow(userId: string, row: EventRecord, split: Split): Insertable<CalendarEventsTable> {
  const { next } = split;
  const bounds = seriesBounds(
    { dtstart: next.dtstart, tzid: row.tzid, durationMs: next.durationMs, recurrence: next.recurrence },
    next.startAt,
  );
  return {
    user_id: userId,
    account_id: row.account_id,
    calendar_id: row.calendar_id,
    google_event_id: next.googleEventId,
    kind: 'series',
    status: row.status,
    summary: row.summary,
    location: row.location,
    all_day: row.all_day,
    start_at: next.startAt,
    end_at: new Date(next.startAt.getTime() + (row.duration_ms ?? 0)),
    tzid: row.tzid,
    dtstart_local: row.all_day ? `${next.dtstart} 00:00:00` : next.dtstart.replace('T', ' '),
    duration_ms: row.duration_ms,
    recurrence: next.recurrence,
    exceptions: next.exceptions,
    series_start: bounds.start,
    series_end: bounds.end,
  };
}

/** The new series as the write-back sends it (calendar-source.ts NewSeries). */
function newSeriesOf(row: EventRecord, split: Split): NewSeries {
  const { next } = split;
  const end = new Date(next.startAt.getTime() + (row.duration_ms ?? 0));
  return {
    id: next.googleEventId,
    summary: row.summary,
    location: row.location,
    recurrence: next.recurrence,
    allDay: row.all_day,
    tzid: row.tzid,
    start: row.all_day ? next.dtstart : next.startAt.toISOString(),
    end: row.all_day ? end.toISOString().slice(0, 10) : end.toISOString(),
  };
}
