import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import type { EventBus } from '../realtime/index.ts';
import { ownerIsGone } from './instance-lock-repository.ts';
import { HALTED_JOB } from './job-machine.ts';
import { recordListingDone } from './job-repository.ts';

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
    .where('status', 'not in', HALTED_JOB)
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

/** Why a delivery found no lease to take: the job's lister fields (undefined when the job is gone). */
export async function listLeaseState(db: Kysely<Database>, jobId: string) {
  return db
    .selectFrom('ingestion_jobs')
    .select(['list_lease_until', 'list_generation', 'listing_done'])
    .where('id', '=', jobId)
    .executeTakeFirst();
}

/**
 * Moves the saved page token past the ids just listed, fenced: only the lease's holder (else false, and the
 * caller's transaction must roll back). Renews the lease on the way.
 */
export async function advanceListing(
  trx: Kysely<Database>,
  jobId: string,
  lease: ListLease,
  page: { pageToken: string | null; listed: number },
): Promise<boolean> {
  const moved = await trx
    .updateTable('ingestion_jobs')
    .set((eb) => ({
      list_page_token: page.pageToken,
      listed: eb('listed', '+', page.listed),
      list_lease_until: listLeaseEnd(lease.leaseMs),
      updated_at: new Date(),
    }))
    .where('id', '=', jobId)
    .where('list_generation', '=', lease.generation)
    .where('list_lease_owner', '=', lease.owner)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) > 0;
}

/** Exact total: the first page plus every listed id after it; the lease ends with the listing. */
export async function finishListing(
  trx: Kysely<Database>,
  bus: EventBus,
  jobId: string,
  firstPageSize: number,
): Promise<void> {
  const counted = await trx
    .selectFrom('ingestion_batches')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('message_count'), sql<number>`0`).as('n'))
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  await recordListingDone(trx, bus, jobId, firstPageSize + Number(counted.n));
  await trx
    .updateTable('ingestion_jobs')
    .set({ list_lease_until: null, list_lease_owner: null, updated_at: new Date() })
    .where('id', '=', jobId)
    .execute();
}

const unfinishedListers = (db: Kysely<Database>) =>
  db
    .updateTable('ingestion_jobs')
    .where('kind', '=', 'gmail_backfill')
    .where('listing_done', '=', false)
    .where('status', 'not in', HALTED_JOB);

/**
 * Listers whose lease lapsed, or whose owner (not this instance) is gone, move to the next generation with no
 * lease; the caller enqueues their task.
 */
export async function reclaimLapsedListers(db: Kysely<Database>, instanceId: string) {
  return unfinishedListers(db)
    .set((eb) => ({
      list_generation: eb('list_generation', '+', 1),
      list_lease_until: null,
      list_lease_owner: null,
    }))
    .where('list_lease_until', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('list_lease_until', '<', sql<Date>`now()`),
        eb.and([eb('list_lease_owner', '!=', instanceId), ownerIsGone('list_lease_owner')]),
      ]),
    )
    .returning(['id', 'list_generation'])
    .execute();
}

/** Listers never started (no lease) and idle for `afterMs`: their task was lost; next generation. */
export async function reclaimIdleListers(db: Kysely<Database>, afterMs: number) {
  return unfinishedListers(db)
    .set((eb) => ({ list_generation: eb('list_generation', '+', 1), list_lease_until: null }))
    .where('list_lease_until', 'is', null)
    .where('updated_at', '<', sql<Date>`now() - ${`${afterMs} milliseconds`}::interval`)
    .returning(['id', 'list_generation'])
    .execute();
}
