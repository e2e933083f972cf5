import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import { ownerIsGone } from './instance-liveness.ts';
import { type HeldLease, holdLease, type LeaseTimings } from './lease-heartbeat.ts';

/**
 * Named leases (`work_leases`, migrations/0004) for work without a row of its own to lease: an account's Gmail
 * sync (`gmail-sync:<account>`), its calendar sync (`calendar-sync:<account>`). Held by an instance id and
 * renewed by a heartbeat: two overlapping syncs of one account could interleave so that the slower one
 * re-inserts a message the faster one has just deleted; a dead holder's lease is taken over at once (its
 * instance lock is free) or once it lapses. Unlike a session advisory lock, it pins no pooled connection for
 * the length of the work.
 */

export interface WorkLeaseDeps {
  db: Kysely<Database>;
  instanceId: string;
  lease: LeaseTimings;
  log?: { warn(object: object, message: string): void };
}

const leaseEnd = (leaseMs: number) => sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;

async function acquire(deps: WorkLeaseDeps, name: string): Promise<boolean> {
  const row = await deps.db
    .insertInto('work_leases')
    .values({ name, owner: deps.instanceId, lease_until: leaseEnd(deps.lease.leaseMs) })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({
          owner: deps.instanceId,
          lease_until: leaseEnd(deps.lease.leaseMs),
          acquired_at: sql<Date>`now()`,
        })
        .where((eb) =>
          eb.or([eb('work_leases.lease_until', '<', sql<Date>`now()`), ownerIsGone('work_leases.owner')]),
        ),
    )
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}

/** Extends the lease; false when this instance no longer holds it. Pass a transaction to fence a write. */
export async function renewWorkLease(
  db: Kysely<Database>,
  deps: Pick<WorkLeaseDeps, 'instanceId' | 'lease'>,
  name: string,
): Promise<boolean> {
  const renewed = await db
    .updateTable('work_leases')
    .set({ lease_until: leaseEnd(deps.lease.leaseMs) })
    .where('name', '=', name)
    .where('owner', '=', deps.instanceId)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) > 0;
}

/**
 * Runs `work` while holding the named lease; undefined (work not run) when another live worker holds it.
 * `work` gets the held lease: `held.signal` for waits and calls, `held.check()` between steps.
 */
export async function withWorkLease<T>(
  deps: WorkLeaseDeps,
  name: string,
  work: (held: HeldLease) => Promise<T>,
  taskSignal?: AbortSignal,
): Promise<T | undefined> {
  if (!(await acquire(deps, name))) return undefined;
  const held = holdLease(() => renewWorkLease(deps.db, deps, name), {
    renewEveryMs: deps.lease.renewEveryMs,
    taskSignal,
    ...(deps.log ? { log: deps.log } : {}),
  });
  try {
    return await work(held);
  } finally {
    held.end();
    await deps.db
      .deleteFrom('work_leases')
      .where('name', '=', name)
      .where('owner', '=', deps.instanceId)
      .execute()
      .catch((error: unknown) => deps.log?.warn({ err: error, name }, 'could not release a lease'));
  }
}
