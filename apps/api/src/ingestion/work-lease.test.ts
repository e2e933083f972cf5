import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceLiveness } from './instance-liveness.ts';
import { ownerIsGone } from './instance-lock-repository.ts';
import { withWorkLease } from './work-lease.ts';

const quiet = { warn() {} };
const timings = { leaseMs: 60_000, renewEveryMs: 50 };

describe('instance liveness and named leases', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const isGone = async (owner: string) => {
    const { rows } = await sql<{ gone: boolean }>`select ${ownerIsGone(sql`${owner}::text`)} as gone`.execute(
      database.db,
    );
    return rows[0]!.gone;
  };

  it('tells a live owner from one whose process (its lock connection) is gone', async () => {
    const instance = new InstanceLiveness(database.url, quiet);
    await instance.start();
    expect(await isGone(instance.id)).toBe(false);
    await instance.stop();
    expect(await isGone(instance.id)).toBe(true);
  });

  it('takes its lock again when its connection is cut while the process lives', async () => {
    const instance = new InstanceLiveness(database.url, quiet, { retryMs: 20 });
    await instance.start();
    const name = `firstlight-instance-${instance.id.slice(0, 8)}`;
    const backends = async () => {
      const { rows } = await sql<{ pid: number }>`
        select pid from pg_stat_activity where application_name = ${name}`.execute(database.db);
      return rows.map((row) => row.pid);
    };
    const [before] = await backends();
    await sql`select pg_terminate_backend(${before}::int)`.execute(database.db);
    // Others may reclaim its leases meanwhile (safe: every write is fenced); then it holds its lock again, on a
    // new connection.
    for (let tries = 0; ; tries++) {
      const now = await backends();
      if (now.length === 1 && now[0] !== before && !(await isGone(instance.id))) break;
      if (tries > 200) throw new Error('the instance lock was not taken again');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await instance.stop();
  });

  it('runs the work of a name once at a time, and takes a dead holder’s lease at once', async () => {
    const first = new InstanceLiveness(database.url, quiet);
    const second = new InstanceLiveness(database.url, quiet);
    await Promise.all([first.start(), second.start()]);
    const lease = (instance: InstanceLiveness) => ({
      db: database.db,
      instanceId: instance.id,
      lease: timings,
    });
    let release!: () => void;
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    const holding = withWorkLease(lease(first), 'gmail-sync:a', async () => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return 'first';
    });
    await inside;
    // Held by a live instance (its own second attempt included): not run.
    expect(await withWorkLease(lease(second), 'gmail-sync:a', async () => 'second')).toBeUndefined();
    expect(await withWorkLease(lease(first), 'gmail-sync:a', async () => 'again')).toBeUndefined();
    // Another name is free.
    expect(await withWorkLease(lease(second), 'gmail-sync:b', async () => 'other')).toBe('other');

    // The holder's process dies (its lock connection ends) with the lease a minute from lapsing.
    await first.stop();
    expect(await withWorkLease(lease(second), 'gmail-sync:a', async () => 'taken over')).toBe('taken over');
    release();
    expect(await holding).toBe('first');
    await second.stop();
  });

  it('stops the work when a renewal finds the lease taken', async () => {
    const instance = new InstanceLiveness(database.url, quiet);
    await instance.start();
    const result = await withWorkLease(
      { db: database.db, instanceId: instance.id, lease: timings },
      'calendar-sync:x',
      async (held) => {
        await database.db.updateTable('work_leases').set({ owner: 'someone-else' }).execute();
        await new Promise<void>((resolve) => held.signal.addEventListener('abort', () => resolve()));
        return held.stopped;
      },
    );
    expect(result).toBe('lease-lost');
    await instance.stop();
  });
});
