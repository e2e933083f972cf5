import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import type { BatchKey } from './batch-repository.ts';
import { ownerIsGone } from './instance-lock-repository.ts';
import { HALTED_JOB } from './job-machine.ts';

/* Reads of `ingestion_batches` for the batch handler and the reconciler (the writes are batch-repository.ts's). */

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

export async function nextSeq(db: Kysely<Database>, jobId: string): Promise<number> {
  const row = await db
    .selectFrom('ingestion_batches')
    .select(sql<number>`coalesce(max(seq) + 1, 0)`.as('next'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

const ofWorkingJob = (db: Kysely<Database>) =>
  db
    .selectFrom('ingestion_batches')
    .innerJoin('ingestion_jobs', 'ingestion_jobs.id', 'ingestion_batches.job_id')
    .select(['ingestion_batches.job_id as jobId', 'ingestion_batches.seq', 'ingestion_batches.generation'])
    .where('ingestion_jobs.status', 'not in', HALTED_JOB);

/** Running batches of working jobs whose lease lapsed, or whose owner (not this instance) is gone. */
export async function lapsedBatches(db: Kysely<Database>, instanceId: string): Promise<BatchKey[]> {
  return ofWorkingJob(db)
    .where('ingestion_batches.status', '=', 'running')
    .where((eb) =>
      eb.or([
        eb('ingestion_batches.lease_until', '<', sql<Date>`now()`),
        eb.and([
          eb('ingestion_batches.lease_owner', '!=', instanceId),
          ownerIsGone('ingestion_batches.lease_owner'),
        ]),
      ]),
    )
    .execute();
}

/**
 * Enqueued batches of working jobs whose task owner (not this instance) is gone: the instance that enqueued the
 * task, or whose worker took it, died before a worker leased the batch (batch-repository.ts).
 */
export async function orphanedBatches(
  db: Kysely<Database>,
  instanceId: string,
): Promise<(BatchKey & { taskOwner: string })[]> {
  const rows = await ofWorkingJob(db)
    .select('ingestion_batches.task_owner as taskOwner')
    .where('ingestion_batches.status', '=', 'enqueued')
    .where('ingestion_batches.task_owner', '!=', instanceId)
    .where(ownerIsGone('ingestion_batches.task_owner'))
    .execute();
  return rows.flatMap(({ taskOwner, ...key }) => (taskOwner ? [{ ...key, taskOwner }] : []));
}

/**
 * Batches of working jobs due more than `afterMs` ago (enqueued then, or deliberately delayed to `not_before`)
 * and never started: their task was lost.
 */
export async function lostEnqueuedBatches(db: Kysely<Database>, afterMs: number): Promise<BatchKey[]> {
  const due = sql<Date>`greatest(ingestion_batches.enqueued_at, ingestion_batches.not_before)`;
  return ofWorkingJob(db)
    .where('ingestion_batches.status', '=', 'enqueued')
    .where(due, '<', sql<Date>`now() - ${`${afterMs} milliseconds`}::interval`)
    .execute();
}

/** One batch of the job, any: the callers say which with their conditions. */
const someBatchOf = (db: Kysely<Database>, jobId: string) =>
  db.selectFrom('ingestion_batches').select('seq').where('job_id', '=', jobId).limit(1);

/** True while any batch of the job is not done (the completion check, under the job's lock). */
export async function hasOpenBatch(trx: Kysely<Database>, jobId: string): Promise<boolean> {
  return (await someBatchOf(trx, jobId).where('status', '!=', 'done').executeTakeFirst()) !== undefined;
}

/** True while one of the job's batches is deliberately delayed (refused quota) to a time still ahead. */
export async function waitsForQuota(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const delayed = await someBatchOf(db, jobId)
    .where('status', '=', 'enqueued')
    .where('not_before', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return delayed !== undefined;
}
