import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** The quota scheduler's counters as ops reads them (migrations/0009). */

/** Today's (UTC) units per resource and class, and the day as the database counts it. */
export async function quotaUsageToday(db: Kysely<Database>) {
  const { rows } = await sql<{ day: string; resource: string; class: string; units: number }>`
    select (now() at time zone 'utc')::date::text as day, u.resource, u.class, u.units
    from (select (now() at time zone 'utc')::date as today) d
    left join quota_daily_usage u on u.day = d.today`.execute(db);
  return rows;
}

/**
 * Gmail units granted over every recorded day, the stored messages and the users with a backfill. The counts
 * are exact (ops reads them seldom); a very large deployment would read `pg_class.reltuples` instead.
 */
export async function quotaEfficiencyTotals(db: Kysely<Database>) {
  const { rows } = await sql<{ units: number; messages: number; users: number }>`
    select
      (select coalesce(sum(units), 0)::float8 from quota_daily_usage where resource = 'gmail') as units,
      (select count(*)::int from emails) as messages,
      (select count(distinct user_id)::int from ingestion_jobs where kind = 'gmail_backfill') as users`.execute(
    db,
  );
  const row = rows[0]!;
  return { units: Number(row.units), messages: Number(row.messages), users: Number(row.users) };
}
