import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import { ownerIsGone } from './instance-liveness.ts';

/** The lister's lease on its job row: one lister per job, held by an instance id, renewed by a heartbeat. */
export interface ListLease {
  leaseMs: number;
  owner: string;
  generation: number;
}

export const listLeaseEnd = (leaseMs: number) => sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;

/**
 * Takes the lister's lease for this delivery: current generation, listing not done, the job working, and no
 * live lease (none, expired, or its owner's process is gone). Undefined otherwise.
 */
export async function takeListLease(db: Kysely<Database>, jobId: string, lease: ListLease) {
  return db
    .updateTable('ingestion_jobs')
    .set({ list_lease_until: listLeaseEnd(lease.leaseMs), list_lease_owner: lease.owner })
    .where('id', '=', jobId)
    .where('list_generation', '=', lease.generation)
    .where('listing_done', '=', false)
    .where('status', 'not in', ['paused', 'complete', 'failed'])
    .where((eb) =>
      eb.or([
        eb('list_lease_until', 'is', null),
        eb('list_lease_until', '<', sql<Date>`now()`),
        ownerIsGone('list_lease_owner'),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The heartbeat: false when this lister no longer holds the lease (taken over under a new generation). */
export async function renewListLease(
  db: Kysely<Database>,
  jobId: string,
  lease: ListLease,
): Promise<boolean> {
  const renewed = await db
    .updateTable('ingestion_jobs')
    .set({ list_lease_until: listLeaseEnd(lease.leaseMs) })
    .where('id', '=', jobId)
    .where('list_generation', '=', lease.generation)
    .where('list_lease_owner', '=', lease.owner)
    .where('listing_done', '=', false)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) > 0;
}

/** A failed lister lets go (the queue retries the same task); only its own lease. */
export async function releaseListLease(db: Kysely<Database>, jobId: string, lease: ListLease): Promise<void> {
  await db
    .updateTable('ingestion_jobs')
    .set({ list_lease_until: null, list_lease_owner: null })
    .where('id', '=', jobId)
    .where('list_generation', '=', lease.generation)
    .where('list_lease_owner', '=', lease.owner)
    .execute();
}

/** Shutdown: lets go and moves to the next generation, whose task the caller enqueues (page token kept). */
export async function handBackListLease(db: Kysely<Database>, jobId: string, lease: ListLease) {
  return db
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      list_lease_until: null,
      list_lease_owner: null,
      list_generation: eb('list_generation', '+', 1),
    }))
    .where('id', '=', jobId)
    .where('list_generation', '=', lease.generation)
    .where('list_lease_owner', '=', lease.owner)
    .where('listing_done', '=', false)
    .returning(['id', 'list_generation'])
    .executeTakeFirst();
}

/** Exact total: the first page plus every listed id after it; the lease ends with the listing. */
export async function finishListing(
  trx: Kysely<Database>,
  jobId: string,
  firstPageSize: number,
): Promise<void> {
  const counted = await trx
    .selectFrom('ingestion_batches')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('message_count'), sql<number>`0`).as('n'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('ingestion_jobs')
    .set({
      listing_done: true,
      total: firstPageSize + Number(counted.n),
      list_lease_until: null,
      list_lease_owner: null,
      updated_at: new Date(),
    })
    .where('id', '=', jobId)
    .execute();
}
