import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** A token bucket's shape: what it holds at most, and how fast it refills. */
export interface Bucket {
  capacity: number;
  ratePerMs: number;
}

export type TakeResult =
  /** Paid: `at` is the bucket's clock (ms since the epoch, the database's) when it paid. */
  | { granted: true; at: number }
  /** Not enough in the bucket, or (`blocked`) held after a 429: ask again after `waitMs`. */
  | { granted: false; waitMs: number; blocked: boolean };

/** Where per-subject budgets live: PostgreSQL, so every instance pays from the same bucket. */
export interface BudgetStore {
  take(subject: string, units: number, bucket: Bucket): Promise<TakeResult>;
  /** Google answered 429: drain the bucket and hold every call of the subject for `ms`. */
  block(subject: string, ms: number): Promise<void>;
}

interface TakeRow {
  tokens: number;
  last_granted: number;
  at_ms: number;
  blocked_ms: number;
}

/**
 * The buckets in `quota_budgets` (migrations/0004), one atomic UPDATE … RETURNING per call. The row lock
 * serialises takers across instances, and every SET expression reads the row as the previous taker left it,
 * so a refill is never counted twice. The bucket's clock is the database's `now()`, never behind the last
 * refill (`greatest`): instances with skewed clocks share one time line, and a taker that waited on the lock
 * refills for no time it did not wait.
 */
export class PostgresBudgetStore implements BudgetStore {
  constructor(private readonly db: Kysely<Database>) {}

  async take(subject: string, units: number, bucket: Bucket): Promise<TakeResult> {
    // The steady state is one statement; a subject's first call also creates its row.
    let row = await this.#take(subject, units, bucket);
    if (!row) {
      // A new subject starts full (capacity is what the refill leaves unused of a window).
      await this.db
        .insertInto('quota_budgets')
        .values({ subject, tokens: bucket.capacity })
        .onConflict((conflict) => conflict.column('subject').doNothing())
        .execute();
      row = await this.#take(subject, units, bucket);
      if (!row) throw new Error(`quota budget ${subject} vanished`);
    }
    if (row.last_granted > 0) return { granted: true, at: row.at_ms };
    if (row.blocked_ms > row.at_ms)
      return { granted: false, waitMs: Math.ceil(row.blocked_ms - row.at_ms), blocked: true };
    const missing = Math.min(units, bucket.capacity) - row.tokens;
    return { granted: false, waitMs: Math.max(1, Math.ceil(missing / bucket.ratePerMs)), blocked: false };
  }

  async block(subject: string, ms: number): Promise<void> {
    await this.db
      .updateTable('quota_budgets')
      .set({
        tokens: sql<number>`least(tokens, 0)`,
        blocked_until: sql<Date>`greatest(blocked_until, now() + ${`${Math.ceil(ms)} milliseconds`}::interval)`,
      })
      .where('subject', '=', subject)
      .execute();
  }

  /**
   * Refills for the time since the last take (up to capacity), then pays `units` if not held and the bucket
   * holds min(units, capacity) — it may go negative: a call above capacity is paid in instalments by the
   * callers after it. Undefined when the subject has no row yet.
   */
  async #take(subject: string, units: number, bucket: Bucket): Promise<TakeRow | undefined> {
    const clock = sql`greatest(refilled_at, now())`;
    const level = sql`least(${bucket.capacity}::float8, tokens + extract(epoch from (${clock} - refilled_at)) * 1000 * ${bucket.ratePerMs}::float8)`;
    const payable = sql`(blocked_until <= ${clock} and ${level} >= ${Math.min(units, bucket.capacity)}::float8)`;
    const { rows } = await sql<TakeRow>`
      update quota_budgets set
        tokens = case when ${payable} then ${level} - ${units}::float8 else ${level} end,
        last_granted = case when ${payable} then ${units}::float8 else 0 end,
        refilled_at = ${clock}
      where subject = ${subject}
      returning tokens, last_granted,
        extract(epoch from refilled_at) * 1000 as at_ms,
        extract(epoch from greatest(blocked_until, '1970-01-01'::timestamptz)) * 1000 as blocked_ms`.execute(
      this.db,
    );
    const row = rows[0];
    return row && { ...row, at_ms: Number(row.at_ms), blocked_ms: Number(row.blocked_ms) };
  }
}
