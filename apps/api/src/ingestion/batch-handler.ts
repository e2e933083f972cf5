import type { GmailBatchTask } from '@firstlight/contracts';
import { encodeEmailCursor } from '../emails/email-cursor.ts';
import { newestEmailPosition, storeEmails } from '../emails/email-repository.ts';
import { parseGmailMessage } from '../gmail/message-parser.ts';
import { ReauthRequired } from '../google/account-clients.ts';
import type { TaskResult } from '../tasks/task-queue.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import {
  type BatchKey,
  completeBatch,
  findBatch,
  leaseBatch,
  releaseBatch,
  renewLease,
  storedIds,
} from './batch-repository.ts';
import { estimateSeconds } from './eta.ts';
import { recordFailures, recordIngestFailures } from './ingest-failure-repository.ts';
import { addBatchCounts, completeJobIfDone, findJob, recordJobProgress } from './job-repository.ts';
import { holdLease, type StopReason } from './lease-heartbeat.ts';
import { GMAIL_COST, PacedGmail } from './paced-gmail.ts';
import { currentTier } from './progress-repository.ts';
import { pauseForReauth } from './reauth.ts';
import { scheduleNextBatch } from './scheduler.ts';

/**
 * One batch of ≤ 1000 messages (ARCHITECTURE §3 step 5): lease it, fetch what is not stored yet through Gmail
 * batch requests of ≤ 50 parts under the user's pacer, upsert each chunk as it lands (one statement per chunk),
 * then mark it done and add its counts to the job in one transaction. Re-running a done batch is a no-op; a
 * half-done one fetches only what is missing; counters move only on the transition to done, which is fenced on
 * the lease (generation and owner). A heartbeat renews the short lease meanwhile; when it finds the lease taken
 * over, or `signal` aborts (shutdown), the batch stops between chunks, cancelling calls in flight.
 */
export async function runBatch(
  deps: BackfillDeps,
  task: GmailBatchTask,
  signal?: AbortSignal,
): Promise<TaskResult> {
  const { db, settings } = deps;
  const existing = await findBatch(db, task.jobId, task.seq);
  if (!existing || existing.status === 'done' || existing.generation !== task.generation)
    return { outcome: 'done' };
  const job = await findJob(db, task.jobId);
  if (!job || job.status === 'complete' || job.status === 'failed') return { outcome: 'done' };
  if (job.status === 'paused') {
    // Signing in again re-schedules the job's batches.
    await releaseBatch(db, task, 'paused: waiting for the user to sign in again');
    return { outcome: 'done' };
  }
  if (signal?.aborted) return { outcome: 'retry', reason: 'the process is stopping' };
  const lease = { leaseMs: settings.leaseMs, owner: deps.instanceId };
  const batch = await leaseBatch(db, task, lease);
  if (!batch) return { outcome: 'retry', reason: 'batch is leased by another worker' };

  const key: BatchKey = { jobId: task.jobId, seq: task.seq, generation: task.generation };
  const log = { userId: job.user_id, jobId: job.id, seq: task.seq };
  const startedAt = performance.now();
  if (batch.enqueued_at) {
    deps.metrics.queueLag.observe(
      { kind: 'gmail-batch' },
      Math.max(0, Date.now() - batch.enqueued_at.getTime()) / 1000,
    );
  }

  // The heartbeat keeps the short lease while the batch works; it stops the work if the lease is taken over
  // or the process stops (then the batch is handed back, progress kept).
  const held = holdLease(() => renewLease(db, key, lease), {
    renewEveryMs: settings.leaseRenewEveryMs,
    taskSignal: signal,
    log: deps.log,
  });
  try {
    const { client } = await deps.clients.forAccount(job.account_id);
    const gmail = new PacedGmail(job.user_id, client, deps.google, deps.pacer, deps.metrics, {
      maxAttempts: settings.callAttempts,
      signal: held.signal,
    });
    const already = await storedIds(db, job.user_id, batch.message_ids);
    const missing = batch.message_ids.filter((id) => !already.has(id));
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += settings.partsPerRequest) {
      chunks.push(missing.slice(i, i + settings.partsPerRequest));
    }

    let stored = already.size;
    let gone = 0;
    const failures: { gmailId: string; reason: string }[] = [];
    const work = async (ids: string[]) => {
      held.check();
      const parts = await gmail.metadata(ids);
      held.check(); // a worker that lost its lease writes nothing more
      const emails = [];
      for (const part of parts) {
        if (part.status === 404) {
          gone++; // deleted since listing: incremental sync will confirm; not a failure
          continue;
        }
        if (part.status !== 200) {
          failures.push({ gmailId: part.id, reason: `messages.get answered ${part.status}` });
          continue;
        }
        const parsed = parseGmailMessage({ userId: job.user_id, accountId: job.account_id }, part.body);
        if (parsed.ok) emails.push(parsed.email);
        else failures.push({ gmailId: part.id || parsed.gmailId || '', reason: parsed.reason }); // the id we asked for
      }
      // One statement per chunk; a row the database refuses is recorded and its neighbours are stored.
      const chunk = await storeEmails(db, emails);
      failures.push(...chunk.refused);
      stored += chunk.stored;
      deps.metrics.messagesIngested.inc({ path: 'backfill' }, chunk.stored);
    };
    // A few Gmail batch requests in flight; the pacer bounds them again per user. All settle before the batch
    // is finished or handed back: nothing of this run writes after that.
    let cursor = 0;
    let broken = false; // one failed: the others take no new chunk
    const runs = await Promise.allSettled(
      Array.from({ length: Math.min(settings.requestsInFlight, chunks.length) }, async () => {
        while (cursor < chunks.length && !broken) {
          await work(chunks[cursor++]!).catch((error: unknown) => {
            broken = true;
            throw error;
          });
        }
      }),
    );
    const failed = runs.find((run) => run.status === 'rejected');
    if (failed) throw failed.reason;
    held.check();
    held.end();

    const finished = await db.transaction().execute(async (trx) => {
      await recordFailures(trx, job.id, task.seq, failures);
      const owner = { accountId: job.account_id, userId: job.user_id };
      await recordIngestFailures(
        trx,
        owner,
        'gmail',
        failures.map((failure) => ({ itemId: failure.gmailId, reason: failure.reason })),
      );
      const done = await completeBatch(trx, key, {
        owner: lease.owner,
        stored,
        failed: failures.length,
        lastError: gone > 0 ? `${gone} messages were deleted before they could be fetched` : null,
      });
      if (!done) return undefined; // superseded while we worked: change nothing
      const counts = await addBatchCounts(trx, job.id, done);
      await recordJobProgress(trx, deps.bus, job.id);
      const newest = await newestEmailPosition(trx, job.user_id);
      const remaining = Math.max(0, (counts.total ?? counts.ingested) - counts.ingested);
      await deps.bus.publish(trx, job.user_id, {
        type: 'batch_complete',
        jobId: job.id,
        seq: task.seq,
        tier: batch.tier,
        currentTier: await currentTier(trx, job.id),
        stored,
        failed: failures.length,
        ingested: counts.ingested,
        total: counts.total,
        etaSeconds: await estimateSeconds(
          trx,
          job.id,
          remaining,
          settings.unitsPerMs / GMAIL_COST['messages.get'],
        ),
      });
      await deps.bus.publish(trx, job.user_id, {
        type: 'emails_ready',
        jobId: job.id,
        count: stored,
        newestCursor: newest ? encodeEmailCursor(newest) : null,
      });
      return true;
    });
    if (finished) {
      deps.metrics.batchDuration.observe({ tier: batch.tier }, (performance.now() - startedAt) / 1000);
      deps.log.info({ ...log, stored, failed: failures.length, gone }, 'batch done');
      await completeJobIfDone(deps, job.id);
    }
    await scheduleNextBatch(deps, job.id);
    return { outcome: 'done' };
  } catch (error) {
    if (held.stopped) return handBack(deps, key, held.stopped, log);
    if (error instanceof ReauthRequired) {
      // Paused first, released second: a batch released while its job still looks busy is re-scheduled at once
      // (reconciler, lister) and left 'enqueued' for the whole pause.
      await pauseForReauth(
        deps,
        { jobId: job.id, userId: job.user_id, accountId: job.account_id },
        error.message,
      );
      await releaseBatch(db, key, error.message, lease.owner);
      return { outcome: 'done' };
    }
    await releaseBatch(db, key, error instanceof Error ? error.message : String(error), lease.owner);
    deps.log.warn({ ...log, err: error }, 'batch failed; the queue will retry');
    return { outcome: 'retry', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    held.end();
  }
}

/**
 * The work stopped before the batch was done. Lease lost: another worker has the batch under a new
 * generation, this delivery is stale. Shutdown: the batch is given back at once with what it stored (the next
 * run fetches only the rest; counters move only when a batch turns done) and enqueued again under a new
 * generation, so any instance picks it up now rather than after the queue's retry backoff.
 */
async function handBack(
  deps: BackfillDeps,
  key: BatchKey,
  reason: StopReason,
  log: object,
): Promise<TaskResult> {
  if (reason === 'lease-lost') {
    deps.log.info(log, 'batch taken over by another worker; stopped');
    return { outcome: 'done' };
  }
  await releaseBatch(deps.db, key, 'handed back: the process stopped', deps.instanceId);
  await scheduleNextBatch(deps, key.jobId).catch((error: unknown) =>
    deps.log.warn({ ...log, err: error }, 'could not enqueue a handed-back batch; the reconciler will'),
  );
  deps.log.info(log, 'batch handed back: the process is stopping');
  return { outcome: 'retry', reason: 'the process is stopping' };
}
