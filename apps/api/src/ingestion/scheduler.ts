import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import { taskName } from '../tasks/task-queue.ts';
import type { BackfillDeps } from './backfill-deps.ts';

/**
 * One batch in flight per user, in tier order: the queue holds at most one batch task per job. When a batch
 * finishes (or the lister writes the first one) the next pending batch, lowest seq first, is enqueued. The
 * database says what is next; the queue only carries "work on this now". A lost task is found by the
 * reconciler, which re-enqueues it under the next generation.
 */
export async function scheduleNextBatch(deps: BackfillDeps, jobId: string): Promise<void> {
  const next = await deps.db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('ingestion_jobs')
      .select(['status'])
      .where('id', '=', jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!job || ['paused', 'complete', 'failed'].includes(job.status)) return undefined;
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
    // A new generation, hence a new task name: a released batch (paused job, failed run) would otherwise reuse
    // the name of its finished task, which the queue refuses as a duplicate (pg-boss keeps it for hours, Cloud
    // Tasks about an hour), leaving the row 'enqueued' with no task until the reconciler's reenqueueAfterMs.
    return trx
      .updateTable('ingestion_batches')
      .set((eb) => ({ status: 'enqueued', enqueued_at: new Date(), generation: eb('generation', '+', 1) }))
      .where('job_id', '=', jobId)
      .where('seq', '=', (eb) =>
        eb
          .selectFrom('ingestion_batches')
          .select((inner) => inner.fn.min('seq').as('seq'))
          .where('job_id', '=', jobId)
          .where('status', 'in', ['pending', 'failed']),
      )
      .returning(['seq', 'generation', 'tier'])
      .executeTakeFirst();
  });
  if (!next) return;
  await enqueueBatch(deps, { jobId, ...next });
}

export async function enqueueBatch(
  deps: Pick<BackfillDeps, 'queue' | 'log'>,
  batch: { jobId: string; seq: number; generation: number; tier: string },
): Promise<void> {
  const name = taskName('gmail-batch', batch.jobId, batch.seq, `g${batch.generation}`);
  try {
    await deps.queue.enqueue({
      kind: 'gmail-batch',
      queue: batch.tier === 'low' ? 'ingest-low' : 'ingest-high',
      name,
      payload: { jobId: batch.jobId, seq: batch.seq, generation: batch.generation },
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
    kind: 'gmail-list',
    queue: 'ingest-high',
    name: taskName('gmail-list', job.id, `g${job.list_generation}`),
    payload: { jobId: job.id, generation: job.list_generation },
  });
}

/**
 * Re-enqueues a batch whose task was lost (lease expired or its owner gone, or enqueued long ago and never
 * started), only if it is still at the generation the caller saw: two sweeps that both saw it bump it once.
 */
export async function bumpAndEnqueue(
  deps: BackfillDeps,
  db: Kysely<Database>,
  key: { jobId: string; seq: number; generation: number },
): Promise<void> {
  const row = await db
    .updateTable('ingestion_batches')
    .set((eb) => ({
      generation: eb('generation', '+', 1),
      status: 'enqueued',
      enqueued_at: new Date(),
      lease_until: null,
      lease_owner: null,
    }))
    .where('job_id', '=', key.jobId)
    .where('seq', '=', key.seq)
    .where('generation', '=', key.generation)
    .where('status', '!=', 'done')
    .returning(['seq', 'generation', 'tier'])
    .executeTakeFirst();
  if (row) await enqueueBatch(deps, { jobId: key.jobId, ...row });
}
