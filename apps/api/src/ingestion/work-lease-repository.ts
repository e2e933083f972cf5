import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import { ownerIsGone } from './instance-lock-repository.ts';
import type { LeaseTimings } from './lease-heartbeat.ts';

/** The SQL of named leases (`work_leases`): see work-lease.ts. */
export interface LeaseHolder {
  db: Kysely<Database>;
  instanceId: string;
  lease: LeaseTimings;
}

const leaseEnd = (leaseMs: number) => sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;

export async function acquireWorkLease(deps: LeaseHolder, name: string): Promise<boolean> {
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
  deps: Pick<LeaseHolder, 'instanceId' | 'lease'>,
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

export async function releaseWorkLease(deps: LeaseHolder, name: string): Promise<void> {
  await deps.db
    .deleteFrom('work_leases')
    .where('name', '=', name)
    .where('owner', '=', deps.instanceId)
    .execute();
}
