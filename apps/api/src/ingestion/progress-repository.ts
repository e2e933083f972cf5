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

/** What a batch deferred to the next day's budget records (batch-handler's deferral; read back by progress). */
export const DAILY_BUDGET_NOTE = "waiting for tomorrow's quota";

/**
 * The job's batches that wait for the next UTC day's budget — enqueued, due at or past the next UTC midnight,
 * and deferred for the daily budget (the note) — with the earliest due time; and how many batches run or are
 * due before then (none: nothing moves today — the pending ones are scheduled only as those finish).
 */
export async function quotaWaitingBatches(db: Kysely<Database>, jobId: string) {
  const nextDay = sql<Date>`((now() at time zone 'utc')::date + 1)::timestamp at time zone 'utc'`;
  const waits = sql<boolean>`status = 'enqueued' and not_before >= ${nextDay} and last_error = ${DAILY_BUDGET_NOTE}`;
  const row = await db
    .selectFrom('ingestion_batches')
    .select([
      sql<number>`count(*) filter (where ${waits})::int`.as('waiting'),
      sql<Date | null>`min(not_before) filter (where ${waits})`.as('resumes_at'),
      sql<number>`count(*) filter (where status = 'running'
        or (status = 'enqueued' and (not_before is null or not_before < ${nextDay})))::int`.as('active'),
    ])
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return {
    waiting: Number(row?.waiting ?? 0),
    active: Number(row?.active ?? 0),
    resumesAt: row?.resumes_at ? new Date(row.resumes_at) : null,
  };
}
