import type { BatchStatus, Database, JobStatus } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** Where a page of jobs ends: the exact created_at (microseconds, as text) and id of its last row. */
export interface JobPosition {
  createdAt: string;
  id: string;
}

/**
 * A job with its account's email. `created_at_exact` keeps Postgres' microseconds, which a JS Date would
 * truncate: a keyset cursor built from the truncated value would skip or repeat rows created in the same ms.
 */
function jobsWithAccount(db: Kysely<Database>) {
  return db
    .selectFrom('ingestion_jobs as job')
    .innerJoin('accounts as account', 'account.id', 'job.account_id')
    .select([
      'job.id',
      'job.user_id',
      'account.email as account_email',
      'job.kind',
      'job.status',
      'job.total',
      'job.listed',
      'job.ingested',
      'job.failed',
      'job.first_data_ms',
      'job.created_at',
      'job.updated_at',
      'job.finished_at',
      'job.last_error',
      'job.last_progress_at',
      sql<string>`to_char(job.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        'created_at_exact',
      ),
    ]);
}

export type JobRow = NonNullable<Awaited<ReturnType<typeof findJob>>>;

/** Newest first, strictly after `after` when given; optionally one status only. */
export async function listJobsPage(
  db: Kysely<Database>,
  filter: { status?: JobStatus | undefined; limit: number; after?: JobPosition | undefined },
) {
  let query = jobsWithAccount(db);
  if (filter.status) query = query.where('job.status', '=', filter.status);
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('job.created_at', 'job.id'),
        '<',
        eb.tuple(sql<Date>`${after.createdAt}::timestamptz`, sql<string>`${after.id}::uuid`),
      ),
    );
  }
  return query.orderBy('job.created_at', 'desc').orderBy('job.id', 'desc').limit(filter.limit).execute();
}

export async function findJob(db: Kysely<Database>, jobId: string) {
  return jobsWithAccount(db).where('job.id', '=', jobId).executeTakeFirst();
}

/** Batch counts of the given jobs, one row per (job, tier, status) that has any. */
export async function countBatchesOfJobs(db: Kysely<Database>, jobIds: string[]) {
  if (jobIds.length === 0) return [];
  const rows = await db
    .selectFrom('ingestion_batches')
    .select(['job_id', 'tier', 'status', (eb) => eb.fn.countAll<string>().as('count')])
    .where('job_id', 'in', jobIds)
    .groupBy(['job_id', 'tier', 'status'])
    .execute();
  return rows.map((row) => ({ ...row, count: Number(row.count) }));
}

/** Jobs by status and the sum of their `ingested`, over every job. */
export async function countJobsByStatus(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('ingestion_jobs')
    .select([
      'status',
      (eb) => eb.fn.countAll<string>().as('count'),
      (eb) => eb.fn.sum<string>('ingested').as('ingested'),
    ])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({
    status: row.status,
    count: Number(row.count),
    ingested: Number(row.ingested),
  }));
}

export async function countBatchesByStatus(
  db: Kysely<Database>,
): Promise<{ status: BatchStatus; count: number }[]> {
  const rows = await db
    .selectFrom('ingestion_batches')
    .select(['status', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}

export async function listJobBatches(db: Kysely<Database>, jobId: string) {
  return db
    .selectFrom('ingestion_batches')
    .select([
      'seq',
      'tier',
      'status',
      'attempts',
      'generation',
      'message_count',
      'stored_count',
      'failed_count',
      'enqueued_at',
      'started_at',
      'finished_at',
      'last_error',
    ])
    .where('job_id', '=', jobId)
    .orderBy('seq')
    .execute();
}

/** The first `limit` failures by (seq, message_id), and how many there are in all. */
export async function listJobFailures(db: Kysely<Database>, jobId: string, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('ingestion_failures')
      .select(['seq', 'message_id', 'reason', 'created_at'])
      .where('job_id', '=', jobId)
      .orderBy('seq')
      .orderBy('message_id')
      .limit(limit)
      .execute(),
    db
      .selectFrom('ingestion_failures')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.count) };
}

export async function findUserEmail(db: Kysely<Database>, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
  return row?.email;
}

/** Batches per status and tier, for the `firstlight_batches` gauge (read at scrape time: the database is the truth). */
export function batchCountsByStatusAndTier(db: Kysely<Database>) {
  return db
    .selectFrom('ingestion_batches')
    .select(['status', 'tier', db.fn.countAll<number>().as('count')])
    .groupBy(['status', 'tier'])
    .execute();
}

/** Failures per source and reason; reasons are few by construction (a field and zod's message, or a SQLSTATE). */
export function failureCountsByReason(db: Kysely<Database>) {
  return db
    .selectFrom('ingest_failures')
    .select(['source', 'reason', db.fn.countAll<number>().as('count')])
    .groupBy(['source', 'reason'])
    .limit(200)
    .execute();
}

export function jobCountsByStatus(db: Kysely<Database>) {
  return db
    .selectFrom('ingestion_jobs')
    .select(['status', db.fn.countAll<number>().as('count')])
    .groupBy('status')
    .execute();
}
