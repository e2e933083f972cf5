import type { Database } from '@firstlight/db';
import { expand } from '@firstlight/recurrence';
import type { Kysely } from 'kysely';
import { toSeries } from '../../src/calendar/event-dto.ts';

/**
 * The `offset`-th timed (not all-day) series of the test's calendar, in Google id order: a stable choice of
 * "some recurring event" for tests that cancel, move or fail an occurrence.
 */
export function timedSeries(db: Kysely<Database>, offset = 0) {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('kind', '=', 'series')
    .where('all_day', '=', false)
    .orderBy('google_event_id', 'asc')
    .offset(offset)
    .limit(1)
    .executeTakeFirstOrThrow();
}

/**
 * The first timed series (in Google id order) with an occurrence in [from, to), and that occurrence. A
 * generated calendar anchored on today has series that ended before today (COUNT, UNTIL) or were
 * cancelled: a test that edits "the next occurrence" must not depend on which one comes first.
 */
export async function timedOccurrenceBetween(db: Kysely<Database>, from: Date, to: Date) {
  const rows = await db
    .selectFrom('calendar_events')
    .selectAll()
    .where('kind', '=', 'series')
    .where('all_day', '=', false)
    .where('status', '!=', 'cancelled')
    .orderBy('google_event_id', 'asc')
    .execute();
  for (const row of rows) {
    const occurrence = expand(toSeries(row), from, to)[0];
    if (occurrence) return { row, occurrence };
  }
  throw new Error(`no timed series has an occurrence between ${from.toISOString()} and ${to.toISOString()}`);
}
