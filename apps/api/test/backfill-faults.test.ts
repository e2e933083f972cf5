import { randomBytes } from 'node:crypto';
import { type ServerMessage, ServerMessage as ServerMessageSchema } from '@firstlight/contracts';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { sql } from 'kysely';
import type { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type AppOnDatabase, buildAppOnDatabase } from './support/backfill-app.ts';
import {
  backfillConfig,
  cleanupsOf,
  countRequests,
  expectMailboxStoredExactlyOnce,
  jobInStatus,
  mailboxIds,
  runningBatch,
  signInFollowingConsent,
  startCrashWorker,
  theJob,
  WINDOW_MS,
  waitFor,
} from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'faults@example.com';
const MAILBOX = 5_000;

async function emulatorWithMailbox(
  seed: number,
  defer: (cleanup: () => Promise<unknown>) => void,
): Promise<EmulatorHandle> {
  const emulator = await startEmulator({
    port: 0,
    seed,
    latency: 'none',
    autoApprove: true,
    quota: { windowMs: WINDOW_MS },
    accounts: [{ email: USER, mailboxSize: MAILBOX }],
  });
  defer(() => emulator.close());
  return emulator;
}

// Each test has its own emulator and database: they run side by side (test 1 spends most of its time in backoffs).
describe.concurrent('the background backfill under faults', () => {
  it('stores exactly the mailbox when 10 % of calls fail with 429/500 and 2 % are cut mid-response', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await emulatorWithMailbox(21, defer);
    const expected = await mailboxIds(emulator, USER);
    expect(expected.length).toBeGreaterThan(MAILBOX * 0.9);
    const test: TestApp = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: { backfill: backfillConfig() },
    });
    defer(() => test.close());
    const { db } = test.database;

    await signIn(test.app, USER);
    // The first page is fetched inside the callback, without retries: faults start once the backfill has it.
    await waitFor(
      async () => ((await theJob(db))?.first_page_ids.length ? true : undefined),
      10_000,
      'the backfill to start',
    );
    emulator.admin.setFaults({
      accounts: { [USER]: { errorRate: 0.1, errorStatuses: [429, 500], dropRate: 0.02 } },
    });

    // 60–80 s here: each 429 part holds the user's pacer for a 0.25–0.5 s backoff, about 125 times.
    await jobInStatus(db, 'complete', 140_000);
    emulator.admin.clearFaults();

    await expectMailboxStoredExactlyOnce(db, expected);
    const injected = emulator.admin.stats().errorsByCause;
    expect(injected.fault).toBeGreaterThan(0);
    expect(injected.drop).toBeGreaterThan(0);
    const backoffs = test.app.metrics.registry.getSingleMetric('firstlight_google_backoffs_total') as
      | Counter
      | undefined;
    const waits = (await backoffs?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
    expect(waits).toBeGreaterThan(0);
    expect(await test.app.metrics.registry.metrics()).toMatch(/^firstlight_google_backoffs_total\{/m);
  }, 160_000);

  it('finishes exactly once on a new process after the one holding a batch is killed', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await emulatorWithMailbox(22, defer);
    const expected = await mailboxIds(emulator, USER);
    const database: TestDatabase = await createTestDatabase();
    defer(() => database.drop());
    const { db } = database;
    const deployment = {
      databaseUrl: database.url,
      emulatorUrl: emulator.url,
      tokenKey: randomBytes(32).toString('base64'),
      sessionSecret: randomBytes(32).toString('base64url'),
      // A lease far longer than the test: the restarted process must not wait for it to lapse.
      backfillSettings: { leaseMs: 120_000, reenqueueAfterMs: 3_000 },
    };

    const worker = await startCrashWorker({
      ...deployment,
      email: USER,
      overrides: { backfill: backfillConfig() },
    });
    defer(() => worker.kill());
    // Mid-batch: a batch is running, some but far from all of its messages are stored.
    const running = await waitFor(
      async () => {
        const now = await runningBatch(db);
        if (!now) return undefined;
        return now.stored > 0 && now.stored < now.batch.message_count - 200 ? now.batch : undefined;
      },
      30_000,
      'a batch half-way through',
      20,
    );
    // Freeze the worker's Google calls so the batch cannot finish between the look and the kill.
    emulator.admin.setFaults({ accounts: { [USER]: { slowRate: 1, slowMs: 3_000 } } });
    await worker.kill();
    const atCrash = await db
      .selectFrom('ingestion_batches')
      .selectAll()
      .where('seq', '=', running.seq)
      .executeTakeFirstOrThrow();
    expect(atCrash.status).toBe('running');
    emulator.admin.clearFaults();

    // The restarted process: same database and secrets, a reconciler that looks often.
    // The reconciler runs once at start and then only every minute: whatever happens next is the start's doing
    // (or the lease sweep's, which runs as the lease is renewed).
    const restarted: AppOnDatabase = await buildAppOnDatabase({
      ...deployment,
      overrides: { backfill: backfillConfig({ reconcileEveryMs: 60_000 }) },
    });
    defer(() => restarted.close());
    // Ready means reclaimed: the dead process's batch is no longer 'running' under its lease, long before that
    // lease would have lapsed — never shown as running while nothing runs it.
    const atStart = await db
      .selectFrom('ingestion_batches')
      .select([
        'status',
        'lease_owner',
        'generation',
        sql<boolean>`now() < ${atCrash.lease_until}`.as('early'),
      ])
      .where('seq', '=', running.seq)
      .executeTakeFirstOrThrow();
    expect(atStart.early).toBe(true);
    expect(atStart.generation).toBeGreaterThan(atCrash.generation);
    expect(atStart.lease_owner).not.toBe(atCrash.lease_owner);

    await jobInStatus(db, 'complete', 60_000);
    const { batches } = await expectMailboxStoredExactlyOnce(db, expected);
    // The killed batch was taken over under a new generation (its old task is stale), not double-counted.
    const recovered = batches.find((batch) => batch.seq === running.seq)!;
    expect(recovered.generation).toBeGreaterThan(atCrash.generation);
    expect(recovered.attempts).toBeGreaterThan(atCrash.attempts);
  }, 100_000);

  it('pauses on invalid_grant without hammering Google, then resumes after a new sign-in', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await emulatorWithMailbox(23, defer);
    const expected = await mailboxIds(emulator, USER);
    const test: TestApp = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      // A reconciler that looks often: a paused job must stay paused however often it looks. Leases and
      // reenqueueAfterMs keep their defaults (minutes): the resume must not wait for the reconciler's rescue.
      overrides: { backfill: backfillConfig({ reconcileEveryMs: 200 }) },
    });
    defer(() => test.close());
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const { db } = test.database;

    const session = await signIn(test.app, USER);
    const { port } = test.app.server.address() as { port: number };
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie: session.cookie } });
    defer(async () => socket.close());
    const messages: ServerMessage[] = [];
    socket.on('message', (data) => messages.push(ServerMessageSchema.parse(JSON.parse(data.toString()))));

    // Mid-backfill: listing done (the total is exact), a batch stored, most of the mailbox still to come.
    await waitFor(
      async () => {
        const job = await theJob(db);
        const done = await db
          .selectFrom('ingestion_batches')
          .select('seq')
          .where('status', '=', 'done')
          .executeTakeFirst();
        return done && job?.listing_done && job.ingested < expected.length / 2 ? true : undefined;
      },
      // Bounds, not expectations: on a loaded machine (CI beside other work) listing alone can take 30 s.
      120_000,
      'the first batch',
      20,
    );
    const tokenCalls = countRequests(emulator, '/token');
    defer(async () => tokenCalls.stop());
    await emulator.admin.revokeAccount(USER);
    await emulator.admin.expireAccessTokens(USER);

    const paused = await jobInStatus(db, 'paused', 60_000);
    expect(paused.last_error).toMatch(/^reauth_required/);
    const account = await db.selectFrom('accounts').select('status').executeTakeFirstOrThrow();
    expect(account.status).toBe('needs_reauth');
    await waitFor(
      async () => (messages.some((m) => m.type === 'job_status' && m.status === 'paused') ? true : undefined),
      30_000,
      'job_status paused on the socket',
    );

    // A task already past its token check when the grant was revoked (the calendar sync, another worker) may
    // still make its one refresh attempt: let in-flight work settle (no token call for 1 s), then measure.
    // Bounded: a retry storm never settles, and the count assertions below then fail.
    const settleUntil = Date.now() + 10_000;
    for (
      let last = -1, stableSince = Date.now();
      Date.now() - stableSince < 1_000 && Date.now() < settleUntil;
    ) {
      if (tokenCalls.count !== last) {
        last = tokenCalls.count;
        stableSince = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // While paused (the reconciler runs every 200 ms): no retry storm against Google, nothing in flight.
    const before = emulator.admin.stats();
    const tokenCallsAtPause = tokenCalls.count;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = emulator.admin.stats();
    expect(tokenCallsAtPause).toBeGreaterThan(0);
    expect(tokenCalls.count).toBeLessThanOrEqual(5);
    expect(tokenCalls.count).toBe(tokenCallsAtPause);
    expect(after.totals).toEqual(before.totals);
    expect(after.errorsByCause.auth).toBe(before.errorsByCause.auth);
    const stillPaused = await theJob(db);
    expect(stillPaused?.status).toBe('paused');
    expect(stillPaused?.ingested).toBe(paused.ingested);
    const running = await db
      .selectFrom('ingestion_batches')
      .select('seq')
      .where('status', 'in', ['running', 'enqueued'])
      .execute();
    expect(running).toEqual([]);

    // The user signs in again: a new grant, the account active, the job resumes where it stopped.
    await signInFollowingConsent(test.app, USER);
    await jobInStatus(db, 'complete', 180_000);
    const reactivated = await db.selectFrom('accounts').select('status').executeTakeFirstOrThrow();
    expect(reactivated.status).toBe('active');
    await expectMailboxStoredExactlyOnce(db, expected);
    await waitFor(
      async () =>
        messages.some((m) => m.type === 'job_status' && m.status === 'complete') ? true : undefined,
      30_000,
      'job_status complete on the socket',
    );
    const statuses = messages.flatMap((m) => (m.type === 'job_status' ? [m.status] : []));
    const pausedAt = statuses.indexOf('paused');
    expect(statuses.slice(pausedAt + 1)).toContain('complete');
    expect(statuses.slice(pausedAt + 1, -1)).not.toContain('paused');
  }, 480_000);

  it('refreshes an access token Google ended early instead of asking the user to sign in again', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await emulatorWithMailbox(24, defer);
    const expected = await mailboxIds(emulator, USER);
    const test: TestApp = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: { backfill: backfillConfig() },
    });
    defer(() => test.close());
    const { db } = test.database;

    await signIn(test.app, USER);
    await waitFor(
      async () => {
        const job = await theJob(db);
        return job && job.ingested > 1_000 && job.ingested < expected.length / 2 ? true : undefined;
      },
      30_000,
      'the first batch',
      20,
    );
    const tokenCalls = countRequests(emulator, '/token');
    defer(async () => tokenCalls.stop());
    // The refresh token still works: only the access token in hand is refused (401) before its expiry.
    await emulator.admin.expireAccessTokens(USER);

    await jobInStatus(db, 'complete', 60_000);
    const statuses = await db.selectFrom('accounts').select('status').execute();
    expect(statuses).toEqual([{ status: 'active' }]);
    expect(tokenCalls.count).toBeGreaterThan(0);
    expect(tokenCalls.count).toBeLessThanOrEqual(5);
    await expectMailboxStoredExactlyOnce(db, expected);
  }, 100_000);
});
