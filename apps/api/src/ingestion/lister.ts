import type { MailListTask } from '@firstlight/contracts';
import { type MailSource, ReauthRequired } from '../providers/index.ts';
import type { TaskResult } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { nextSeq } from './batch-reads-repository.ts';
import { insertBatch } from './batch-repository.ts';
import {
  completeJobIfDone,
  type JobRow,
  markJobListing,
  recordJobProgress,
  recordProfile,
} from './job-repository.ts';
import { type HeldLease, holdLease, type StopReason, WorkStopped } from './lease-heartbeat.ts';
import {
  advanceListing,
  finishListing,
  handBackListLease,
  type ListLease,
  listLeaseState,
  releaseListLease,
  renewListLease,
  takeListLease,
} from './list-lease-repository.ts';
import { openMailSource } from './mail-sources.ts';
import { pauseForReauth } from './reauth.ts';
import { enqueueLister, scheduleNextBatch } from './scheduler.ts';

/**
 * The lister (ARCHITECTURE §3 step 4). First the profile's cursor and size estimate — the resume point of
 * incremental sync, taken *before* listing so nothing arriving meanwhile is missed — then list pages of 500.
 * Every `batchSize` ids (minus the first page, already stored) become one batch row, written in the same
 * transaction that moves the saved page token past them: a lister that dies resumes from the last batch
 * boundary and rewrites nothing. The next 1000 are tier `high`, the rest `low`.
 */
export async function runLister(
  deps: BackfillDeps,
  task: MailListTask,
  signal?: AbortSignal,
): Promise<TaskResult> {
  if (signal?.aborted) return { outcome: 'retry', reason: 'the process is stopping' };
  const lease = { leaseMs: deps.settings.leaseMs, owner: deps.instanceId, generation: task.generation };
  const job = await takeListLease(deps.db, task.jobId, lease);
  if (!job) return noLease(deps, task);
  const held = holdLease(() => renewListLease(deps.db, job.id, lease), {
    renewEveryMs: deps.settings.leaseRenewEveryMs,
    taskSignal: signal,
    log: deps.log,
  });
  try {
    const { source } = await openMailSource(
      deps,
      { accountId: job.account_id, userId: job.user_id },
      { class: 'high' }, // listing is part of the backfill's recent tiers
      held.signal,
    );
    await listMailbox(deps, job, lease, source, held);
    held.end();
    deps.log.info({ userId: job.user_id, jobId: job.id }, 'listing done');
    await completeJobIfDone(deps, job.id);
    await scheduleNextBatch(deps, job.id);
    return { outcome: 'done' };
  } catch (error) {
    return listerStopped(
      deps,
      job,
      lease,
      held.stopped ?? (error instanceof WorkStopped ? error.reason : undefined),
      error,
    );
  } finally {
    held.end();
  }
}

/** Stale generation, finished, paused, or another worker holds the lease: retried only in the last case. */
async function noLease(deps: BackfillDeps, task: MailListTask): Promise<TaskResult> {
  const current = await listLeaseState(deps.db, task.jobId);
  const heldByOther =
    current &&
    !current.listing_done &&
    current.list_generation === task.generation &&
    current.list_lease_until;
  return heldByOther ? { outcome: 'retry', reason: 'the lister is running elsewhere' } : { outcome: 'done' };
}

async function listMailbox(
  deps: BackfillDeps,
  job: JobRow,
  lease: ListLease,
  source: MailSource,
  held: HeldLease,
): Promise<void> {
  if (job.start_history_id === null) {
    const profile = await source.profile();
    await recordProfile(deps.db, job.id, { historyId: profile.cursor, total: profile.totalEstimate });
  }
  await markJobListing(deps, job.id);
  const firstPage = new Set(job.first_page_ids);
  let pageToken = job.list_page_token;
  let seq = await nextSeq(deps.db, job.id);
  for (let done = false; !done; ) {
    const listed = await listOneBatch(deps, source, pageToken);
    ({ pageToken, done } = listed);
    const ids = listed.ids.filter((id) => !firstPage.has(id));
    held.check();
    await deps.db.transaction().execute(async (trx) => {
      // Fenced: only the lease's holder moves the page token (else the transaction rolls back).
      if (!(await advanceListing(trx, job.id, lease, { pageToken, listed: listed.ids.length }))) {
        throw new WorkStopped('lease-lost');
      }
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
}

/** Pages fill one batch exactly (1000 = 2 × 500), so a batch boundary is always a page boundary. */
async function listOneBatch(deps: BackfillDeps, source: MailSource, from: string | null) {
  const { batchSize, listPageSize } = deps.settings;
  const ids: string[] = [];
  let pageToken = from;
  for (let page = 0; page < Math.max(1, Math.ceil(batchSize / listPageSize)); page++) {
    const listed = await source.listPage(pageToken, listPageSize);
    ids.push(...listed.ids);
    pageToken = listed.nextPageToken;
    if (!pageToken) return { ids, pageToken, done: true };
  }
  return { ids, pageToken, done: false };
}

async function listerStopped(
  deps: BackfillDeps,
  job: JobRow,
  lease: ListLease,
  stopped: StopReason | undefined,
  error: unknown,
): Promise<TaskResult> {
  const log = { userId: job.user_id, jobId: job.id };
  if (stopped === 'lease-lost') {
    deps.log.info(log, 'lister taken over by another worker; stopped');
    return { outcome: 'done' };
  }
  if (stopped === 'shutdown') {
    // Handed back at once, the page token kept: a fresh task (new generation) resumes from it anywhere.
    const next = await handBackListLease(deps.db, job.id, lease);
    if (next) await enqueueLister(deps, next).catch(() => {});
    deps.log.info(log, 'lister handed back: the process is stopping');
    return { outcome: 'retry', reason: 'the process is stopping' };
  }
  await releaseListLease(deps.db, job.id, lease);
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
}
