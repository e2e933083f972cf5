import type { ConnectedAccount, IngestionProgress } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { JobRow } from './job-repository.ts';
import { accountsWithLatestJob, currentTier, latestMailboxJob } from './progress-repository.ts';

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
  };
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
