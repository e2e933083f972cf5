import type { BackfillDeps } from './backfill-deps.ts';
import {
  lapsedBatches,
  lostEnqueuedBatches,
  orphanedBatches,
  waitsForQuota,
} from './batch-reads-repository.ts';
import { reclaimOrphanedBatch } from './batch-repository.ts';
import { markJobStalled, workingJobs } from './job-repository.ts';
import { reclaimIdleListers, reclaimLapsedListers } from './list-lease-repository.ts';
import { bumpAndEnqueue, enqueueBatch, enqueueLister, scheduleNextBatch } from './scheduler.ts';

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
 * re-enqueued under the next generation, so a dead worker's work moves on within seconds. Likewise enqueued
 * batches whose task owner is gone (batch-repository.ts `claimBatchTask`), due when they were due. Cheap
 * enough to run that often: the scans are on partial indexes of unfinished work, and the owner check runs
 * only for leases and tasks held by others.
 */
export async function reclaimLeases(deps: BackfillDeps): Promise<ReclaimReport> {
  const lost = await lapsedBatches(deps.db, deps.instanceId);
  for (const batch of lost) await bumpAndEnqueue(deps, deps.db, batch);
  let orphans = 0;
  for (const { taskOwner, ...key } of await orphanedBatches(deps.db, deps.instanceId)) {
    const owners = { deadOwner: taskOwner, owner: deps.instanceId };
    const row = await reclaimOrphanedBatch(deps.db, key, owners);
    if (!row) continue; // a live worker took it meanwhile, or another sweep did
    await enqueueBatch(deps, { jobId: key.jobId, ...row }, row.delayMs);
    orphans++;
  }
  const listers = await reclaimLapsedListers(deps.db, deps.instanceId);
  for (const job of listers) await enqueueLister(deps, job);
  if (lost.length + orphans + listers.length > 0) {
    deps.log.info(
      { batches: lost.length, orphans, listers: listers.length },
      'reclaimed the leases and tasks of dead or late workers',
    );
  }
  return { batchesReclaimed: lost.length + orphans, listersReclaimed: listers.length };
}

/**
 * The database is the source of truth, not the queue (ARCHITECTURE §3). At start and every minute: the lease
 * sweep (above); batches whose task was due long ago (enqueued, or delayed to `not_before` after a quota
 * refusal) and never started (lost) are re-enqueued under the next generation; listers likewise; working jobs with nothing in flight get their next batch; and a job
 * without progress for `stallAfterMs` is marked `stalled` instead of 'syncing' forever.
 */
export async function reconcile(deps: BackfillDeps): Promise<ReconcileReport> {
  const { settings } = deps;
  const reclaimed = await reclaimLeases(deps);
  const report: ReconcileReport = {
    batchesReenqueued: reclaimed.batchesReclaimed,
    listersReenqueued: reclaimed.listersReclaimed,
    jobsScheduled: 0,
    jobsStalled: 0,
  };
  for (const batch of await lostEnqueuedBatches(deps.db, settings.reenqueueAfterMs)) {
    await bumpAndEnqueue(deps, deps.db, batch);
    report.batchesReenqueued++;
  }
  for (const job of await reclaimIdleListers(deps.db, settings.reenqueueAfterMs)) {
    await enqueueLister(deps, job);
    report.listersReenqueued++;
  }
  for (const job of await workingJobs(deps.db)) {
    await scheduleNextBatch(deps, job.id);
    report.jobsScheduled++;
    const idleMs = Date.now() - job.last_progress_at.getTime();
    // A job waiting for quota (a delayed batch: the daily budget can mean hours) is waiting, not stalled.
    if (
      job.status !== 'stalled' &&
      idleMs > settings.stallAfterMs &&
      !(await waitsForQuota(deps.db, job.id))
    ) {
      const reason = `no progress for ${Math.round(idleMs / 1000)} s`;
      if (await markJobStalled(deps, job.id, reason)) {
        report.jobsStalled++;
        deps.log.warn({ userId: job.user_id, jobId: job.id }, `job stalled: ${reason}`);
      }
    }
  }
  return report;
}
