import type { Database } from '@firstlight/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { QuotaClass, QuotaResource } from './quota-grants.ts';
import { epochMs, usedToday } from './quota-repository.ts';

/** The tick's SQL (migrations/0009): the clock row, the demands it plans from, the credits it writes. */
export class QuotaTickRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Runs `plan` for `resource` if this caller holds its clock row and a tick is due; every other instance skips
   * at once (`skip locked`): no leader, and a dead planner is replaced by whoever ticks next. `no key update`,
   * not `update`: the takes' inserts check their foreign key to this row (`for key share`), and a plain
   * `for update` would make them wait for the tick while they hold an allowance the tick wants (deadlock).
   */
  async tick<T>(
    resource: QuotaResource,
    tickMs: number,
    plan: (state: TickState, write: TickWriter) => Promise<T>,
  ): Promise<T | undefined> {
    const planned = await this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ now_ms: number; last_ms: number; blocked_ms: number }>`
        select extract(epoch from now()) * 1000 as now_ms, extract(epoch from last_tick_at) * 1000 as last_ms,
          ${epochMs(sql`blocked_until`)} as blocked_ms
        from quota_clocks where resource = ${resource} for no key update skip locked`.execute(trx);
      const clock = rows[0];
      if (!clock || Number(clock.last_ms) + tickMs > Number(clock.now_ms)) return undefined;
      const state: TickState = {
        nowMs: Number(clock.now_ms),
        lastTickMs: Number(clock.last_ms),
        projectBlocked: Number(clock.blocked_ms) > Number(clock.now_ms),
        demands: await this.#demands(trx, resource),
        reserve: Number(
          (
            await trx
              .selectFrom('quota_reserves')
              .select('tokens')
              .where('resource', '=', resource)
              .executeTakeFirst()
          )?.tokens ?? 0,
        ),
        outstanding: await this.#outstanding(trx, resource),
        usedToday: await usedToday(trx, resource),
      };
      const result = await plan(state, new TickWriter(trx, resource));
      await trx
        .updateTable('quota_clocks')
        .set({ last_tick_at: sql<Date>`now()` })
        .where('resource', '=', resource)
        .execute();
      return result;
    });
    // Outside the tick's transaction: a take's statement may hold its demand row while it waits for a row the
    // tick holds, so the tick holds none of theirs (deadlock). A demand lapsing a tick late costs nothing.
    if (planned !== undefined) {
      await this.#forgetExpired(resource);
      await this.#reclaimIdle(resource);
    }
    return planned;
  }

  async #forgetExpired(resource: QuotaResource): Promise<void> {
    await this.db
      .deleteFrom('quota_demands')
      .where('resource', '=', resource)
      .where('expires_at', '<=', sql<Date>`now()`)
      .execute();
  }

  /**
   * Takes back the credit of subjects that no longer ask (no live demand: their work ended, or moved on). The
   * plan credits less while credit sits unspent (a burst waiting to happen), so credit left behind by finished
   * syncs and backfills would otherwise starve every user still waiting — with enough of it, for good. A
   * subject still spending without being refused loses at most its remainder and asks again, a tick late.
   * Debts stay (a first page's charge is paid back as the user is credited). Rows a take or a credit holds are
   * skipped, and the rest locked in subject order, as every multi-row writer here does.
   */
  async #reclaimIdle(resource: QuotaResource): Promise<void> {
    await sql`
      with idle as (
        select a.subject from quota_allowances a
        where a.resource = ${resource} and a.tokens > 0
          and not exists (select 1 from quota_demands d where d.resource = a.resource and d.subject = a.subject)
        order by a.subject
        for update of a skip locked
      )
      update quota_allowances set tokens = 0
      from idle where quota_allowances.resource = ${resource} and quota_allowances.subject = idle.subject`.execute(
      this.db,
    );
  }

  /**
   * Credit that can be spent now: an allowance below the least its live demands can use (a batch's one message)
   * is left out. Every demander's allowance fills in lockstep under equal shares; counting credit nobody can
   * spend yet would, past the plan's bound on unspent credit, stop the plan before anyone reached their minimum.
   */
  async #outstanding(trx: Transaction<Database>, resource: QuotaResource): Promise<number> {
    const { rows } = await sql<{ units: number }>`
      select coalesce(sum(a.tokens), 0)::float8 as units from quota_allowances a
      where a.resource = ${resource} and a.tokens > 0
        and a.tokens >= coalesce(
          (select min(d.min_units) from quota_demands d where d.resource = a.resource and d.subject = a.subject), 0)`.execute(
      trx,
    );
    return Number(rows[0]?.units ?? 0);
  }

  async #demands(trx: Transaction<Database>, resource: QuotaResource): Promise<TickDemand[]> {
    const rows = await trx
      .selectFrom('quota_demands as d')
      .leftJoin('quota_allowances as a', (join) =>
        join.onRef('a.resource', '=', 'd.resource').onRef('a.subject', '=', 'd.subject'),
      )
      .select([
        'd.subject',
        'd.class',
        'd.units',
        'd.min_units',
        sql<number>`coalesce(a.tokens, 0)`.as('tokens'),
        sql<boolean>`coalesce(a.blocked_until > now(), false)`.as('blocked'),
      ])
      .where('d.resource', '=', resource)
      .execute();
    return rows.map(({ min_units, ...row }) => ({
      ...row,
      units: Number(row.units),
      minUnits: Number(min_units),
      tokens: Number(row.tokens),
    }));
  }
}

export interface TickDemand {
  subject: string;
  class: QuotaClass;
  units: number;
  /** The least the demand can use (0: unknown). */
  minUnits: number;
  /** The subject's allowance now (may be negative). */
  tokens: number;
  blocked: boolean;
}

export interface TickState {
  nowMs: number;
  lastTickMs: number;
  projectBlocked: boolean;
  demands: TickDemand[];
  reserve: number;
  /** Credited and not yet spent, over every allowance. */
  outstanding: number;
  usedToday: Map<QuotaClass, number>;
}

/** The tick's writes, inside its transaction. */
export class TickWriter {
  constructor(
    private readonly trx: Transaction<Database>,
    private readonly resource: QuotaResource,
  ) {}

  /** Adds each credit to its subject's allowance (one statement) and records the rate it was credited at. */
  async credit(credits: { subject: string; units: number; ratePerMs: number }[]): Promise<void> {
    if (credits.length === 0) return;
    await sql`
      insert into quota_allowances (resource, subject, tokens, rate_per_ms)
      select ${this.resource}, v.subject, v.units, v.rate
      from unnest(${credits.map((c) => c.subject)}::text[], ${credits.map((c) => c.units)}::float8[],
        ${credits.map((c) => c.ratePerMs)}::float8[]) as v(subject, units, rate)
      -- Rows locked in one order: two writers of many allowances never wait on each other in a cycle.
      order by v.subject
      on conflict (resource, subject) do update set
        tokens = quota_allowances.tokens + excluded.tokens, rate_per_ms = excluded.rate_per_ms`.execute(
      this.trx,
    );
  }

  async refillReserve(units: number, cap: number): Promise<void> {
    await sql`
      update quota_reserves set tokens = least(${cap}::float8, tokens + ${units}::float8)
      where resource = ${this.resource}`.execute(this.trx);
  }
}
