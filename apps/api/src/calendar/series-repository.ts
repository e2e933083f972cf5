import type { CalendarEventsTable, Database, SeriesExceptions } from '@firstlight/db';
import type { Insertable, Kysely } from 'kysely';
import type { EventRecord } from './event-dto.ts';

/** The edits' reads and writes of one series row (each inside the edit's transaction). */

/** The user's event, locked for the edit; another user's id is simply not found. */
export async function lockUserEvent(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<EventRecord | undefined> {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveSeriesExceptions(
  db: Kysely<Database>,
  id: string,
  exceptions: SeriesExceptions,
): Promise<EventRecord> {
  return db
    .updateTable('calendar_events')
    .set({ exceptions, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteEvent(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('calendar_events').where('id', '=', id).execute();
}

/** The old side of a split: its rule now ends before the split, its exceptions are those before it. */
export async function shortenSeries(
  db: Kysely<Database>,
  id: string,
  change: { recurrence: string[]; exceptions: SeriesExceptions; seriesEnd: Date | null },
): Promise<EventRecord> {
  return db
    .updateTable('calendar_events')
    .set({
      recurrence: change.recurrence,
      exceptions: change.exceptions,
      series_end: change.seriesEnd,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEvent(
  db: Kysely<Database>,
  row: Insertable<CalendarEventsTable>,
): Promise<EventRecord> {
  return db.insertInto('calendar_events').values(row).returningAll().executeTakeFirstOrThrow();
}
