import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenCipher } from '../src/accounts/index.ts';
import { buildApp } from '../src/app.ts';
import { EMULATOR_CLIENT, loadConfig } from '../src/config.ts';
import { AccountClients } from '../src/google/account-clients.ts';
import { emulatedGoogle } from '../src/google/google-settings.ts';
import type { BackfillDeps } from '../src/ingestion/backfill-deps.ts';
import { runBatch } from '../src/ingestion/batch-handler.ts';
import { findBatch, insertBatch } from '../src/ingestion/batch-repository.ts';
import { DEFAULT_BATCH_SETTINGS } from '../src/ingestion/ingestion-plugin.ts';
import { InstanceLiveness } from '../src/ingestion/instance-liveness.ts';
import { runLister } from '../src/ingestion/lister.ts';
import { Pacer } from '../src/ingestion/pacer.ts';
import { bumpAndEnqueue, scheduleNextBatch } from '../src/ingestion/scheduler.ts';
import { Metrics } from '../src/ops/metrics.ts';
import { GmailMailProvider } from '../src/providers/index.ts';
import { PerUserGrants, PostgresBudgetStore } from '../src/quota/index.ts';
import { EventBus } from '../src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { mailboxIds, theJob, waitFor } from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { TEST_REDIRECT_URI } from './support/test-app.ts';

const USER = 'handback@example.com';
// Gmail's 6,000 units a minute on a 10×-faster clock: 500 messages take about 2.5 s, long enough to stop mid-way.
const WINDOW_MS = 6_000;
const silent = { info() {}, warn() {}, error() {} };

/**
 * The batch handler on its own, driven by the test (no queue delivers tasks here): the app only signs the user
 * in (no backfill runs), and the test runs the batch with a signal it aborts, as a stopping process would.
 */
describe('a batch that must stop mid-way', () => {
  let emulator: EmulatorHandle;
  let database: TestDatabase;
  let app: FastifyInstance;
  let bus: EventBus;
  let queue: EmbeddedTaskQueue;
  let liveness: InstanceLiveness;
  let deps: BackfillDeps;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 41,
      latency: 'none',
      autoApprove: true,
      quota: { windowMs: WINDOW_MS },
      accounts: [{ email: USER, mailboxSize: 1_100 }],
    });
    database = await createTestDatabase();
    const google = emulatedGoogle(emulator.url, {
      ...EMULATOR_CLIENT,
      redirectUri: TEST_REDIRECT_URI,
      requestTimeoutMs: 10_000,
    });
    const cipher = new TokenCipher(randomBytes(32));
    bus = new EventBus(database.url, silent);
    await bus.start();
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      db: database.db,
      bus,
      google,
      tokenCipher: cipher,
      sessionSecret: randomBytes(32).toString('base64url'),
      logger: false,
    });
    await app.ready();
    // Enqueues land in pg-boss; nothing here works them (the test runs the batch itself).
    queue = new EmbeddedTaskQueue({ connectionString: database.url });
    liveness = new InstanceLiveness(database.url, silent);
    await liveness.start();
    const quota = new PerUserGrants(new PostgresBudgetStore(database.db), {
      gmail: { unitsPerWindow: 6_000, windowMs: WINDOW_MS, utilisation: 0.95 },
    });
    const pacer = new Pacer({ maxConcurrent: 4 });
    const metrics = new Metrics();
    deps = {
      db: database.db,
      bus,
      queue,
      quota,
      pacer,
      mail: {
        google: new GmailMailProvider({
          clients: new AccountClients(database.db, google, cipher),
          google,
          metrics,
        }),
      },
      metrics,
      settings: {
        ...DEFAULT_BATCH_SETTINGS,
        leaseMs: 3_000,
        leaseRenewEveryMs: 500,
        stallAfterMs: 600_000,
        unitsPerMs: quota.userRatePerMs,
      },
      log: silent,
      instanceId: liveness.id,
    };
  });
  afterAll(async () => {
    await queue?.stop();
    await liveness?.stop();
    await app?.close();
    await bus?.close();
    await database?.drop();
    await emulator?.close();
  });

  /**
   * Runs a batch as the queue would: a run refused quota hands the batch back under the next generation, due at
   * `not_before`; that task is run once due. Ends with the first run that did not defer (done, stale, stopped).
   */
  async function runBatchThrough(
    task: { jobId: string; seq: number; generation: number },
    signal?: AbortSignal,
  ) {
    for (let generation = task.generation; ; ) {
      const result = await runBatch(deps, { ...task, generation }, signal);
      const row = await findBatch(database.db, task.jobId, task.seq);
      const deferred =
        result.outcome === 'done' &&
        row?.status === 'enqueued' &&
        row.generation === generation + 1 &&
        row.not_before !== null;
      if (!deferred) return result;
      generation = row.generation;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, row.not_before!.getTime() - Date.now())),
      );
    }
  }

  /** Batch `seq` of the mailbox's ids after the first page (500 each), enqueued; and a count of its stored rows. */
  async function enqueuedBatch(seq: number) {
    const { db } = database;
    const job = (await theJob(db))!;
    const firstPage = new Set(job.first_page_ids);
    const rest = (await mailboxIds(emulator, USER)).filter((id) => !firstPage.has(id));
    const ids = rest.slice(seq * 500, (seq + 1) * 500);
    await insertBatch(db, { jobId: job.id, seq, tier: 'high', messageIds: ids });
    await scheduleNextBatch(deps, job.id);
    const enqueued = (await findBatch(db, job.id, seq))!;
    expect(enqueued.status).toBe('enqueued');
    const stored = async () => {
      const row = await db
        .selectFrom('emails')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('message_id', '=', sql<string>`any(${ids}::text[])`)
        .executeTakeFirstOrThrow();
      return row.n;
    };
    return { job, ids, firstPage, enqueued, stored };
  }

  it('a lister stopped mid-call hands back at once, its page token kept, under a new generation', async () => {
    const { db } = database;
    await signIn(app, USER);
    const job = (await theJob(db))!;
    // Every Google call of the user now takes 5 s: the stop must cancel the call in flight, not wait for it.
    emulator.admin.setFaults({ accounts: { [USER]: { slowRate: 1, slowMs: 5_000 } } });
    const shutdown = new AbortController();
    const run = runLister(deps, { jobId: job.id, generation: job.list_generation }, shutdown.signal);
    await waitFor(
      async () => ((await theJob(db))!.list_lease_owner === liveness.id ? true : undefined),
      10_000,
      'the lister to hold its lease',
      10,
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // its first call is in flight
    const abortedAt = performance.now();
    shutdown.abort();
    const result = await run;
    const tookMs = performance.now() - abortedAt;
    emulator.admin.clearFaults();
    console.info(`lister handed back ${Math.round(tookMs)} ms after the abort`);
    expect(result.outcome).toBe('retry');
    const after = (await theJob(db))!;
    expect({
      leaseUntil: after.list_lease_until,
      owner: after.list_lease_owner,
      generation: after.list_generation,
      token: after.list_page_token,
      done: after.listing_done,
    }).toEqual({
      leaseUntil: null,
      owner: null,
      generation: job.list_generation + 1,
      token: job.list_page_token,
      done: false,
    });
  }, 30_000);

  it('stops writing once a renewal finds its lease taken over, and leaves the batch to its new holder', async () => {
    const { db } = database;
    const { job, ids, enqueued, stored } = await enqueuedBatch(0);
    const run = runBatchThrough({ jobId: job.id, seq: 0, generation: enqueued.generation });
    await waitFor(async () => ((await stored()) >= 100 ? true : undefined), 30_000, 'a fifth stored', 10);
    // What the lease sweep does when it finds the owner dead or late: the next generation, lease cleared. (The
    // batch may wait for quota meanwhile, each wait a generation: a sweep that read the generation just before
    // a wait bumps nothing — as the real sweep, it tries again on what it reads next.)
    let seen = -1;
    for (let tries = 0; tries < 20; tries++) {
      seen = (await findBatch(db, job.id, 0))!.generation;
      await bumpAndEnqueue(deps, db, { jobId: job.id, seq: 0, generation: seen });
      if ((await findBatch(db, job.id, 0))!.generation === seen + 1) break;
    }
    const result = await run;
    expect(result.outcome).toBe('done'); // the delivery is stale: the new generation's task does the batch

    const left = (await findBatch(db, job.id, 0))!;
    expect({ status: left.status, generation: left.generation, lease: left.lease_until }).toEqual({
      status: 'enqueued',
      generation: seen + 1,
      lease: null,
    });
    const storedAtReturn = await stored();
    expect(storedAtReturn).toBeLessThan(ids.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stored()).toBe(storedAtReturn);
    expect((await theJob(db))!.ingested).toBe(job.ingested);

    expect((await runBatchThrough({ jobId: job.id, seq: 0, generation: left.generation })).outcome).toBe(
      'done',
    );
    expect(await stored()).toBe(ids.length);
    expect((await theJob(db))!.ingested).toBe(job.ingested + ids.length);
  }, 60_000);

  it('releases its lease at once, keeps what it stored, and a later run completes it exactly', async () => {
    const { db } = database;
    const { job, ids, enqueued, stored: storedOfBatch } = await enqueuedBatch(1);
    // Listing is "done" with these two batches: the job completes when this one does.
    const before = (await theJob(db))!;
    await db
      .updateTable('ingestion_jobs')
      .set({ listing_done: true, total: before.ingested + ids.length })
      .where('id', '=', job.id)
      .execute();
    const shutdown = new AbortController();
    const run = runBatchThrough({ jobId: job.id, seq: 1, generation: enqueued.generation }, shutdown.signal);
    await waitFor(
      async () => ((await storedOfBatch()) >= 200 ? true : undefined),
      30_000,
      'a fifth stored',
      10,
    );
    const abortedAt = performance.now();
    shutdown.abort();
    const result = await run;
    console.info(`handed back ${Math.round(performance.now() - abortedAt)} ms after the abort`);

    expect(result.outcome).toBe('retry');
    const released = (await findBatch(db, job.id, 1))!;
    expect(['pending', 'enqueued']).toContain(released.status);
    expect(released.lease_until).toBeNull();
    expect(released.lease_owner).toBeNull();
    // Stopped mid-way: what it stored stays stored, nothing was counted, and nothing writes after it returned.
    const storedAtReturn = await storedOfBatch();
    expect(storedAtReturn).toBeGreaterThanOrEqual(100);
    expect(storedAtReturn).toBeLessThan(ids.length);
    expect((await theJob(db))!.ingested).toBe(before.ingested);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedOfBatch()).toBe(storedAtReturn);

    // Any worker runs it again (here: this one, with the generation the hand-back enqueued) and finishes it.
    const again = await runBatchThrough({ jobId: job.id, seq: 1, generation: released.generation });
    expect(again.outcome).toBe('done');
    const done = (await findBatch(db, job.id, 1))!;
    expect({ status: done.status, stored: done.stored_count }).toEqual({
      status: 'done',
      stored: ids.length,
    });
    expect(await storedOfBatch()).toBe(ids.length);
    const finished = (await theJob(db))!;
    expect(finished.ingested).toBe(before.ingested + ids.length);
    expect(finished.status).toBe('complete');
  }, 60_000);
  it('a lister that fails as it finishes lists nothing twice: the last page and "done" commit together', async () => {
    const { db } = database;
    if (!(await theJob(db))) await signIn(app, USER);
    // A listing from scratch: the tests above wrote batches of their own.
    await db.deleteFrom('ingestion_batches').execute();
    await db
      .updateTable('ingestion_jobs')
      .set({
        status: 'listing',
        listing_done: false,
        list_page_token: null,
        listed: 0,
        list_lease_owner: null,
        list_lease_until: null,
      })
      .execute();
    // The first attempt to mark the listing done fails, as an outage or a kill at that moment would. A sequence,
    // not a table: nextval survives the rollback, so only the first attempt fails.
    await sql`create sequence listing_done_fault`.execute(db);
    await sql`
      create function fail_first_listing_done() returns trigger language plpgsql as $$
      begin
        if new.listing_done and not old.listing_done and nextval('listing_done_fault') = 1 then
          raise exception 'injected: the database went away as the listing finished';
        end if;
        return new;
      end $$`.execute(db);
    await sql`
      create trigger listing_done_fault before update on ingestion_jobs
      for each row execute function fail_first_listing_done()`.execute(db);
    try {
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 3 && !(await theJob(db))!.listing_done; attempt++) {
        const job = (await theJob(db))!;
        outcomes.push((await runLister(deps, { jobId: job.id, generation: job.list_generation })).outcome);
      }
      expect(outcomes).toEqual(['retry', 'done']);
    } finally {
      await sql`drop trigger listing_done_fault on ingestion_jobs`.execute(db);
      await sql`drop function fail_first_listing_done()`.execute(db);
      await sql`drop sequence listing_done_fault`.execute(db);
    }
    const job = (await theJob(db))!;
    const batches = await db
      .selectFrom('ingestion_batches')
      .select('message_ids')
      .where('job_id', '=', job.id)
      .execute();
    const listed = batches.flatMap((batch) => batch.message_ids);
    const firstPage = new Set(job.first_page_ids);
    const expected = (await mailboxIds(emulator, USER)).filter((id) => !firstPage.has(id));
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.sort()).toEqual(expected.sort());
    expect(job.total).toBe(firstPage.size + expected.length);
  }, 60_000);
});
