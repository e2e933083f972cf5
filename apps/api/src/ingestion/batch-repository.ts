import { cleanText } from '@firstlight/contracts';
import type { BatchTier, Database, IngestionBatchesTable } from '@firstlight/db';
import { type Kysely, type Selectable, sql } from 'kysely';
import { ownerIsGone } from './instance-liveness.ts';

export type BatchRow = Selectable<IngestionBatchesTable>;

export async function findBatch(
  db: Kysely<Database>,
  jobId: string,
  seq: number,
): Promise<BatchRow | undefined> {
  return db
    .selectFrom('ingestion_batches')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('seq', '=', seq)
    .executeTakeFirst();
}

/** Idempotent: a re-run lister writes the same (job, seq) rows and changes nothing. */
export async function insertBatch(
  db: Kysely<Database>,
  batch: { jobId: string; seq: number; tier: BatchTier; messageIds: string[] },
): Promise<void> {
  await db
    .insertInto('ingestion_batches')
    .values({
      job_id: batch.jobId,
      seq: batch.seq,
      tier: batch.tier,
      message_ids: batch.messageIds,
      message_count: batch.messageIds.length,
    })
    .onConflict((conflict) => conflict.columns(['job_id', 'seq']).doNothing())
    .execute();
}

export async function nextSeq(db: Kysely<Database>, jobId: string): Promise<number> {
  const row = await db
    .selectFrom('ingestion_batches')
    .select(sql<number>`coalesce(max(seq) + 1, 0)`.as('next'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

export interface BatchKey {
  jobId: string;
  seq: number;
  generation: number;
}

const leaseEnd = (leaseMs: number) => sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;

/**
 * Takes the batch for this delivery: only the current generation, only if nobody holds a live lease (expired,
 * or its owner's process is gone). Returns undefined when another worker has it (the task is retried later)
 * or the delivery is stale.
 */
export async function leaseBatch(
  db: Kysely<Database>,
  key: BatchKey,
  lease: { leaseMs: number; owner: string },
): Promise<BatchRow | undefined> {
  return db
    .updateTable('ingestion_batches')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      lease_until: leaseEnd(lease.leaseMs),
      lease_owner: lease.owner,
      started_at: eb.fn.coalesce('started_at', sql<Date>`now()`),
    }))
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'enqueued', 'failed']),
        eb.and([
          eb('status', '=', 'running'),
          eb.or([eb('lease_until', '<', sql<Date>`now()`), ownerIsGone('lease_owner')]),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The heartbeat: extends the lease; false when this worker no longer holds it (taken over, superseded). */
export async function renewLease(
  db: Kysely<Database>,
  key: BatchKey,
  lease: { leaseMs: number; owner: string },
): Promise<boolean> {
  const renewed = await db
    .updateTable('ingestion_batches')
    .set({ lease_until: leaseEnd(lease.leaseMs) })
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation)
    .where('status', '=', 'running')
    .where('lease_owner', '=', lease.owner)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) > 0;
}

/**
 * Gives the batch back (paused job, retryable failure, shutdown), keeping what is stored: the next run fetches
 * only the rest. With `owner`, only if this worker still holds it — a worker that lost its lease must not
 * reset the batch under the one that took it over.
 */
export async function releaseBatch(
  db: Kysely<Database>,
  key: BatchKey,
  lastError: string,
  owner?: string,
): Promise<void> {
  let release = db
    .updateTable('ingestion_batches')
    .set({ status: 'pending', lease_until: null, lease_owner: null, last_error: lastError })
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation)
    .where('status', '!=', 'done');
  if (owner) release = release.where('lease_owner', '=', owner);
  await release.execute();
}

export async function recordFailures(
  db: Kysely<Database>,
  jobId: string,
  seq: number,
  failures: { gmailId: string; reason: string }[],
): Promise<void> {
  if (failures.length === 0) return;
  // Ids and reasons may come from a message that did not parse: cleaned, and one row per id (ON CONFLICT
  // cannot touch the same row twice in one statement).
  const byId = new Map<string, string>();
  for (const failure of failures) byId.set(cleanText(failure.gmailId, 1024), cleanText(failure.reason, 500));
  await db
    .insertInto('ingestion_failures')
    .values([...byId].map(([gmailId, reason]) => ({ job_id: jobId, seq, message_id: gmailId, reason })))
    .onConflict((conflict) =>
      conflict.columns(['job_id', 'message_id']).doUpdateSet({ reason: sql`excluded.reason` }),
    )
    .execute();
}

/** The ids of this batch already stored: a re-run fetches only the rest. */
export async function storedIds(db: Kysely<Database>, userId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('emails')
    .select('message_id')
    .where('user_id', '=', userId)
    .where('message_id', '=', sql<string>`any(${ids}::text[])`)
    .execute();
  return new Set(rows.map((row) => row.message_id));
}
