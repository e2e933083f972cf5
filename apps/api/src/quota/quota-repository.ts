import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import type { QuotaClass, QuotaResource } from './quota-grants.ts';

/** The project scheduler's SQL (migrations/0009): allowances, demands, the clock, the reserve, daily usage. */

/** What one take's statement saw and did; times are the database's clock (ms since the epoch). */
export interface TakeOutcome {
  granted: number;
  /** The allowance (or reserve) before the take; 0 for a subject seen for the first time. */
  tokens: number;
  ratePerMs: number;
  nowMs: number;
  /** The later of the user's and the project's hold (≤ nowMs when neither holds). */
  blockedUntilMs: number;
  /** Units granted today over every class, before this take. */
  usedToday: number;
}

export interface TakeParams {
  resource: QuotaResource;
  subject: string;
  class: QuotaClass;
  units: number;
  minUnits: number;
  /** Today's units (every class) past which this class gets nothing. */
  dailyLimit: number;
  /** How long a recorded demand lives unless refreshed. */
  demandTtlMs: number;
}

interface TakeRow {
  granted: number | null;
  tokens: number | null;
  rate_per_ms: number | null;
  now_ms: number;
  blocked_ms: number;
  used: number;
}

const ms = (value: number) => sql`${`${Math.max(0, Math.ceil(value))} milliseconds`}::interval`;
const today = sql`(now() at time zone 'utc')::date`;
export const epochMs = (column: ReturnType<typeof sql>) =>
  sql`extract(epoch from greatest(${column}, '1970-01-01'::timestamptz)) * 1000`;

/**
 * The row of today's usage a subject's grants add to: one of 16 per class, so that concurrent grants of a class
 * do not all wait for one row's lock (migrations/0013).
 */
const usageShard = (subject: string) => sql`(abs(hashtext(${subject})) % 16)::smallint`;

/** Shared by both takes: the project's hold, the user's hold and today's usage, as the statement sees them. */
const gate = (resource: QuotaResource, subject: string) => sql`
  hold as (
    select greatest(
      (select blocked_until from quota_clocks where resource = ${resource}),
      coalesce((select blocked_until from quota_allowances where resource = ${resource} and subject = ${subject}), '-infinity')
    ) as until
  ),
  used as (
    select coalesce(sum(units), 0)::float8 as units from quota_daily_usage where resource = ${resource} and day = ${today}
  )`;

const outcome = (resource: QuotaResource, subject: string, tokens: ReturnType<typeof sql>) => sql`
  select (select granted from paid) as granted, ${tokens} as tokens,
    (select rate_per_ms from quota_allowances where resource = ${resource} and subject = ${subject}) as rate_per_ms,
    extract(epoch from now()) * 1000 as now_ms,
    ${epochMs(sql`(select until from hold)`)} as blocked_ms,
    (select units from used) as used`;

const toOutcome = (row: TakeRow | undefined): TakeOutcome => ({
  granted: Number(row?.granted ?? 0),
  tokens: Number(row?.tokens ?? 0),
  ratePerMs: Number(row?.rate_per_ms ?? 0),
  nowMs: Number(row?.now_ms ?? Date.now()),
  blockedUntilMs: Number(row?.blocked_ms ?? 0),
  usedToday: Number(row?.used ?? 0),
});

export class QuotaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * One statement: pays min(units, tokens) from the caller's own allowance if it holds ≥ minUnits, nobody holds
   * it and today's budget leaves the class room; counts the grant in today's usage; records what is still
   * wanted as the class's demand (refreshing its expiry), or forgets it when all was granted; and creates the
   * allowance of a new subject.
   */
  async tryTake(p: TakeParams): Promise<TakeOutcome> {
    // Whole multiples of minUnits (a batch's one message): a fraction of a call's cost could not be spent.
    const grant = sql`least(${p.units}::float8, floor(tokens / ${p.minUnits}::float8) * ${p.minUnits}::float8)`;
    const { rows } = await sql<TakeRow>`
      with ${gate(p.resource, p.subject)},
      paid as (
        update quota_allowances set
          last_granted = ${grant},
          tokens = tokens - ${grant}
        where resource = ${p.resource} and subject = ${p.subject} and tokens >= ${p.minUnits}::float8
          and (select until from hold) <= now()
          and (select units from used) + ${p.minUnits}::float8 <= ${p.dailyLimit}::float8
        returning last_granted as granted
      ),
      counted as (
        insert into quota_daily_usage (resource, day, class, shard, units)
        select ${p.resource}, ${today}, ${p.class}, ${usageShard(p.subject)}, granted from paid
        on conflict (resource, day, class, shard) do update set units = quota_daily_usage.units + excluded.units
      ),
      wanted as (
        insert into quota_demands (resource, subject, class, units, min_units, expires_at)
        select ${p.resource}, ${p.subject}, ${p.class}, ${p.units}::float8 - coalesce((select granted from paid), 0),
          ${p.minUnits}::float8, now() + ${ms(p.demandTtlMs)}
        where ${p.units}::float8 - coalesce((select granted from paid), 0) > 0
        on conflict (resource, subject, class) do update set
          units = excluded.units, min_units = excluded.min_units, expires_at = excluded.expires_at
      ),
      -- Granted all it asked: it no longer waits (a finished sync's demand would count in the plan for its life).
      served as (
        delete from quota_demands where resource = ${p.resource} and subject = ${p.subject} and class = ${p.class}
          and coalesce((select granted from paid), 0) >= ${p.units}::float8
      ),
      -- Only when the snapshot has no row: an ON CONFLICT check on an existing row would wait for the tick that
      -- is crediting it, while this statement holds its demand row (a deadlock with a take that waits on that).
      created as (
        insert into quota_allowances (resource, subject) select ${p.resource}, ${p.subject}
        where not exists (select 1 from quota_allowances where resource = ${p.resource} and subject = ${p.subject})
        on conflict (resource, subject) do nothing
      )
      ${outcome(p.resource, p.subject, sql`(select tokens from quota_allowances where resource = ${p.resource} and subject = ${p.subject})`)}`.execute(
      this.db,
    );
    return toOutcome(rows[0]);
  }

  /**
   * The interactive class: one statement pays `units` from the project's reserve (it may go negative by one
   * call: a first page is never split) and charges the user's allowance with what the user's margin (the part
   * of its window the utilisation target leaves) does not cover, which may go negative — the user's next
   * credits pay it back, so the user's own quota holds over a window. A refusal records the
   * interactive demand, which the next tick serves first.
   */
  async takeFromReserve(
    p: Omit<TakeParams, 'minUnits'> & { reserveCap: number; userMargin: number },
  ): Promise<TakeOutcome> {
    const { rows } = await sql<TakeRow>`
      with ${gate(p.resource, p.subject)},
      paid as (
        update quota_reserves set tokens = tokens - ${p.units}::float8
        where resource = ${p.resource} and tokens >= least(${p.units}::float8, ${p.reserveCap}::float8)
          and (select until from hold) <= now()
          and (select units from used) + ${p.units}::float8 <= ${p.dailyLimit}::float8
        returning ${p.units}::float8 as granted
      ),
      counted as (
        insert into quota_daily_usage (resource, day, class, shard, units)
        select ${p.resource}, ${today}, ${p.class}, ${usageShard(p.subject)}, granted from paid
        on conflict (resource, day, class, shard) do update set units = quota_daily_usage.units + excluded.units
      ),
      charged as (
        insert into quota_allowances (resource, subject, tokens)
        select ${p.resource}, ${p.subject}, -greatest(granted - ${p.userMargin}::float8, 0) from paid
        on conflict (resource, subject) do update set tokens = quota_allowances.tokens + excluded.tokens
      ),
      -- Refused: the next tick fills the reserve for it ahead of every background class (pre-emption).
      wanted as (
        insert into quota_demands (resource, subject, class, units, min_units, expires_at)
        select ${p.resource}, ${p.subject}, ${p.class}, ${p.units}::float8, ${p.units}::float8,
          now() + ${ms(p.demandTtlMs)}
        where not exists (select 1 from paid)
        on conflict (resource, subject, class) do update set
          units = excluded.units, min_units = excluded.min_units, expires_at = excluded.expires_at
      ),
      served as (
        delete from quota_demands where resource = ${p.resource} and subject = ${p.subject} and class = ${p.class}
          and exists (select 1 from paid)
      )
      ${outcome(p.resource, p.subject, sql`(select tokens from quota_reserves where resource = ${p.resource})`)}`.execute(
      this.db,
    );
    return toOutcome(rows[0]);
  }

  /** Google answered 429 for the user: drain its allowance and hold it for `ms`. */
  async penaliseSubject(resource: QuotaResource, subject: string, holdMs: number): Promise<void> {
    await sql`
      insert into quota_allowances (resource, subject, blocked_until) values (${resource}, ${subject}, now() + ${ms(holdMs)})
      on conflict (resource, subject) do update set
        tokens = least(quota_allowances.tokens, 0),
        blocked_until = greatest(quota_allowances.blocked_until, excluded.blocked_until)`.execute(this.db);
  }

  /** Google answered a project-level rate limit: nobody is granted or credited for `ms`. */
  async penaliseProject(resource: QuotaResource, holdMs: number): Promise<void> {
    await sql`
      update quota_clocks set blocked_until = greatest(blocked_until, now() + ${ms(holdMs)})
      where resource = ${resource}`.execute(this.db);
  }

  /**
   * A refused caller that will ask again in `untilMs` (a batch deferred through the queue): its demand lives
   * until then plus `ttlMs`, so the plan keeps it in its turns meanwhile instead of forgetting it.
   */
  async holdDemand(
    p: { resource: QuotaResource; subject: string; class: QuotaClass },
    untilMs: number,
    ttlMs: number,
  ): Promise<void> {
    await sql`
      update quota_demands set expires_at = greatest(expires_at, now() + ${ms(untilMs + ttlMs)})
      where resource = ${p.resource} and subject = ${p.subject} and class = ${p.class}`.execute(this.db);
  }

  /** The subject stops asking for good (until it signs in again): its demands go, and its unspent credit. */
  async withdraw(resource: QuotaResource, subject: string): Promise<void> {
    await this.db
      .deleteFrom('quota_demands')
      .where('resource', '=', resource)
      .where('subject', '=', subject)
      .execute();
    await this.db
      .updateTable('quota_allowances')
      .set({ tokens: sql<number>`least(tokens, 0)` })
      .where('resource', '=', resource)
      .where('subject', '=', subject)
      .execute();
  }

  async usedToday(resource: QuotaResource): Promise<Map<QuotaClass, number>> {
    return usedToday(this.db, resource);
  }
}

/** Today's units (UTC day, as the database counts it) per class. */
export async function usedToday(
  db: Kysely<Database>,
  resource: QuotaResource,
): Promise<Map<QuotaClass, number>> {
  const rows = await db
    .selectFrom('quota_daily_usage')
    .select(['class', (eb) => eb.fn.sum<number>('units').as('units')])
    .where('resource', '=', resource)
    .where(sql<boolean>`day = ${today}`)
    .groupBy('class')
    .execute();
  return new Map(rows.map((row) => [row.class, Number(row.units)]));
}
