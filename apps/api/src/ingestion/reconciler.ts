import { sql } from 'kysely';
import type { BackfillDeps } from './backfill-deps.ts';
import { ownerIsGone } from './instance-liveness.ts';
import { setJobStatus } from './job-transitions.ts';
import { bumpAndEnqueue, enqueueLister, scheduleNextBatch } from './scheduler.ts';

export interface ReconcileReport {
  batchesReenqueued: number;
  listersReenqueued: number;
  jobsScheduled: number;
  jobsStalled: number;
}

export interface ReclaimReport {
  batchesReclaimed: number;
  listersReclaimed: number;
}

/**
 * The lease sweep, run every `leaseRenewEveryMs` (and first thing in `reconcile`): batches and listers whose
 * lease lapsed, or whose owner's process is gone (its instance lock is free — at once after a SIGKILL), are
 * re-enqueued under the next generation, so a dead worker's work moves on within seconds. Cheap enough to run
 * that often: both scans are on partial indexes of unfinished work, and the owner check runs only for leases
 * held by others.
 */
export async function reclaimLeases(deps: BackfillDeps): Promise<ReclaimReport> {
  const { db } = deps;
  const lost = await db
    .selectFrom('ingestion_batches')
    .innerJoin('ingestion_jobs', 'ingestion_jobs.id', 'ingestion_batches.job_id')
    .select(['ingestion_batches.job_id', 'ingestion_batches.seq', 'ingestion_batches.generation'])
    .where('ingestion_batches.status', '=', 'running')
    .where('ingestion_jobs.status', 'not in', ['paused', 'complete', 'failed'])
    .where((eb) =>
      eb.or([
        eb('ingestion_batches.lease_until', '<', sql<Date>`now()`),
        eb.and([
          eb('ingestion_batches.lease_owner', '!=', deps.instanceId),
          ownerIsGone('ingestion_batches.lease_owner'),
        ]),
      ]),
    )
    .execute();
  for (const batch of lost) {
    await bumpAndEnqueue(deps, db, { jobId: batch.job_id, seq: batch.seq, generation: batch.generation });
  }

  const listers = await db
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      list_generation: eb('list_generation', '+', 1),
      list_lease_until: null,
      list_lease_owner: null,
    }))
    .where('kind', '=', 'gmail_backfill')
    .where('listing_done', '=', false)
    .where('status', 'not in', ['paused', 'complete', 'failed'])
    .where('list_lease_until', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('list_lease_until', '<', sql<Date>`now()`),
        eb.and([eb('list_lease_owner', '!=', deps.instanceId), ownerIsGone('list_lease_owner')]),
      ]),
    )
    .returning(['id', 'list_generation'])
    .execute();
  for (const job of listers) await enqueueLister(deps, job);
  if (lost.length + listers.length > 0) {
    deps.log.info(
      { batches: lost.length, listers: listers.length },
      'reclaimed the leases of dead or late workers',
    );
  }
  return { batchesReclaimed: lost.length, listersReclaimed: listers.length };
}

/**
 * The database is the source of truth, not the queue (ARCHITECTURE §3). At start and every minute: the lease
 * sweep (above); batches whose task was enqueued long ago and never started (lost) are re-enqueued under the
 * next generation; listers likewise; working jobs with nothing in flight get their next batch; and a job
 * without progress for `stallAfterMs` is marked `stalled` instead of 'syncing' forever.
 */
export async function reconcile(deps: BackfillDeps): Promise<ReconcileReport> {
  const { db, settings } = deps;
  const reclaimed = await reclaimLeases(deps);
  const report: ReconcileReport = {
    batchesReenqueued: reclaimed.batchesReclaimed,
    listersReenqueued: reclaimed.listersReclaimed,
    jobsScheduled: 0,
    jobsStalled: 0,
  };
  const reenqueueBefore = sql<Date>`now() - ${`${settings.reenqueueAfterMs} milliseconds`}::interval`;

  const lost = await db
    .selectFrom('ingestion_batches')
    .innerJoin('ingestion_jobs', 'ingestion_jobs.id', 'ingestion_batches.job_id')
    .select(['ingestion_batches.job_id', 'ingestion_batches.seq', 'ingestion_batches.generation'])
    .where('ingestion_jobs.status', 'not in', ['paused', 'complete', 'failed'])
    .where('ingestion_batches.status', '=', 'enqueued')
    .where('ingestion_batches.enqueued_at', '<', reenqueueBefore)
    .execute();
  for (const batch of lost) {
    await bumpAndEnqueue(deps, db, { jobId: batch.job_id, seq: batch.seq, generation: batch.generation });
    report.batchesReenqueued++;
  }

  const listers = await db
    .updateTable('ingestion_jobs')
    .set((eb) => ({ list_generation: eb('list_generation', '+', 1), list_lease_until: null }))
    .where('kind', '=', 'gmail_backfill')
    .where('listing_done', '=', false)
    .where('status', 'not in', ['paused', 'complete', 'failed'])
    .where('list_lease_until', 'is', null)
    .where('updated_at', '<', reenqueueBefore)
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
