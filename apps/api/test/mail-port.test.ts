import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillDeps } from '../src/ingestion/backfill-deps.ts';
import { BackfillService } from '../src/ingestion/backfill-service.ts';
import { DEFAULT_BATCH_SETTINGS } from '../src/ingestion/ingestion-plugin.ts';
import { InstanceLiveness } from '../src/ingestion/instance-liveness.ts';
import { onboardMailbox } from '../src/ingestion/onboarding-service.ts';
import { Pacer } from '../src/ingestion/pacer.ts';
import { Metrics } from '../src/ops/metrics.ts';
import { PerUserGrants, PostgresBudgetStore } from '../src/quota/index.ts';
import { EventBus } from '../src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { routeTasks } from '../src/tasks/task-router.ts';
import { InMemoryMailbox, InMemoryMailProvider } from './providers/in-memory-mail/in-memory-mail.ts';
import { waitFor } from './support/backfill-harness.ts';

const silent = { info() {}, warn() {}, error() {} };
const MAILBOX = 1_234;
const FIRST_PAGE = 50;

/**
 * The ingestion core knows only the mail source port: a test-only provider (an in-memory mailbox, one
 * folder) drives a whole backfill — first page, lister, batches, completion — and then incremental sync.
 * No Google, no emulator: if the core reached past the port, this would fail.
 */
describe('a backfill through the mail source port', () => {
  let database: TestDatabase;
  let bus: EventBus;
  let queue: EmbeddedTaskQueue;
  let liveness: InstanceLiveness;
  let service: BackfillService;
  let deps: BackfillDeps;
  const mailbox = new InMemoryMailbox(MAILBOX);
  const provider = new InMemoryMailProvider(mailbox);

  beforeAll(async () => {
    database = await createTestDatabase();
    bus = new EventBus(database.url, silent);
    await bus.start();
    queue = new EmbeddedTaskQueue({ connectionString: database.url, pollingIntervalSeconds: 0.5 });
    liveness = new InstanceLiveness(database.url, silent);
    await liveness.start();
    const quota = new PerUserGrants(new PostgresBudgetStore(database.db), {
      gmail: { unitsPerWindow: 100_000, windowMs: 1_000, utilisation: 0.95 },
    });
    const pacer = new Pacer({ maxConcurrent: 4 });
    deps = {
      db: database.db,
      bus,
      queue,
      quota,
      pacer,
      // Registered under the provider name the accounts table allows: the registry is injected.
      mail: { google: provider },
      metrics: new Metrics(),
      settings: {
        ...DEFAULT_BATCH_SETTINGS,
        batchSize: 200,
        listPageSize: 100,
        leaseMs: 5_000,
        leaseRenewEveryMs: 1_000,
        stallAfterMs: 600_000,
        unitsPerMs: quota.userRatePerMs,
      },
      log: silent,
      instanceId: liveness.id,
    };
    service = new BackfillService(deps);
    await queue.start(routeTasks(service.handlers));
  });
  afterAll(async () => {
    await queue?.stop();
    await liveness?.stop();
    await bus?.close();
    await database?.drop();
  });

  const storedIds = async (accountId: string) =>
    new Set(
      (
        await database.db
          .selectFrom('emails')
          .select('message_id')
          .where('account_id', '=', accountId)
          .execute()
      ).map((row) => row.message_id),
    );

  it('stores exactly the mailbox, completes, then applies one incremental change', async () => {
    const { db } = database;
    const user = await db
      .insertInto('users')
      .values({ email: 'inbox@in-memory.test' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await db
      .insertInto('accounts')
      .values({ user_id: user.id, provider_subject: 'in-memory-1', email: 'inbox@in-memory.test' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const owner = { userId: user.id, accountId: account.id };

    // The sign-in's first page, through the same port, as the callback runs it (onboarding).
    const cursorBeforeListing = mailbox.cursor;
    const grant = { freshFromSignIn: true };
    const onboarded = await onboardMailbox(
      {
        db,
        bus,
        backfill: service,
        pageSize: FIRST_PAGE,
        mail: deps.mail,
        quota: deps.quota,
        maxAttempts: 2,
      },
      { ...owner, provider: 'google', grant, startedAt: performance.now() },
    );
    expect(onboarded.stored).toBe(FIRST_PAGE);
    expect(provider.lastGrant).toBe(grant); // the sign-in's credentials, not the stored ones
    const job = { id: onboarded.jobId };
    const firstPage = await db
      .selectFrom('ingestion_jobs')
      .select(['ingested', 'total', 'first_data_ms'])
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(firstPage).toMatchObject({ ingested: FIRST_PAGE, total: MAILBOX });
    expect(firstPage.first_data_ms).not.toBeNull();

    const done = await waitFor(
      async () => {
        const row = await db
          .selectFrom('ingestion_jobs')
          .selectAll()
          .where('id', '=', job.id)
          .executeTakeFirst();
        return row?.status === 'complete' ? row : undefined;
      },
      60_000,
      'the backfill to complete',
    );
    expect(await storedIds(account.id)).toEqual(new Set(mailbox.ids()));
    expect({ ingested: done.ingested, total: done.total, failed: done.failed }).toEqual({
      ingested: MAILBOX, // the first page (recorded at sign-in) and every batch after it
      total: MAILBOX,
      failed: 0,
    });
    const batches = await db
      .selectFrom('ingestion_batches')
      .selectAll()
      .where('job_id', '=', job.id)
      .execute();
    // Batches follow page boundaries (2 pages of 100); the first page is left out of the first batch.
    expect(batches.length).toBe(Math.ceil(MAILBOX / 200));
    expect(batches.reduce((sum, batch) => sum + batch.message_count, 0)).toBe(MAILBOX - FIRST_PAGE);
    expect(batches.every((batch) => batch.status === 'done')).toBe(true);
    const sync = await db
      .selectFrom('sync_state')
      .selectAll()
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(sync.cursor).toBe(cursorBeforeListing);
    expect(provider.pacedCalls).toBeGreaterThan(batches.length);

    // One incremental change: two new messages, one removed.
    const [removed] = mailbox.ids().slice(-1);
    const added = mailbox.deliver(2);
    mailbox.remove(removed!);
    const outcome = await service.syncNow(account.id);
    expect(outcome).toMatchObject({ kind: 'history', added: 2, deleted: 1, cursor: mailbox.cursor });
    const after = await storedIds(account.id);
    expect(after).toEqual(new Set(mailbox.ids()));
    for (const id of added) expect(after.has(id)).toBe(true);
  });
});
