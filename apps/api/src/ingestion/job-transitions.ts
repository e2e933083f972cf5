import type { Database, JobStatus } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { EventBus } from '../realtime/event-bus.ts';

/**
 * The job's state machine, in SQL: pending → listing → running → complete, with paused (the user must sign
 * in again) and stalled (no progress for a while) on the side. Every transition that users see is published
 * as `job_status` in the same transaction.
 */

export async function setJobStatus(
  db: Kysely<Database>,
  bus: EventBus,
  job: { id: string; userId: string },
  status: JobStatus,
  reason: string | null,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('ingestion_jobs')
      .set({
        status,
        last_error: reason,
        updated_at: new Date(),
        ...(status === 'complete' || status === 'failed' ? { finished_at: new Date() } : {}),
      })
      .where('id', '=', job.id)
      .where('status', '!=', status)
      .where('status', 'not in', ['complete', 'failed'])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await bus.publish(trx, job.userId, { type: 'job_status', jobId: job.id, status, reason });
    return true;
  });
}

/** The status a working job shows: listing until the list is known, then running. */
export const workingStatus = (listingDone: boolean): JobStatus => (listingDone ? 'running' : 'listing');

/** Progress clears `stalled` (and `pending`) and moves the job to its working status; users are told. */
export async function recordProgress(
  trx: Kysely<Database>,
  bus: EventBus,
  job: { id: string; userId: string },
): Promise<void> {
  const before = await trx
    .selectFrom('ingestion_jobs')
    .select(['status', 'listing_done'])
    .where('id', '=', job.id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return;
  const working = ['pending', 'stalled', 'listing', 'running'].includes(before.status);
  const status = working ? workingStatus(before.listing_done) : before.status;
  await trx
    .updateTable('ingestion_jobs')
    .set({ last_progress_at: new Date(), updated_at: new Date(), status })
    .where('id', '=', job.id)
    .execute();
  if (status !== before.status) {
    await bus.publish(trx, job.userId, { type: 'job_status', jobId: job.id, status, reason: null });
  }
}

/**
 * When listing is done and every batch is: the job is complete and the account's incremental sync starts at
 * the historyId taken before listing (nothing that arrived mid-backfill is missed).
 */
export async function completeIfDone(db: Kysely<Database>, bus: EventBus, jobId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('ingestion_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!job?.listing_done || job.status === 'complete' || job.status === 'paused') return false;
    const open = await trx
      .selectFrom('ingestion_batches')
      .select('seq')
      .where('job_id', '=', jobId)
      .where('status', '!=', 'done')
      .limit(1)
      .executeTakeFirst();
    if (open) return false;
    await trx
      .updateTable('ingestion_jobs')
      .set({ status: 'complete', finished_at: new Date(), updated_at: new Date(), last_error: null })
      .where('id', '=', jobId)
      .execute();
    if (job.start_history_id) {
      await trx
        .insertInto('sync_state')
        .values({ account_id: job.account_id, resource: 'gmail', cursor: job.start_history_id })
        .onConflict((conflict) =>
          conflict
            .columns(['account_id', 'resource'])
            .doUpdateSet({ cursor: job.start_history_id, updated_at: new Date() }),
        )
        .execute();
    }
    await bus.publish(trx, job.user_id, { type: 'job_status', jobId, status: 'complete', reason: null });
    return true;
  });
}
