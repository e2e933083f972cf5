import type { MailBatchTask } from '@firstlight/contracts';
import { encodeEmailCursor, newestEmailPosition } from '../emails/index.ts';
import { recordFailures, recordIngestFailures } from '../ingest-failures/index.ts';
import { type MailProvider, ReauthRequired } from '../providers/index.ts';
import type { TaskResult } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { type BatchOutcome, classOf, fetchBatch, type Refusal } from './batch-fetch.ts';
import {
  type BatchKey,
  type BatchRow,
  claimBatchTask,
  completeBatch,
  deferBatch,
  findBatch,
  leaseBatch,
  releaseBatch,
  renewLease,
} from './batch-repository.ts';
import { estimateSeconds } from './eta.ts';
import {
  addBatchCounts,
  completeJobIfDone,
  findJob,
  type JobRow,
  recordJobProgress,
} from './job-repository.ts';
import { holdLease, type StopReason } from './lease-heartbeat.ts';
import { openMailSource } from './mail-sources.ts';
import { announceQuotaWait, quotaWaitOf } from './progress.ts';
import { currentTier, DAILY_BUDGET_NOTE } from './progress-repository.ts';
import { Prepaid } from './quota-pacing.ts';
import { pauseForReauth } from './reauth.ts';
import { enqueueBatch, scheduleNextBatch } from './scheduler.ts';

interface LeasedBatch {
  job: JobRow;
  batch: BatchRow;
  key: BatchKey;
  lease: { leaseMs: number; owner: string };
}

/**
 * One batch of ≤ 1000 messages (ARCHITECTURE §3 step 5): lease it, then grant by grant — the quota port's
 * non-blocking `tryTake` — fetch what the grant covers of what is not stored yet through the account's mail
 * source in chunks of ≤ 50, upsert each chunk as it lands (one statement per chunk); then mark it done and add
 * its counts to the job in one transaction. A refused grant never holds the worker: the batch is handed back
 * and enqueued again for when the quota says (see deferRun). Re-running a done batch is a
 * no-op; a half-done one fetches only what is missing; counters move only on the transition to done, which is
 * fenced on the lease (generation and owner). A heartbeat renews the short lease meanwhile; when it finds the
 * lease taken over, or `signal` aborts (shutdown), the batch stops between chunks, cancelling calls in flight.
 */
export async function runBatch(
  deps: BackfillDeps,
  task: MailBatchTask,
  signal?: AbortSignal,
): Promise<TaskResult> {
  const leased = await takeBatch(deps, task, signal);
  if ('outcome' in leased) return leased;
  const { job, batch, key } = leased;
  const startedAt = performance.now();
  if (batch.enqueued_at) {
    const lag = Math.max(0, Date.now() - batch.enqueued_at.getTime()) / 1000;
    deps.metrics.queueLag.observe({ kind: 'mail-batch' }, lag);
  }
  // The heartbeat keeps the short lease while the batch works; it stops the work if the lease is taken over
  // or the process stops (then the batch is handed back, progress kept).
  const held = holdLease(() => renewLease(deps.db, key, leased.lease), {
    renewEveryMs: deps.settings.leaseRenewEveryMs,
    taskSignal: signal,
    log: deps.log,
  });
  try {
    const prepaid = new Prepaid();
    const opened = await openMailSource(
      deps,
      { accountId: job.account_id, userId: job.user_id },
      { class: classOf(batch.tier), prepaid },
      held.signal,
    );
    const outcome = await fetchBatch(deps, leased, { ...opened, prepaid }, held);
    held.check();
    held.end();
    if ('refusal' in outcome) return await deferRun(deps, leased, outcome.refusal);
    if (await finishBatch(deps, leased, outcome, opened.provider)) {
      deps.metrics.batchDuration.observe({ tier: batch.tier }, (performance.now() - startedAt) / 1000);
      const { stored, gone, failures } = outcome;
      deps.log.info({ ...logOf(leased), stored, failed: failures.length, gone }, 'batch done');
      await completeJobIfDone(deps, job.id);
    }
    await deps.quota.withdraw('gmail', job.account_id);
    await scheduleNextBatch(deps, job.id);
    return { outcome: 'done' };
  } catch (error) {
    return batchStopped(deps, leased, held.stopped, error);
  } finally {
    held.end();
  }
}

const logOf = ({ job, key }: LeasedBatch) => ({ userId: job.user_id, jobId: job.id, seq: key.seq });

/** The batch for this delivery, leased; or the task's result when there is nothing (or nothing yet) to do. */
async function takeBatch(
  deps: BackfillDeps,
  task: MailBatchTask,
  signal?: AbortSignal,
): Promise<LeasedBatch | TaskResult> {
  // First: from now on this process answers for the task; should it die before the lease, the sweep knows.
  await claimBatchTask(deps.db, task, deps.instanceId);
  const existing = await findBatch(deps.db, task.jobId, task.seq);
  if (!existing || existing.status === 'done' || existing.generation !== task.generation)
    return { outcome: 'done' };
  const job = await findJob(deps.db, task.jobId);
  if (!job || job.status === 'complete' || job.status === 'failed') return { outcome: 'done' };
  if (job.status === 'paused') {
    // Signing in again re-schedules the job's batches.
    await releaseBatch(deps.db, task, 'paused: waiting for the user to sign in again');
    return { outcome: 'done' };
  }
  if (signal?.aborted) return { outcome: 'retry', reason: 'the process is stopping' };
  const lease = { leaseMs: deps.settings.leaseMs, owner: deps.instanceId };
  const batch = await leaseBatch(deps.db, task, lease);
  if (!batch) return { outcome: 'retry', reason: 'batch is leased by another worker' };
  const key = { jobId: task.jobId, seq: task.seq, generation: task.generation };
  return { job, batch, key, lease };
}

/**
 * The quota said "not now": the batch is given back with what it stored and enqueued again under the next
 * generation, due when the quota says (pg-boss startAfter, Cloud Tasks scheduleTime) — any instance takes it
 * then. The delivery is done: its worker goes on to other users' work. The demand stays with the quota (the
 * scheduler plans for it). A daily budget's refusal is said on the batch ("waiting for tomorrow's quota").
 */
async function deferRun(deps: BackfillDeps, leased: LeasedBatch, refusal: Refusal): Promise<TaskResult> {
  const note =
    refusal.reason === 'daily_budget' ? DAILY_BUDGET_NOTE : `waiting for quota (${refusal.reason})`;
  const delayMs = refusal.retryInMs;
  const row = await deferBatch(deps.db, leased.key, { owner: leased.lease.owner, delayMs, note });
  if (row) await enqueueBatch(deps, { jobId: leased.key.jobId, ...row }, delayMs);
  // The progress says "continues tomorrow" instead of an ETA (a deferral publishes no batch_complete).
  if (row && refusal.reason === 'daily_budget') await announceQuotaWait(deps.db, deps.bus, leased.job);
  deps.log.info({ ...logOf(leased), delayMs, reason: refusal.reason }, 'batch waits for quota; re-enqueued');
  return { outcome: 'done' };
}

/** Done, counted and announced in one transaction; false when superseded while it worked (nothing changes). */
async function finishBatch(
  deps: BackfillDeps,
  leased: LeasedBatch,
  { stored, gone, failures }: BatchOutcome,
  provider: MailProvider,
): Promise<boolean> {
  const { job, batch, key } = leased;
  return deps.db.transaction().execute(async (trx) => {
    await recordFailures(trx, job.id, key.seq, failures);
    const owner = { accountId: job.account_id, userId: job.user_id };
    const items = failures.map((failure) => ({ itemId: failure.messageId, reason: failure.reason }));
    await recordIngestFailures(trx, owner, provider.failureSource, items);
    const done = await completeBatch(trx, key, {
      owner: leased.lease.owner,
      stored,
      failed: failures.length,
      lastError: gone > 0 ? `${gone} messages were deleted before they could be fetched` : null,
    });
    if (!done) return false;
    const counts = await addBatchCounts(trx, job.id, done);
    await recordJobProgress(trx, deps.bus, job.id);
    const newest = await newestEmailPosition(trx, job.user_id);
    const remaining = Math.max(0, (counts.total ?? counts.ingested) - counts.ingested);
    const rate = deps.settings.unitsPerMs / provider.unitsPerMessage;
    await deps.bus.publish(trx, job.user_id, {
      type: 'batch_complete',
      jobId: job.id,
      seq: key.seq,
      tier: batch.tier,
      currentTier: await currentTier(trx, job.id),
      stored,
      failed: failures.length,
      ingested: counts.ingested,
      total: counts.total,
      etaSeconds: await estimateSeconds(trx, job.id, remaining, rate),
      quotaWait: await quotaWaitOf(trx, job.id),
    });
    const newestCursor = newest ? encodeEmailCursor(newest) : null;
    await deps.bus.publish(trx, job.user_id, {
      type: 'emails_ready',
      jobId: job.id,
      count: stored,
      newestCursor,
    });
    return true;
  });
}

/**
 * The work stopped before the batch was done. Lease lost: another worker has the batch under a new
 * generation, this delivery is stale. Shutdown: the batch is given back at once with what it stored (the next
 * run fetches only the rest; counters move only when a batch turns done) and enqueued again under a new
 * generation, so any instance picks it up now rather than after the queue's retry backoff. Re-auth: paused
 * first, released second — a batch released while its job still looks busy is re-scheduled at once
 * (reconciler, lister) and left 'enqueued' for the whole pause.
 */
async function batchStopped(
  deps: BackfillDeps,
  leased: LeasedBatch,
  stopped: StopReason | undefined,
  error: unknown,
): Promise<TaskResult> {
  const { job, key } = leased;
  const { owner } = leased.lease;
  const log = logOf(leased);
  if (stopped === 'lease-lost') {
    deps.log.info(log, 'batch taken over by another worker; stopped');
    return { outcome: 'done' };
  }
  if (stopped === 'shutdown') {
    await releaseBatch(deps.db, key, 'handed back: the process stopped', owner);
    await scheduleNextBatch(deps, key.jobId).catch((failure: unknown) =>
      deps.log.warn({ ...log, err: failure }, 'could not enqueue a handed-back batch; the reconciler will'),
    );
    deps.log.info(log, 'batch handed back: the process is stopping');
    return { outcome: 'retry', reason: 'the process is stopping' };
  }
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof ReauthRequired) {
    await deps.quota.withdraw('gmail', job.account_id); // handed back for good: until the user signs in again
    await pauseForReauth(deps, { jobId: job.id, userId: job.user_id, accountId: job.account_id }, reason);
    await releaseBatch(deps.db, key, reason, owner);
    return { outcome: 'done' };
  }
  await releaseBatch(deps.db, key, reason, owner);
  deps.log.warn({ ...log, err: error }, 'batch failed; the queue will retry');
  return { outcome: 'retry', reason };
}
