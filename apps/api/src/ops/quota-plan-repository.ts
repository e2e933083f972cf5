import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** The quota scheduler's counters as ops reads them (migrations/0009). */

/** Today's (UTC) units per resource and class, and the day as the database counts it. */
export async function quotaUsageToday(db: Kysely<Database>) {
  const { rows } = await sql<{ day: string; resource: string; class: string; units: number }>`
    select (now() at time zone 'utc')::date::text as day, u.resource, u.class, sum(u.units)::float8 as units
    from (select (now() at time zone 'utc')::date as today) d
    left join quota_daily_usage u on u.day = d.today
    group by u.resource, u.class`.execute(db);
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

/** The next UTC midnight as the database counts it: when the daily budget starts again. */
export async function quotaDayEnd(db: Kysely<Database>): Promise<Date> {
  const { rows } = await sql<{ resets_at: Date }>`
    select ((now() at time zone 'utc')::date + 1)::timestamp at time zone 'utc' as resets_at`.execute(db);
  return new Date(rows[0]!.resets_at);
}

/** Live demands (not lapsed) per resource and class: how many users wait and for how many units. */
export async function quotaDemandsByClass(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('quota_demands')
    .select([
      'resource',
      'class',
      (eb) => eb.fn.count<string>('subject').distinct().as('users'),
      (eb) => eb.fn.sum<string>('units').as('units'),
    ])
    .where('expires_at', '>', sql<Date>`now()`)
    .groupBy(['resource', 'class'])
    .execute();
  return rows.map((row) => ({ ...row, users: Number(row.users), units: Number(row.units) }));
}

/**
 * Per resource: the summed allocation rate (units/ms) of the users with a live demand, the project's hold and
 * how many users are held after a 429 — the scheduler's shared state, whichever instance wrote it.
 */
export async function quotaWindowState(db: Kysely<Database>) {
  const { rows } = await sql<{
    resource: string;
    rate_per_ms: number;
    held_until: Date | null;
    users_held: number;
  }>`
    select c.resource,
      (select coalesce(sum(a.rate_per_ms), 0)::float8 from quota_allowances a
        where a.resource = c.resource and exists (select 1 from quota_demands d
          where d.resource = a.resource and d.subject = a.subject and d.expires_at > now())) as rate_per_ms,
      case when c.blocked_until > now() then c.blocked_until end as held_until,
      (select count(*)::int from quota_allowances a
        where a.resource = c.resource and a.blocked_until > now()) as users_held
    from quota_clocks c`.execute(db);
  return rows.map((row) => ({
    resource: row.resource,
    ratePerMs: Number(row.rate_per_ms),
    heldUntil: row.held_until ? new Date(row.held_until) : null,
    usersHeld: Number(row.users_held),
  }));
}
