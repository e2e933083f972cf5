import { startEmulator } from '@firstlight/google-emulator';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { buildAppOnDatabase } from './support/backfill-app.ts';
import {
  backfillConfig,
  cleanupsOf,
  expectMailboxStoredExactlyOnce,
  jobInStatus,
  mailboxIds,
  newDeployment,
  startCrashWorker,
  waitFor,
} from './support/backfill-harness.ts';

const USER = 'orphan@example.com';
const WINDOW_MS = 3_000;

/**
 * The chaos kill-loop's regression (issue 17): a batch spends its time between a quota refusal and its next
 * lease `enqueued`, with no lease to lapse. A process SIGKILLed after its queue worker fetched the batch's task
 * and before it leased the batch left the task `active` in pg-boss (until its 15-minute expiry) and the batch
 * `enqueued` (until the reconciler's 10-minute backstop): the backfill stood still.
 *
 * Worker A (a child process) signs the user in and enqueues the first batch. The test holds that batch's row
 * (FOR UPDATE) so A's worker, once it has fetched the task, stops at its first write to the row; then A is
 * SIGKILLed there. PostgreSQL would notice the dead client only when the blocked statement ends, so the test
 * ends that backend too — what a crash leaves is a statement that never ran. Instance B, started beside A
 * before the kill, must take the batch over within seconds and finish the backfill, each message once.
 */
describe('a worker killed holding a batch task it has not leased yet', () => {
  it('is taken over by the live instance within seconds, nothing lost or doubled', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await startEmulator({
      port: 0,
      seed: 41,
      latency: 'none',
      autoApprove: true,
      // Quota out of the way: this test is about the task, not the grants.
      quota: { windowMs: WINDOW_MS, gmailUnitsPerUser: 60_000 },
      accounts: [{ email: USER, mailboxSize: 2_500 }],
    });
    defer(() => emulator.close());
    const expected = await mailboxIds(emulator, USER);
    const { database, deployment } = await newDeployment(defer, emulator, {
      overrides: { backfill: backfillConfig({ quotaWindowMs: WINDOW_MS, quotaUnits: 60_000 }) },
    });
    const { db } = database;

    // Holds the first batch enqueued, before A's worker can take it (a task any instance takes is due 250 ms
    // after its enqueue, and found at the next poll).
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    defer(() => holder.end());
    const workerA = await startCrashWorker({ ...deployment, email: USER });
    defer(() => workerA.kill());
    const held = await waitFor(() => holdEnqueuedBatch(holder), 30_000, 'an enqueued batch', 5);

    const task = await waitFor(
      async () => {
        const { rows } = await sql<{ id: string }>`
          select id from pgboss.job where state = 'active'
            and data->'payload'->>'jobId' = ${held.jobId}
            and (data->'payload'->>'seq')::int = ${held.seq}
            and (data->'payload'->>'generation')::int = ${held.generation}`.execute(db);
        return rows[0];
      },
      30_000,
      "A's worker to fetch the held batch's task",
      20,
    );
    const blocked = await waitFor(
      async () => {
        const { rows } = await sql<{ pid: number }>`
          select pid from pg_stat_activity where ${held.holderPid}::int = any(pg_blocking_pids(pid))`.execute(
          db,
        );
        return rows.length > 0 ? rows.map((row) => row.pid) : undefined;
      },
      30_000,
      "A's worker to wait on the held batch",
      20,
    );

    const instanceB = await buildAppOnDatabase(deployment);
    defer(() => instanceB.close());
    await workerA.kill();
    for (const pid of blocked) await sql`select pg_terminate_backend(${pid}::int)`.execute(db);
    await holder.query('commit');

    // Taken over under a new generation, within seconds: the lease sweep runs every 500 ms here; the backstops
    // it replaces are minutes (reconciler 10, pg-boss expiry 15).
    const retaken = await waitFor(
      async () => {
        const row = await db
          .selectFrom('ingestion_batches')
          .select(['status', 'generation', 'lease_owner'])
          .where('job_id', '=', held.jobId)
          .where('seq', '=', held.seq)
          .executeTakeFirstOrThrow();
        return row.generation > held.generation && row.status !== 'enqueued' ? row : undefined;
      },
      20_000,
      'the held batch to be taken over',
      50,
    );
    expect(retaken.lease_owner).not.toBeNull();
    // The dead worker's task is still active: the queue alone would not have freed it.
    const stale = await sql<{ state: string }>`select state from pgboss.job where id = ${task.id}`.execute(
      db,
    );
    expect(stale.rows[0]?.state).toBe('active');

    await jobInStatus(db, 'complete', 60_000);
    await expectMailboxStoredExactlyOnce(db, expected);
  }, 120_000);
});

/** In a transaction left open: the lowest enqueued batch, row-locked; undefined (rolled back) when none yet. */
async function holdEnqueuedBatch(holder: pg.Client) {
  await holder.query('begin');
  const { rows } = await holder.query<{ job_id: string; seq: number; generation: number; pid: number }>(
    `select job_id, seq, generation, pg_backend_pid() as pid from ingestion_batches
      where status = 'enqueued' order by seq limit 1 for update skip locked`,
  );
  const row = rows[0];
  if (!row) {
    await holder.query('rollback');
    return undefined;
  }
  return { jobId: row.job_id, seq: row.seq, generation: row.generation, holderPid: row.pid };
}
