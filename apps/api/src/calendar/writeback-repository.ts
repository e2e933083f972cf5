import type { WritebackDto } from '@firstlight/contracts';
import type { Database, WritebackOperation, WritebackOutboxTable } from '@firstlight/db';
import { type Kysely, type Selectable, sql } from 'kysely';

export type OutboxRow = Selectable<WritebackOutboxTable>;

export async function insertOutbox(
  db: Kysely<Database>,
  row: {
    userId: string;
    accountId: string;
    eventId: string | null;
    calendarId: string;
    googleEventId: string;
    operation: WritebackOperation;
    payload: Record<string, unknown>;
  },
): Promise<OutboxRow> {
  return db
    .insertInto('writeback_outbox')
    .values({
      user_id: row.userId,
      account_id: row.accountId,
      calendar_event_id: row.eventId,
      calendar_id: row.calendarId,
      google_event_id: row.googleEventId,
      operation: row.operation,
      payload: row.payload,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Takes the row for one attempt: only if it is not done or failed already (deliveries repeat). */
export async function claimOutbox(db: Kysely<Database>, id: number): Promise<OutboxRow | undefined> {
  return db
    .updateTable('writeback_outbox')
    .set((eb) => ({ status: 'in_flight', attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'in_flight'])
    .returningAll()
    .executeTakeFirst();
}

export async function finishOutbox(
  db: Kysely<Database>,
  id: number,
  outcome: { status: 'done' } | { status: 'failed' | 'pending'; error: string; retryInMs?: number },
): Promise<void> {
  await db
    .updateTable('writeback_outbox')
    .set({
      status: outcome.status,
      last_error: outcome.status === 'done' ? null : outcome.error,
      done_at: outcome.status === 'done' ? new Date() : null,
      ...(outcome.status === 'pending'
        ? { next_attempt_at: sql<Date>`now() + ${`${outcome.retryInMs ?? 0} milliseconds`}::interval` }
        : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function listOutbox(db: Kysely<Database>, userId: string, limit = 50): Promise<OutboxRow[]> {
  return db
    .selectFrom('writeback_outbox')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Rows whose task was lost (pending, due, and not touched for a while): the reconciler re-enqueues them. */
export async function dueOutbox(db: Kysely<Database>, olderThanMs: number): Promise<OutboxRow[]> {
  return db
    .selectFrom('writeback_outbox')
    .selectAll()
    .where('status', 'in', ['pending', 'in_flight'])
    .where('next_attempt_at', '<', sql<Date>`now() - ${`${olderThanMs} milliseconds`}::interval`)
    .limit(500)
    .execute();
}

export function toWritebackDto(row: OutboxRow): WritebackDto {
  return {
    id: row.id,
    operation: row.operation,
    googleEventId: row.google_event_id,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    doneAt: row.done_at?.toISOString() ?? null,
  };
}
