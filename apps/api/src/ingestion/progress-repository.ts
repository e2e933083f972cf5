import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import type { JobRow } from './job-repository.ts';

/* What progress shows (`/api/me`, the snapshot, `batch_complete`): reads only. */

/** The user's most recent mailbox job (the one progress is about). */
export async function latestMailboxJob(db: Kysely<Database>, userId: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('ingestion_jobs')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'gmail_backfill')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Each of the user's accounts, oldest first, with its newest mailbox job (null before the first sign-in ends). */
export async function accountsWithLatestJob(db: Kysely<Database>, userId: string) {
  const rows = await db
    .selectFrom('accounts')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('ingestion_jobs')
          .select('ingestion_jobs.id as jobId')
          .whereRef('ingestion_jobs.account_id', '=', 'accounts.id')
          .where('ingestion_jobs.kind', '=', 'gmail_backfill')
          .orderBy('ingestion_jobs.created_at', 'desc')
          .limit(1)
          .as('latest'),
      (join) => join.onTrue(),
    )
    .select([
      'accounts.id',
      'accounts.provider',
      'accounts.email',
      'accounts.status',
      'accounts.scopes',
      'latest.jobId',
    ])
    .where('accounts.user_id', '=', userId)
    .orderBy('accounts.created_at')
    .orderBy('accounts.id')
    .execute();
  const jobIds = rows.flatMap((row) => (row.jobId ? [row.jobId] : []));
  const jobs =
    jobIds.length === 0
      ? []
      : await db.selectFrom('ingestion_jobs').selectAll().where('id', 'in', jobIds).execute();
  return rows.map((row) => ({ ...row, job: jobs.find((job) => job.id === row.jobId) }));
}

/** The tier of the lowest unfinished batch: what the job is working on now. */
export async function currentTier(db: Kysely<Database>, jobId: string) {
  const row = await db
    .selectFrom('ingestion_batches')
    .select('tier')
    .where('job_id', '=', jobId)
    .where('status', '!=', 'done')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row?.tier ?? null;
}

/** What done batches stored, and the wall-clock seconds from the first start to the last finish (the ETA). */
export async function doneBatchesRate(db: Kysely<Database>, jobId: string) {
  return db
    .selectFrom('ingestion_batches')
    .select([
      (eb) => eb.fn.sum<number>('stored_count').as('stored'),
      sql<number>`extract(epoch from (max(finished_at) - min(started_at)))`.as('seconds'),
    ])
    .where('job_id', '=', jobId)
    .where('status', '=', 'done')
    .executeTakeFirst();
}
