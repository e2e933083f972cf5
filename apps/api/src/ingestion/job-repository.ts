import type { Database, IngestionJobsTable } from '@firstlight/db';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { EventBus } from '../realtime/index.ts';
import { hasOpenBatch } from './batch-reads-repository.ts';
import { HALTED_JOB, type JobEvent, jobTransition, WORKING_JOB } from './job-machine.ts';
import { startSyncAt } from './sync-repository.ts';

/*
 * The job store's half for `ingestion_jobs` (with batch-repository.ts and list-lease-repository.ts, the only
 * writers of the backfill's tables): every status change reads the row FOR UPDATE, asks job-machine.ts, and
 * writes what it decided; users are told (`job_status`) in the same transaction.
 */

export type JobRow = Selectable<IngestionJobsTable>;

/** The unfinished mailbox job of an account, if any (at most one: a partial unique index says so). */
export async function activeMailboxJob(db: Kysely<Database>, accountId: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('ingestion_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', 'gmail_backfill')
    .where('status', 'not in', ['complete', 'failed'])
    .executeTakeFirst();
}

/** The account's completed mailbox job whose incremental sync has started (a `sync_state` row exists). */
export async function completedMailboxJob(
  db: Kysely<Database>,
  accountId: string,
): Promise<JobRow | undefined> {
  return db
    .selectFrom('ingestion_jobs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', 'gmail_backfill')
    .where('status', '=', 'complete')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('sync_state')
          .select('sync_state.account_id')
          .where('sync_state.account_id', '=', accountId)
          .where('sync_state.resource', '=', 'gmail'),
      ),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findJob(db: Kysely<Database>, jobId: string): Promise<JobRow | undefined> {
  return db.selectFrom('ingestion_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
}

/** The working mailbox jobs: the reconciler schedules their next batch and may mark them stalled. */
export async function workingJobs(db: Kysely<Database>) {
  return db
    .selectFrom('ingestion_jobs')
    .select(['id', 'user_id', 'status', 'last_progress_at'])
    .where('kind', '=', 'gmail_backfill')
    .where('status', 'in', WORKING_JOB)
    .execute();
}

/** True when the job takes no work now (paused, or finished): read under lock by the scheduler. */
export async function jobIsHalted(trx: Kysely<Database>, jobId: string): Promise<boolean> {
  const job = await trx
    .selectFrom('ingestion_jobs')
    .select('status')
    .where('id', '=', jobId)
    .forUpdate()
    .executeTakeFirst();
  return !job || HALTED_JOB.includes(job.status);
}

export async function insertJob(db: Kysely<Database>, job: Insertable<IngestionJobsTable>): Promise<JobRow> {
  return db.insertInto('ingestion_jobs').values(job).returningAll().executeTakeFirstOrThrow();
}

/**
 * Applies one event to the job in `trx`: FOR UPDATE, the machine's decision, then the write and its effects.
 * Returns the row after the event, and whether its status changed; undefined when the machine refused (or the
 * job is gone). `progress` stamps `last_progress_at` even when the status stays.
 */
async function applyJobEvent(
  trx: Kysely<Database>,
  bus: EventBus,
  jobId: string,
  event: JobEvent | ((job: JobRow) => Promise<JobEvent>),
): Promise<{ job: JobRow; changed: boolean } | undefined> {
  const job = await trx
    .selectFrom('ingestion_jobs')
    .selectAll()
    .where('id', '=', jobId)
    .forUpdate()
    .executeTakeFirst();
  if (!job) return undefined;
  const happened = typeof event === 'function' ? await event(job) : event;
  const decision = jobTransition({ status: job.status, listingDone: job.listing_done }, happened);
  if (!decision.ok) return undefined;
  const now = new Date();
  const changes: Partial<Selectable<IngestionJobsTable>> = {
    ...(happened.type === 'progress' ? { last_progress_at: now } : {}),
    ...(decision.state.listingDone !== job.listing_done ? { listing_done: decision.state.listingDone } : {}),
  };
  for (const effect of decision.effects) {
    if (effect.type === 'start-sync' && job.start_history_id) {
      await startSyncAt(trx, job.account_id, job.start_history_id);
    }
    if (effect.type !== 'status-changed') continue;
    changes.status = effect.status;
    // Progress clears `stalled` but leaves the reason it stalled for the ops page.
    if (happened.type !== 'progress') changes.last_error = effect.reason;
    if (effect.status === 'complete' || effect.status === 'failed') changes.finished_at = now;
    await bus.publish(trx, job.user_id, {
      type: 'job_status',
      jobId,
      status: effect.status,
      reason: effect.reason,
    });
  }
  const changed = decision.effects.some((effect) => effect.type === 'status-changed');
  if (Object.keys(changes).length === 0) return { job, changed };
  const written = await trx
    .updateTable('ingestion_jobs')
    .set({ ...changes, updated_at: now })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { job: written, changed };
}

type JobBus = { db: Kysely<Database>; bus: EventBus };
const inTransaction = <T>(deps: JobBus, work: (trx: Kysely<Database>) => Promise<T>) =>
  deps.db.transaction().execute(work);

/** The lister took the job: `listing` (users see it). False when the machine refused or nothing changed. */
export const markJobListing = (deps: JobBus, jobId: string) =>
  inTransaction(deps, async (trx) =>
    Boolean((await applyJobEvent(trx, deps.bus, jobId, { type: 'listing-started' }))?.changed),
  );

export const markJobStalled = (deps: JobBus, jobId: string, reason: string) =>
  inTransaction(deps, async (trx) =>
    Boolean((await applyJobEvent(trx, deps.bus, jobId, { type: 'stall', reason }))?.changed),
  );

/** The account needs the user: the job waits, paused, until they sign in again (`resumeJob`). */
export const markJobPaused = (deps: JobBus, jobId: string, reason: string) =>
  inTransaction(deps, async (trx) =>
    Boolean((await applyJobEvent(trx, deps.bus, jobId, { type: 'reauth-required', reason }))?.changed),
  );

/** A page listed or a batch done, in the caller's transaction: clears `stalled` and `pending`. */
export async function recordJobProgress(trx: Kysely<Database>, bus: EventBus, jobId: string): Promise<void> {
  await applyJobEvent(trx, bus, jobId, { type: 'progress' });
}

/** The last page listed, in the lister's transaction: the total is now exact (the first page plus the rest). */
export async function recordListingDone(
  trx: Kysely<Database>,
  bus: EventBus,
  jobId: string,
  total: number,
): Promise<void> {
  if (!(await applyJobEvent(trx, bus, jobId, { type: 'listing-finished' }))) return;
  await trx.updateTable('ingestion_jobs').set({ total }).where('id', '=', jobId).execute();
}

/**
 * When listing is done and every batch is: the job is complete and the account's incremental sync starts at
 * the cursor taken before listing (nothing that arrived mid-backfill is missed).
 */
export const completeJobIfDone = (deps: JobBus, jobId: string) =>
  inTransaction(deps, async (trx) => {
    const done = await applyJobEvent(trx, deps.bus, jobId, async () => ({
      type: 'check-complete',
      openBatches: (await hasOpenBatch(trx, jobId)) ? 1 : 0,
    }));
    return Boolean(done?.changed);
  });

/**
 * A sign-in hands the job to the backfill: the first sign-in's page is what the lister skips (a resume keeps
 * it); a paused job resumes under the next lister generation. Undefined for a finished job.
 */
export const resumeJob = (deps: JobBus, jobId: string, firstPageIds: string[]) =>
  inTransaction(deps, async (trx) => {
    const applied = await applyJobEvent(trx, deps.bus, jobId, { type: 'resumed' });
    if (!applied) return undefined;
    return trx
      .updateTable('ingestion_jobs')
      .set((eb) => ({
        first_page_ids: applied.job.first_page_ids.length > 0 ? applied.job.first_page_ids : firstPageIds,
        ...(applied.changed
          ? {
              last_progress_at: new Date(),
              list_generation: eb('list_generation', '+', 1),
              list_lease_until: null,
            }
          : {}),
        updated_at: new Date(),
      }))
      .where('id', '=', jobId)
      .returning(['id', 'list_generation', 'listing_done', 'status'])
      .executeTakeFirstOrThrow();
  });

/** The profile read before listing: the resume point of incremental sync and Gmail's estimate of the total. */
export async function recordProfile(
  db: Kysely<Database>,
  jobId: string,
  profile: { historyId: string | null; total: number | null },
): Promise<void> {
  await db
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      start_history_id: profile.historyId,
      total: profile.total ?? eb.ref('total'),
      updated_at: new Date(),
    }))
    .where('id', '=', jobId)
    .execute();
}

/** A batch turned done (batch-repository's `completeBatch`, same transaction): its counts, once. */
export async function addBatchCounts(
  trx: Kysely<Database>,
  jobId: string,
  counts: { ingested: number; failed: number },
) {
  return trx
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      ingested: eb('ingested', '+', counts.ingested),
      failed: eb('failed', '+', counts.failed),
      updated_at: new Date(),
    }))
    .where('id', '=', jobId)
    .returning(['ingested', 'total', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** The first page stored at sign-in: only the first sign-in's figure is the time to first data. */
export async function recordFirstPage(
  trx: Kysely<Database>,
  jobId: string,
  page: { firstDataMs: number; estimate: number | null; cursor: string | null; stored: number },
): Promise<void> {
  await trx
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      first_data_ms: eb.fn.coalesce('first_data_ms', eb.val(page.firstDataMs)),
      // Gmail's estimate until listing has made the total exact.
      total: eb
        .case()
        .when('listing_done', '=', true)
        .then(eb.ref('total'))
        .else(eb.fn.coalesce(eb.val(page.estimate), 'total'))
        .end(),
      start_history_id: eb.fn.coalesce('start_history_id', eb.val(page.cursor)),
      ingested: eb.fn('greatest', ['ingested', eb.val(page.stored)]),
      last_progress_at: new Date(),
      updated_at: new Date(),
    }))
    .where('id', '=', jobId)
    .execute();
}
