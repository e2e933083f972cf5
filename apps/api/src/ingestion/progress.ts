import type { ConnectedAccount, IngestionProgress, QuotaWait } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { EventBus } from '../realtime/index.ts';
import type { JobRow } from './job-repository.ts';
import {
  accountsWithLatestJob,
  currentTier,
  latestMailboxJob,
  quotaWaitingBatches,
} from './progress-repository.ts';

export async function toProgress(db: Kysely<Database>, job: JobRow): Promise<IngestionProgress> {
  const finished = job.status === 'complete' || job.status === 'failed';
  return {
    jobId: job.id,
    accountId: job.account_id,
    status: job.status,
    total: job.total,
    ingested: job.ingested,
    failed: job.failed,
    currentTier: finished ? null : await currentTier(db, job.id),
    firstDataMs: job.first_data_ms,
    lastError: job.last_error,
    quotaWait: finished ? null : await quotaWaitOf(db, job.id),
  };
}

/**
 * Whether the job's batches wait for tomorrow's quota budget, derived from the batches themselves (not from
 * one instance's memory), so every instance, the snapshot and `/api/me` tell the same story.
 */
export async function quotaWaitOf(db: Kysely<Database>, jobId: string): Promise<QuotaWait | null> {
  const { waiting, active, resumesAt } = await quotaWaitingBatches(db, jobId);
  if (waiting === 0 || !resumesAt) return null;
  return {
    reason: 'daily_budget',
    resumesAt: resumesAt.toISOString(),
    batches: waiting,
    everything: active === 0,
  };
}

/** Tells the user's open pages that the job's batches wait for tomorrow's quota (after a deferral). */
export async function announceQuotaWait(
  db: Kysely<Database>,
  bus: Pick<EventBus, 'publish'>,
  job: Pick<JobRow, 'id' | 'user_id'>,
): Promise<void> {
  await bus.publish(db, job.user_id, {
    type: 'quota_wait',
    jobId: job.id,
    quotaWait: await quotaWaitOf(db, job.id),
  });
}

export async function mailboxProgress(
  db: Kysely<Database>,
  userId: string,
): Promise<IngestionProgress | null> {
  const job = await latestMailboxJob(db, userId);
  return job ? toProgress(db, job) : null;
}

/** Every connected account of the user, oldest first, each with its own mailbox progress. */
export async function accountsProgress(db: Kysely<Database>, userId: string): Promise<ConnectedAccount[]> {
  const accounts = await accountsWithLatestJob(db, userId);
  return Promise.all(
    accounts.map(async (account) => ({
      id: account.id,
      provider: account.provider,
      email: account.email,
      status: account.status,
      scopes: account.scopes,
      ingestion: account.job ? await toProgress(db, account.job) : null,
    })),
  );
}
