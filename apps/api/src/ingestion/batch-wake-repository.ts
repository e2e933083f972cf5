import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/**
 * The batches of `accountIds` deferred for quota until later than `marginMs` from now, made due now under the
 * next generation (their delayed tasks become stale: a delivery of the old generation does nothing). Only
 * 'enqueued' batches: one that a worker holds is already spending.
 */
export async function wakeDeferredBatches(
  db: Kysely<Database>,
  accountIds: readonly string[],
  owner: string,
  marginMs: number,
) {
  if (accountIds.length === 0) return [];
  const { rows } = await sql<{ job_id: string; seq: number; generation: number; tier: string }>`
    update ingestion_batches b set
      generation = b.generation + 1, enqueued_at = now(), not_before = null, task_owner = ${owner}
    from ingestion_jobs j
    where j.id = b.job_id and j.account_id = any(${[...accountIds]}::uuid[])
      and b.status = 'enqueued'
      and b.not_before > now() + ${`${Math.ceil(marginMs)} milliseconds`}::interval
    returning b.job_id, b.seq, b.generation, b.tier`.execute(db);
  return rows;
}
