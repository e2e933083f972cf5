import type { GmailListTask } from '@firstlight/contracts';
import { ReauthRequired } from '../google/account-clients.ts';
import type { TaskResult } from '../tasks/task-queue.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { insertBatch, nextSeq } from './batch-repository.ts';
import { completeJobIfDone, markJobListing, recordJobProgress, recordProfile } from './job-repository.ts';
import { holdLease, WorkStopped } from './lease-heartbeat.ts';
import {
  advanceListing,
  finishListing,
  handBackListLease,
  listLeaseState,
  releaseListLease,
  renewListLease,
  takeListLease,
} from './list-lease-repository.ts';
import { PacedGmail } from './paced-gmail.ts';
import { pauseForReauth } from './reauth.ts';
import { enqueueLister, scheduleNextBatch } from './scheduler.ts';

/**
 * The lister (ARCHITECTURE §3 step 4). First getProfile's historyId and messagesTotal — the resume point of
 * incremental sync, taken *before* listing so nothing arriving meanwhile is missed — then messages.list pages
 * of 500. Every `batchSize` ids (minus the first page, already stored) become one batch row, written in the
 * same transaction that moves the saved page token past them: a lister that dies resumes from the last
 * batch boundary and rewrites nothing. The next 1000 are tier `high`, the rest `low`.
 */
export async function runLister(
  deps: BackfillDeps,
  task: GmailListTask,
  signal?: AbortSignal,
): Promise<TaskResult> {
  const { db, settings } = deps;
  if (signal?.aborted) return { outcome: 'retry', reason: 'the process is stopping' };
  const lease = { leaseMs: settings.leaseMs, owner: deps.instanceId, generation: task.generation };
  const job = await takeListLease(db, task.jobId, lease);
  if (!job) {
    // Stale generation, finished, paused, or another worker holds the lease: nothing to do here.
    const current = await listLeaseState(db, task.jobId);
    const heldByOther =
      current &&
      !current.listing_done &&
      current.list_generation === task.generation &&
      current.list_lease_until;
    return heldByOther
      ? { outcome: 'retry', reason: 'the lister is running elsewhere' }
      : { outcome: 'done' };
  }
  const log = { userId: job.user_id, jobId: job.id };
  const held = holdLease(() => renewListLease(db, job.id, lease), {
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

    if (job.start_history_id === null) {
      const profile = await gmail.profile();
      await recordProfile(db, job.id, {
        historyId: profile.historyId ?? null,
        total: profile.messagesTotal ?? null,
      });
    }
    await markJobListing(deps, job.id);

    const firstPage = new Set(job.first_page_ids);
    let pageToken = job.list_page_token;
    let seq = await nextSeq(db, job.id);
    let buffered: string[] = [];
    let done = false;
    while (!done) {
      // Pages fill one batch exactly (1000 = 2 × 500), so a batch boundary is always a page boundary.
      const pagesPerBatch = Math.max(1, Math.ceil(settings.batchSize / settings.listPageSize));
      for (let page = 0; page < pagesPerBatch; page++) {
        const data = await gmail.listPage(pageToken, settings.listPageSize);
        for (const message of data.messages ?? []) if (message.id) buffered.push(message.id);
        pageToken = data.nextPageToken ?? null;
        if (!pageToken) {
          done = true;
          break;
        }
      }
      const ids = buffered.filter((id) => !firstPage.has(id));
      const listedNow = buffered.length;
      buffered = [];
      held.check();
      await db.transaction().execute(async (trx) => {
        // Fenced: only the lease's holder moves the page token (else the transaction rolls back).
        const moved = await advanceListing(trx, job.id, lease, { pageToken, listed: listedNow });
        if (!moved) throw new WorkStopped('lease-lost');
        if (ids.length > 0) {
          await insertBatch(trx, { jobId: job.id, seq, tier: seq === 0 ? 'high' : 'low', messageIds: ids });
        }
        // The last page and "listing done" commit together: a lister interrupted between two transactions
        // found no page token and no `listing_done`, listed the mailbox again and doubled its batches.
        if (done) await finishListing(trx, deps.bus, job.id, firstPage.size);
        await recordJobProgress(trx, deps.bus, job.id);
      });
      if (ids.length > 0) {
        seq++;
        await scheduleNextBatch(deps, job.id);
      }
    }

    held.end();
    deps.log.info(log, 'listing done');
    await completeJobIfDone(deps, job.id);
    await scheduleNextBatch(deps, job.id);
    return { outcome: 'done' };
  } catch (error) {
    const stopped = held.stopped ?? (error instanceof WorkStopped ? error.reason : undefined);
    if (stopped === 'lease-lost') {
      deps.log.info(log, 'lister taken over by another worker; stopped');
      return { outcome: 'done' };
    }
    if (stopped === 'shutdown') {
      // Handed back at once, the page token kept: a fresh task (new generation) resumes from it anywhere.
      const next = await handBackListLease(db, job.id, lease);
      if (next) await enqueueLister(deps, next).catch(() => {});
      deps.log.info(log, 'lister handed back: the process is stopping');
      return { outcome: 'retry', reason: 'the process is stopping' };
    }
    await releaseListLease(db, job.id, lease);
    if (error instanceof ReauthRequired) {
      await pauseForReauth(
        deps,
        { jobId: job.id, userId: job.user_id, accountId: job.account_id },
        error.message,
      );
      return { outcome: 'done' };
    }
    deps.log.warn({ ...log, err: error }, 'lister failed; the queue will retry');
    return { outcome: 'retry', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    held.end();
  }
}
