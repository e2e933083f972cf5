import type { BatchTier, Database, IngestionBatchesTable } from '@firstlight/db';
import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import { ownerIsGone } from './instance-lock-repository.ts';
import { batchTransition, LEASABLE_BATCH, SCHEDULABLE_BATCH } from './job-machine.ts';

/*
 * The job store's half for `ingestion_batches` (see job-repository.ts). Completion reads the row FOR UPDATE
 * and asks job-machine.ts; the hot single statements (lease, renew, release, schedule) are guarded by the
 * machine's status sets, with the generation and owner fences the machine describes.
 */

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
        eb('status', 'in', LEASABLE_BATCH),
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

/**
 * The batch turns done, in the caller's transaction, only for the worker holding its lease at this
 * generation (the machine decides); returns the counts to add to the job, once — undefined when superseded.
 */
export async function completeBatch(
  trx: Kysely<Database>,
  key: BatchKey,
  outcome: { owner: string; stored: number; failed: number; lastError: string | null },
) {
  const row = await trx
    .selectFrom('ingestion_batches')
    .select(['status', 'generation', 'attempts', 'lease_owner'])
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const decision = batchTransition(
    { status: row.status, generation: row.generation, attempts: row.attempts, owner: row.lease_owner },
    { type: 'complete', generation: key.generation, ...outcome },
  );
  if (!decision.ok) return undefined;
  await trx
    .updateTable('ingestion_batches')
    .set({
      status: decision.state.status,
      stored_count: outcome.stored,
      failed_count: outcome.failed,
      finished_at: new Date(),
      lease_until: null,
      last_error: outcome.lastError,
    })
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .execute();
  return decision.effects[0];
}

/**
 * One batch in flight per job: unless one is enqueued or running under a live lease (or the job is halted),
 * the lowest pending batch is enqueued under a new generation — hence a new task name: a released batch would
 * otherwise reuse its finished task's name, which the queue refuses as a duplicate (pg-boss keeps it for
 * hours, Cloud Tasks about an hour), leaving the row 'enqueued' with no task until the reconciler's
 * reenqueueAfterMs. Call it with the job row locked.
 */
export async function enqueueNextBatch(trx: Kysely<Database>, jobId: string, owner: string) {
  const inFlight = await trx
    .selectFrom('ingestion_batches')
    .select('seq')
    .where('job_id', '=', jobId)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'enqueued'),
        eb.and([eb('status', '=', 'running'), eb('lease_until', '>=', sql<Date>`now()`)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (inFlight) return undefined;
  return trx
    .updateTable('ingestion_batches')
    .set((eb) => ({
      status: 'enqueued',
      enqueued_at: new Date(),
      not_before: null, // due now
      generation: eb('generation', '+', 1),
      task_owner: owner, // the enqueuer, until a worker takes the task (see migrations/0011)
    }))
    .where('job_id', '=', jobId)
    .where('seq', '=', (eb) =>
      eb
        .selectFrom('ingestion_batches')
        .select((inner) => inner.fn.min('seq').as('seq'))
        .where('job_id', '=', jobId)
        .where('status', 'in', SCHEDULABLE_BATCH),
    )
    .returning(['seq', 'generation', 'tier'])
    .executeTakeFirst();
}

/**
 * Back to 'enqueued' under the next generation with the lease cleared, if still at the generation the caller
 * saw; due at `notBefore` (null: now); `owner` (the enqueuer) answers for the task until a worker takes it. The
 * callers add their own fences.
 */
function requeue(
  db: Kysely<Database>,
  key: BatchKey,
  requeued: { notBefore: RawBuilder<Date> | null; owner: string },
  lastError?: string,
) {
  return db
    .updateTable('ingestion_batches')
    .set((eb) => ({
      generation: eb('generation', '+', 1),
      status: 'enqueued',
      enqueued_at: new Date(),
      not_before: requeued.notBefore,
      lease_until: null,
      lease_owner: null,
      task_owner: requeued.owner,
      ...(lastError === undefined ? {} : { last_error: lastError }),
    }))
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation);
}

/**
 * A batch whose task was lost goes back to 'enqueued' under the next generation, due now, only if it is still
 * at the generation the caller saw: two sweeps that both saw it bump it once (the machine's `reclaim`).
 */
export async function reclaimBatch(db: Kysely<Database>, key: BatchKey, owner: string) {
  return requeue(db, key, { notBefore: null, owner })
    .where('status', '!=', 'done')
    .returning(['seq', 'generation', 'tier'])
    .executeTakeFirst();
}

/**
 * The batch was refused quota: this worker gives it back and it is enqueued again under the next generation,
 * due in `delayMs` (`not_before`) — the machine's `release` and `enqueue` in one statement, fenced on the
 * generation and the owner like a release, so a worker that lost its lease changes nothing. Keeps what is
 * stored; counters do not move. Undefined when this worker no longer holds it.
 */
export async function deferBatch(
  db: Kysely<Database>,
  key: BatchKey,
  deferral: { owner: string; delayMs: number; note: string },
) {
  const due = sql<Date>`now() + ${`${Math.ceil(deferral.delayMs)} milliseconds`}::interval`;
  return requeue(db, key, { notBefore: due, owner: deferral.owner }, deferral.note)
    .where('status', '=', 'running')
    .where('lease_owner', '=', deferral.owner)
    .returning(['seq', 'generation', 'tier'])
    .executeTakeFirst();
}

/**
 * `task_owner` (migrations/0011) answers for an enqueued batch's task, which has no lease to lapse: its enqueuer,
 * then — this, the delivery's first statement — the worker that took it, while the batch waits at the
 * delivery's generation. The lease sweep reclaims the batch once that owner is gone.
 */
export async function claimBatchTask(db: Kysely<Database>, key: BatchKey, owner: string): Promise<void> {
  await db
    .updateTable('ingestion_batches')
    .set({ task_owner: owner })
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation)
    .where('status', '=', 'enqueued')
    .execute();
}

/**
 * An orphaned batch (its task owner `deadOwner` gone) is enqueued again under the next generation for `owner`,
 * due when it was due (a quota deferral keeps `not_before`): only if it still waits at the generation the sweep
 * saw and nobody took its task since (a live taker changed `task_owner`). Returns the new task and its delay.
 */
export async function reclaimOrphanedBatch(
  db: Kysely<Database>,
  key: BatchKey,
  owners: { deadOwner: string; owner: string },
) {
  const wait = sql<number>`greatest(0, ceil(extract(epoch from not_before - now()) * 1000))::float8`;
  return requeue(db, key, { notBefore: sql<Date>`not_before`, owner: owners.owner })
    .where('status', '=', 'enqueued')
    .where('task_owner', '=', owners.deadOwner)
    .returning(['seq', 'generation', 'tier', wait.as('delayMs')])
    .executeTakeFirst();
}
