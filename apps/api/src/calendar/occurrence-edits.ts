import type { EditResponse, OccurrencePatch } from '@firstlight/contracts';
import type { Database, SeriesExceptions } from '@firstlight/db';
import { expandWithin, parseOriginalStart } from '@firstlight/recurrence';
import type { Kysely } from 'kysely';
import { DomainError } from '../lib/errors.ts';
import { type EventRecord, toDto, toSeries } from './event-dto.ts';
import { foldException } from './exceptions-fold.ts';
import { assertEditable, resolvePatch, sentFields } from './occurrence-rules.ts';
import { deleteEvent, lockUserEvent, saveSeriesExceptions } from './series-repository.ts';
import { insertOutbox, type OutboxRow, toWritebackDto } from './writeback-repository.ts';

/** Enqueues the write-back task of an outbox row (after its transaction committed). */
export type WritebackEnqueuer = (outbox: OutboxRow) => Promise<void>;

/** What an edit needs: the database and the write-back's enqueuer. */
export interface EditDeps {
  db: Kysely<Database>;
  enqueue: WritebackEnqueuer;
}

export const notFound = () => new DomainError(404, 'not_found', 'no such series');

export async function lockSeries(db: Kysely<Database>, userId: string, id: string): Promise<EventRecord> {
  const row = await lockUserEvent(db, userId, id);
  if (row?.kind !== 'series') throw notFound();
  return row;
}

/** The key must name an occurrence the rule produces (not a made-up time): checked with the engine. */
export function assertOccurrence(row: EventRecord, key: string): void {
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

export const tooComplex = () =>
  new DomainError(
    422,
    'series_too_complex',
    "expanding this series needs more than the recurrence engine's work budget (packages/recurrence budget.ts)",
  );

async function editOccurrence(
  deps: EditDeps,
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
    const row = await saveSeriesExceptions(trx, series.id, exceptions);
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
  deps: EditDeps,
  userId: string,
  id: string,
  key: string,
): Promise<EditResponse> {
  return editOccurrence(deps, userId, id, key, { cancelled: true });
}

export function patchOccurrence(
  deps: EditDeps,
  userId: string,
  id: string,
  key: string,
  patch: OccurrencePatch,
): Promise<EditResponse> {
  return editOccurrence(deps, userId, id, key, { cancelled: false, patch });
}

export async function deleteSeries(deps: EditDeps, userId: string, id: string) {
  const outbox = await deps.db.transaction().execute(async (trx) => {
    const series = await lockSeries(trx, userId, id);
    await deleteEvent(trx, series.id);
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
