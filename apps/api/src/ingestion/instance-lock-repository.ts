import { type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/* The SQL of instance liveness (instance-liveness.ts): the lock each process holds, and the test for it. */

/** Blocking: another process may hold our key for an instant (its try-lock while we were away). */
export async function holdInstanceLock(client: pg.Client, instanceId: string): Promise<void> {
  await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [instanceLockName(instanceId)]);
}

export function instanceLockName(instanceId: string): string {
  return `firstlight-instance:${instanceId}`;
}

/**
 * True when the owner named by `ownerColumn` is a process that is gone: its advisory lock is free. The try-lock
 * is transaction-scoped, so it is released at the end of the statement that asks; a live owner's session lock
 * makes it fail. Null owners (leases taken before instance ids existed) are never "dead": only expiry frees them.
 */
export function ownerIsGone(ownerColumn: RawBuilder<unknown> | string): RawBuilder<boolean> {
  const owner = typeof ownerColumn === 'string' ? sql.ref(ownerColumn) : ownerColumn;
  return sql<boolean>`(${owner} is not null and pg_try_advisory_xact_lock(hashtextextended('firstlight-instance:' || ${owner}, 0)))`;
}
