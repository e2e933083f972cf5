import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';

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
