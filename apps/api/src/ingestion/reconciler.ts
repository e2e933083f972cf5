import { sql } from 'kysely';
import type { BackfillDeps } from './backfill-deps.ts';
import { setJobStatus } from './job-transitions.ts';
import { bumpAndEnqueue, enqueueLister, scheduleNextBatch } from './scheduler.ts';

export interface ReconcileReport {
  batchesReenqueued: number;
  listersReenqueued: number;
  jobsScheduled: number;
  jobsStalled: number;
}

/**
 * The database is the source of truth, not the queue (ARCHITECTURE §3). At start and every minute:
 * batches whose lease lapsed (a worker died) or whose task was enqueued long ago and never started (lost) are
 * re-enqueued under the next generation; listers likewise; working jobs with nothing in flight get their next
 * batch; and a job without progress for `stallAfterMs` is marked `stalled` instead of 'syncing' forever.
 */
export async function reconcile(deps: BackfillDeps): Promise<ReconcileReport> {
  const { db, settings } = deps;
  const report: ReconcileReport = {
    batchesReenqueued: 0,
    listersReenqueued: 0,
    jobsScheduled: 0,
    jobsStalled: 0,
  };
  const reenqueueBefore = sql<Date>`now() - ${`${settings.reenqueueAfterMs} milliseconds`}::interval`;

  const lost = await db
    .selectFrom('ingestion_batches')
    .innerJoin('ingestion_jobs', 'ingestion_jobs.id', 'ingestion_batches.job_id')
    .select(['ingestion_batches.job_id', 'ingestion_batches.seq'])
    .where('ingestion_jobs.status', 'not in', ['paused', 'complete', 'failed'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('ingestion_batches.status', '=', 'running'),
          eb('ingestion_batches.lease_until', '<', sql<Date>`now()`),
        ]),
        eb.and([
          eb('ingestion_batches.status', '=', 'enqueued'),
          eb('ingestion_batches.enqueued_at', '<', reenqueueBefore),
        ]),
      ]),
    )
    .execute();
  for (const batch of lost) {
    await bumpAndEnqueue(deps, db, { jobId: batch.job_id, seq: batch.seq });
    report.batchesReenqueued++;
  }

  const listers = await db
    .updateTable('ingestion_jobs')
    .set((eb) => ({ list_generation: eb('list_generation', '+', 1), list_lease_until: null }))
    .where('kind', '=', 'gmail_backfill')
    .where('listing_done', '=', false)
    .where('status', 'not in', ['paused', 'complete', 'failed'])
    .where((eb) =>
      eb.or([
        eb('list_lease_until', '<', sql<Date>`now()`),
        eb.and([eb('list_lease_until', 'is', null), eb('updated_at', '<', reenqueueBefore)]),
      ]),
    )
    .returning(['id', 'list_generation'])
    .execute();
  for (const job of listers) {
    await enqueueLister(deps, job);
    report.listersReenqueued++;
  }

  const working = await db
    .selectFrom('ingestion_jobs')
    .select(['id', 'user_id', 'status', 'last_progress_at'])
    .where('kind', '=', 'gmail_backfill')
    .where('status', 'in', ['pending', 'listing', 'running', 'stalled'])
    .execute();
  for (const job of working) {
    await scheduleNextBatch(deps, job.id);
    report.jobsScheduled++;
    const idleMs = Date.now() - job.last_progress_at.getTime();
    if (job.status !== 'stalled' && idleMs > settings.stallAfterMs) {
      const reason = `no progress for ${Math.round(idleMs / 1000)} s`;
      if (await setJobStatus(db, deps.bus, { id: job.id, userId: job.user_id }, 'stalled', reason)) {
        report.jobsStalled++;
        deps.log.warn({ userId: job.user_id, jobId: job.id }, `job stalled: ${reason}`);
      }
    }
  }
  return report;
}
