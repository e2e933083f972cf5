import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { taskName } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { type BatchKey, enqueueNextBatch, reclaimBatch } from './batch-repository.ts';
import { wakeDeferredBatches } from './batch-wake-repository.ts';
import { jobIsHalted } from './job-repository.ts';

/**
 * One batch in flight per user, in tier order: the queue holds at most one batch task per job. When a batch
 * finishes (or the lister writes the first one) the next pending batch, lowest seq first, is enqueued. The
 * database says what is next; the queue only carries "work on this now". A lost task is found by the
 * reconciler, which re-enqueues it under the next generation.
 */
export async function scheduleNextBatch(deps: BackfillDeps, jobId: string): Promise<void> {
  const next = await deps.db.transaction().execute(async (trx) => {
    if (await jobIsHalted(trx, jobId)) return undefined; // locks the job: one scheduler decides at a time
    return enqueueNextBatch(trx, jobId, deps.instanceId);
  });
  if (!next) return;
  await enqueueBatch(deps, { jobId, ...next });
}

/** Enqueues the batch's task under its generation; due in `delayMs` when given (a batch refused quota). */
export async function enqueueBatch(
  deps: Pick<BackfillDeps, 'queue' | 'log'>,
  batch: { jobId: string; seq: number; generation: number; tier: string },
  delayMs?: number,
): Promise<void> {
  const name = taskName('mail-batch', batch.jobId, batch.seq, `g${batch.generation}`);
  try {
    await deps.queue.enqueue({
      kind: 'mail-batch',
      queue: batch.tier === 'low' ? 'ingest-low' : 'ingest-high',
      name,
      payload: { jobId: batch.jobId, seq: batch.seq, generation: batch.generation },
      // Any instance takes a user's next batch, not the one that finished the last (task-queue.ts).
      anyInstance: true,
      ...(delayMs ? { delayMs } : {}),
    });
  } catch (error) {
    // The row says 'enqueued'; the reconciler re-enqueues it under a new generation.
    deps.log.warn(
      { err: error, jobId: batch.jobId, seq: batch.seq },
      'enqueue failed; the reconciler will retry',
    );
  }
}

export async function enqueueLister(
  deps: Pick<BackfillDeps, 'queue' | 'log'>,
  job: { id: string; list_generation: number },
): Promise<void> {
  await deps.queue.enqueue({
    kind: 'mail-list',
    queue: 'ingest-high',
    name: taskName('mail-list', job.id, `g${job.list_generation}`),
    payload: { jobId: job.id, generation: job.list_generation },
  });
}

/**
 * Re-enqueues a batch whose task was lost (lease expired or its owner gone, or enqueued long ago and never
 * started), only if it is still at the generation the caller saw: two sweeps that both saw it bump it once.
 */
export async function bumpAndEnqueue(deps: BackfillDeps, db: Kysely<Database>, key: BatchKey): Promise<void> {
  const row = await reclaimBatch(db, key, deps.instanceId);
  if (row) await enqueueBatch(deps, { jobId: key.jobId, ...row });
}

/**
 * The quota just credited these accounts: their batches deferred until later (a turn that came before the
 * batch was due, or a refusal's estimate that was too long) start now rather than leave the credit unspent —
 * unspent credit holds back what the plan gives everyone. A batch due within `marginMs` is left to its task.
 */
export async function wakeCreditedBatches(
  deps: Pick<BackfillDeps, 'db' | 'queue' | 'log' | 'instanceId'>,
  accountIds: readonly string[],
  marginMs: number,
): Promise<void> {
  const woken = await wakeDeferredBatches(deps.db, accountIds, deps.instanceId, marginMs);
  for (const row of woken) await enqueueBatch(deps, { jobId: row.job_id, ...row });
}
