import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { type HeldLease, holdLease, type LeaseTimings } from './lease-heartbeat.ts';
import { acquireWorkLease, releaseWorkLease, renewWorkLease } from './work-lease-repository.ts';

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
  if (!(await acquireWorkLease(deps, name))) return undefined;
  const held = holdLease(() => renewWorkLease(deps.db, deps, name), {
    renewEveryMs: deps.lease.renewEveryMs,
    taskSignal,
    ...(deps.log ? { log: deps.log } : {}),
  });
  try {
    return await work(held);
  } finally {
    held.end();
    await releaseWorkLease(deps, name).catch((error: unknown) =>
      deps.log?.warn({ err: error, name }, 'could not release a lease'),
    );
  }
}
