import type { Database, SeriesExceptions } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import type { EventRow } from './calendar-source.ts';

export async function upsertEventRows(
  db: Kysely<Database>,
  owner: { userId: string; accountId: string },
  calendarId: string,
  rows: EventRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('calendar_events')
    .values(
      rows.map((row) => ({
        ...row,
        user_id: owner.userId,
        account_id: owner.accountId,
        calendar_id: calendarId,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'calendar_id', 'google_event_id']).doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        status: eb.ref('excluded.status'),
        summary: eb.ref('excluded.summary'),
        location: eb.ref('excluded.location'),
        all_day: eb.ref('excluded.all_day'),
        start_at: eb.ref('excluded.start_at'),
        end_at: eb.ref('excluded.end_at'),
        tzid: eb.ref('excluded.tzid'),
        dtstart_local: eb.ref('excluded.dtstart_local'),
        duration_ms: eb.ref('excluded.duration_ms'),
        recurrence: eb.ref('excluded.recurrence'),
        series_start: eb.ref('excluded.series_start'),
        series_end: eb.ref('excluded.series_end'),
        etag: eb.ref('excluded.etag'),
        google_updated: eb.ref('excluded.google_updated'),
        parse_error: eb.ref('excluded.parse_error'),
        updated_at: new Date(),
        // exceptions are kept: they arrive as separate instances and are folded in by their own updates.
      })),
    )
    .execute();
}

/** The calendar's saved sync token, if any. */
export async function findCalendarCursor(
  db: Kysely<Database>,
  accountId: string,
  calendarId: string,
): Promise<string | null> {
  const state = await db
    .selectFrom('sync_state')
    .select('cursor')
    .where('account_id', '=', accountId)
    .where('resource', '=', `calendar:${calendarId}`)
    .executeTakeFirst();
  return state?.cursor ?? null;
}

/** The calendar's sync token, saved in the transaction that stores what it covers. */
export async function saveCalendarCursor(
  db: Kysely<Database>,
  accountId: string,
  calendarId: string,
  cursor: string | null,
): Promise<void> {
  const resource = `calendar:${calendarId}`;
  await db
    .insertInto('sync_state')
    .values({ account_id: accountId, resource, cursor, last_synced_at: new Date(), last_error: null })
    .onConflict((conflict) =>
      conflict
        .columns(['account_id', 'resource'])
        .doUpdateSet({ cursor, last_synced_at: new Date(), last_error: null, updated_at: new Date() }),
    )
    .execute();
}

export async function setExceptions(
  db: Kysely<Database>,
  key: { accountId: string; calendarId: string; googleEventId: string },
  exceptions: SeriesExceptions,
): Promise<void> {
  await db
    .updateTable('calendar_events')
    .set({ exceptions, updated_at: new Date() })
    .where('account_id', '=', key.accountId)
    .where('calendar_id', '=', key.calendarId)
    .where('google_event_id', '=', key.googleEventId)
    .execute();
}

export async function findSeriesByGoogleId(
  db: Kysely<Database>,
  key: { accountId: string; calendarId: string; googleEventId: string },
) {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('account_id', '=', key.accountId)
    .where('calendar_id', '=', key.calendarId)
    .where('google_event_id', '=', key.googleEventId)
    .forUpdate()
    .executeTakeFirst();
}

export async function deleteEvents(
  db: Kysely<Database>,
  accountId: string,
  calendarId: string,
  googleEventIds: string[],
): Promise<void> {
  if (googleEventIds.length === 0) return;
  await db
    .deleteFrom('calendar_events')
    .where('account_id', '=', accountId)
    .where('calendar_id', '=', calendarId)
    .where('google_event_id', '=', sql<string>`any(${googleEventIds}::text[])`)
    .execute();
}

/** A full sync replaces the calendar: rows Google no longer lists go. */
export async function deleteEventsNotIn(
  db: Kysely<Database>,
  accountId: string,
  calendarId: string,
  keep: string[],
): Promise<void> {
  await db
    .deleteFrom('calendar_events')
    .where('account_id', '=', accountId)
    .where('calendar_id', '=', calendarId)
    .where('google_event_id', '!=', sql<string>`all(${keep}::text[])`)
    .execute();
}

/**
 * The range query (ARCHITECTURE §4): singles overlapping [from, to) and series whose range touches it. One
 * index range scan per kind (calendar_events_singles_idx, calendar_events_series_idx).
 */
export function eventsInRangeQuery(db: Kysely<Database>, userId: string, from: Date, to: Date) {
  const singles = db
    .selectFrom('calendar_events')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'single')
    .where('start_at', '<', to)
    .where('end_at', '>', from)
    // Bounding the scan from below keeps it a range scan over about a year, not every past event: a single
    // longer than a year (rare) shows only where it starts within that reach.
    .where('start_at', '>', sql<Date>`${from}::timestamptz - interval '366 days'`);
  const series = db
    .selectFrom('calendar_events')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'series')
    .where('series_start', '<', to)
    .where((eb) => eb.or([eb('series_end', 'is', null), eb('series_end', '>', from)]));
  return singles.unionAll(series);
}

export async function eventsInRange(db: Kysely<Database>, userId: string, from: Date, to: Date) {
  return eventsInRangeQuery(db, userId, from, to).execute();
}
