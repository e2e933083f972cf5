import type {
  BusyResponse,
  CalendarRangeResponse,
  EditResponse,
  OccurrencePatch,
} from '@firstlight/contracts';
import type { Database, SeriesExceptions } from '@firstlight/db';
import { expandWithin, parseOriginalStart, RecurrenceError } from '@firstlight/recurrence';
import type { Kysely } from 'kysely';
import { DomainError } from '../lib/errors.ts';
import { eventsInRange } from './calendar-repository.ts';
import { type EventRecord, toDto, toSeries } from './event-dto.ts';
import { foldException } from './event-mapper.ts';
import { LoopSlice } from './loop-slice.ts';
import { assertEditable, resolvePatch, sentFields } from './occurrence-rules.ts';
import { seriesBounds } from './series-bounds.ts';
import { seriesBusy } from './series-busy.ts';
import { splitSeries } from './series-split.ts';
import { insertOutbox, type OutboxRow, toWritebackDto } from './writeback-repository.ts';

/** Enqueues the write-back task of an outbox row (after its transaction committed). */
export type WritebackEnqueuer = (outbox: OutboxRow) => Promise<void>;

export async function eventsForRange(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<CalendarRangeResponse> {
  const rows = await eventsInRange(db, userId, from, to);
  const calendars = [...new Set(rows.map((row) => row.calendar_id))].map((id) => ({
    id,
    timeZone: rows.find((row) => row.calendar_id === id && row.tzid)?.tzid ?? null,
    synced: true,
  }));
  return { from: from.toISOString(), to: to.toISOString(), events: rows.map(toDto), calendars };
}

const notFound = () => new DomainError(404, 'not_found', 'no such series');

async function lockSeries(db: Kysely<Database>, userId: string, id: string): Promise<EventRecord> {
  const row = await db
    .selectFrom('calendar_events')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId) // another user's id is simply not found
    .forUpdate()
    .executeTakeFirst();
  if (row?.kind !== 'series') throw notFound();
  return row;
}

/** The key must name an occurrence the rule produces (not a made-up time): checked with the engine. */
function assertOccurrence(row: EventRecord, key: string): void {
  const parsed = parseOriginalStart(key);
  if (!parsed || parsed.allDay !== row.all_day) {
    throw new DomainError(400, 'invalid_occurrence', `${key} is not an occurrence key of this series`);
  }
  const from = parsed.allDay ? new Date(`${parsed.date}T00:00:00Z`) : parsed.instant;
  const to = new Date(from.getTime() + (parsed.allDay ? 86_400_000 : 1000));
  const series = { ...toSeries(row), exceptions: { cancelled: [], overrides: {} } };
  // Under the engine's work budget (a hostile rule must not block the request): past it, a typed 422.
  const result = expandWithin(series, from, to);
  if (!result.ok && result.coveredUntil.getTime() <= from.getTime()) throw tooComplex();
  const found = result.occurrences.some((occurrence) => occurrence.originalStart === key);
  if (!found) throw new DomainError(404, 'no_such_occurrence', `the series has no occurrence at ${key}`);
}

const tooComplex = () =>
  new DomainError(
    422,
    'series_too_complex',
    "expanding this series needs more than the recurrence engine's work budget (packages/recurrence budget.ts)",
  );

async function editOccurrence(
  deps: { db: Kysely<Database>; enqueue: WritebackEnqueuer },
  userId: string,
  id: string,
  key: string,
  change: { cancelled: true } | { cancelled: false; patch: OccurrencePatch },
): Promise<EditResponse> {
  const { row, outbox } = await deps.db.transaction().execute(async (trx) => {
    const series = await lockSeries(trx, userId, id);
    assertOccurrence(series, key);
    assertEditable(series, key, change.cancelled ? 'cancel' : 'change');
    const override = change.cancelled ? {} : resolvePatch(series, key, change.patch);
    const exceptions: SeriesExceptions = foldException(series.exceptions, {
      key,
      cancelled: change.cancelled,
      override,
    });
    // One UPDATE of the JSONB and one outbox row, in one transaction (ARCHITECTURE §4).
    const row = await trx
      .updateTable('calendar_events')
      .set({ exceptions: JSON.stringify(exceptions) as never, updated_at: new Date() })
      .where('id', '=', series.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const outbox = await insertOutbox(trx, {
      userId,
      accountId: series.account_id,
      eventId: series.id,
      calendarId: series.calendar_id,
      googleEventId: series.google_event_id,
      operation: change.cancelled ? 'cancel_occurrence' : 'patch_occurrence',
      payload: {
        originalStart: key,
        allDay: series.all_day,
        tzid: series.tzid,
        // Google gets only what this request changed (events.patch keeps the rest).
        ...(change.cancelled ? {} : sentFields(override, change.patch)),
      },
    });
    return { row, outbox };
  });
  await deps.enqueue(outbox);
  const event = toDto(row);
  if (event.kind !== 'series') throw notFound();
  return { event, writeback: toWritebackDto(outbox) };
}

export function cancelOccurrence(
  deps: { db: Kysely<Database>; enqueue: WritebackEnqueuer },
  userId: string,
  id: string,
  key: string,
): Promise<EditResponse> {
  return editOccurrence(deps, userId, id, key, { cancelled: true });
}

export function patchOccurrence(
  deps: { db: Kysely<Database>; enqueue: WritebackEnqueuer },
  userId: string,
  id: string,
  key: string,
  patch: OccurrencePatch,
): Promise<EditResponse> {
  return editOccurrence(deps, userId, id, key, { cancelled: false, patch });
}

export async function deleteSeries(
  deps: { db: Kysely<Database>; enqueue: WritebackEnqueuer },
  userId: string,
  id: string,
) {
  const outbox = await deps.db.transaction().execute(async (trx) => {
    const series = await lockSeries(trx, userId, id);
    await trx.deleteFrom('calendar_events').where('id', '=', series.id).execute();
    return insertOutbox(trx, {
      userId,
      accountId: series.account_id,
      eventId: null,
      calendarId: series.calendar_id,
      googleEventId: series.google_event_id,
      operation: 'delete_series',
      payload: {},
    });
  });
  await deps.enqueue(outbox);
  return { writeback: toWritebackDto(outbox) };
}

/**
 * Free/busy on the server with the same engine as the browser: singles plus every series expanded over the
 * window (nothing expanded is stored), merged into busy intervals.
 */
export async function busy(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<BusyResponse> {
  const rows = await eventsInRange(db, userId, from, to);
  const intervals: [number, number][] = [];
  const slice = new LoopSlice();
  for (const row of rows) {
    await slice.pause();
    if (row.status === 'cancelled') continue;
    if (row.kind === 'single') {
      intervals.push([row.start_at.getTime(), row.end_at.getTime()]);
      continue;
    }
    try {
      // Each series under the engine's work budget, so a hostile rule (FREQ=SECONDLY...) costs a bounded
      // slice of the event loop. Past the budget the rest of the window counts as busy until the series'
      // own end (series_end: its last occurrence's end, exact): it was still producing occurrences there,
      // and reporting time as free that may not be is the worse error.
      const { intervals: found, coveredUntil } = await seriesBusy(toSeries(row), from, to, slice);
      intervals.push(...found);
      const until = Math.min(to.getTime(), row.series_end?.getTime() ?? Number.POSITIVE_INFINITY);
      if ((row.duration_ms ?? 0) > 0 && coveredUntil < until) intervals.push([coveredUntil, until]);
    } catch {
      // An unreadable rule blocks its first occurrence only; the browser shows the warning.
      intervals.push([row.start_at.getTime(), row.end_at.getTime()]);
    }
  }
  const clipped = intervals
    .map(([start, end]) => [Math.max(start, from.getTime()), Math.min(end, to.getTime())] as [number, number])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const interval of clipped) {
    const last = merged.at(-1);
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push([...interval]);
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    busy: merged.map(([start, end]) => ({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    })),
  };
}

/**
 * "This and following": the old row ends before `fromKey`, a new row starts there (with a Google event id we
 * choose, so the write-back can insert it idempotently), one outbox row carries both changes to Google.
 */
export async function splitSeriesAt(
  deps: { db: Kysely<Database>; enqueue: WritebackEnqueuer },
  userId: string,
  id: string,
  fromKey: string,
) {
  const result = await deps.db.transaction().execute(async (trx) => {
    const row = await lockSeries(trx, userId, id);
    assertOccurrence(row, fromKey);
    const shape = toSeries(row);
    let split: ReturnType<typeof splitSeries>;
    try {
      split = splitSeries(
        { ...shape, tzid: row.tzid, durationMs: row.duration_ms ?? 0, exceptions: row.exceptions },
        fromKey,
      );
    } catch (error) {
      // Counting the occurrences before the split ran past the engine's work budget.
      if (error instanceof RecurrenceError && error.code === 'budget_exceeded') throw tooComplex();
      throw error;
    }
    if (!split)
      throw new DomainError(400, 'invalid_split', 'a series cannot be split at its first occurrence');
    const oldBounds = seriesBounds(
      {
        dtstart: shape.dtstart,
        tzid: row.tzid,
        durationMs: row.duration_ms ?? 0,
        recurrence: split.old.recurrence,
      },
      row.start_at,
    );
    const newBounds = seriesBounds(
      {
        dtstart: split.next.dtstart,
        tzid: row.tzid,
        durationMs: split.next.durationMs,
        recurrence: split.next.recurrence,
      },
      split.next.startAt,
    );
    const old = await trx
      .updateTable('calendar_events')
      .set({
        recurrence: split.old.recurrence,
        exceptions: JSON.stringify(split.old.exceptions) as never,
        series_end: oldBounds.end,
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const next = await trx
      .insertInto('calendar_events')
      .values({
        user_id: userId,
        account_id: row.account_id,
        calendar_id: row.calendar_id,
        google_event_id: split.next.googleEventId,
        kind: 'series',
        status: row.status,
        summary: row.summary,
        location: row.location,
        all_day: row.all_day,
        start_at: split.next.startAt,
        end_at: new Date(split.next.startAt.getTime() + (row.duration_ms ?? 0)),
        tzid: row.tzid,
        dtstart_local: row.all_day ? `${split.next.dtstart} 00:00:00` : split.next.dtstart.replace('T', ' '),
        duration_ms: row.duration_ms,
        recurrence: split.next.recurrence,
        exceptions: JSON.stringify(split.next.exceptions) as never,
        series_start: newBounds.start,
        series_end: newBounds.end,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const outbox = await insertOutbox(trx, {
      userId,
      accountId: row.account_id,
      eventId: row.id,
      calendarId: row.calendar_id,
      googleEventId: row.google_event_id,
      operation: 'split_series',
      payload: {
        oldRecurrence: split.old.recurrence,
        newEvent: {
          id: split.next.googleEventId,
          summary: row.summary,
          location: row.location,
          recurrence: split.next.recurrence,
          allDay: row.all_day,
          tzid: row.tzid,
          start: row.all_day ? split.next.dtstart : split.next.startAt.toISOString(),
          end: row.all_day
            ? new Date(split.next.startAt.getTime() + (row.duration_ms ?? 0)).toISOString().slice(0, 10)
            : new Date(split.next.startAt.getTime() + (row.duration_ms ?? 0)).toISOString(),
        },
      },
    });
    return { old, next, outbox };
  });
  await deps.enqueue(result.outbox);
  const [old, next] = [toDto(result.old), toDto(result.next)];
  if (old.kind !== 'series' || next.kind !== 'series') throw notFound();
  return { old, next, writeback: toWritebackDto(result.outbox) };
}
