import type { IngestionProgress } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { currentTier, type JobRow, latestMailboxJob } from './job-repository.ts';

export async function toProgress(db: Kysely<Database>, job: JobRow): Promise<IngestionProgress> {
  const finished = job.status === 'complete' || job.status === 'failed';
  return {
    jobId: job.id,
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
