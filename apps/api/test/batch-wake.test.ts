import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaConfig } from '../src/config.ts';
import {
  type BatchKey,
  deferBatch,
  enqueueNextBatch,
  findBatch,
  insertBatch,
  leaseBatch,
} from '../src/ingestion/batch-repository.ts';
import { insertJob } from '../src/ingestion/job-repository.ts';
import { wakeCreditedBatches } from '../src/ingestion/scheduler.ts';
import { ProjectQuotaScheduler } from '../src/quota/index.ts';
import type { TaskQueue, TaskRequest } from '../src/tasks/index.ts';
import { seedAccount } from './support/seed-account.ts';

/*
 * Issue 17: when the project binds, users take turns (quota/time-slice.ts) and a refused batch sleeps until its
 * turn. A turn that comes before the batch wakes would leave the user's credit unspent — and unspent credit
 * holds back what the plan gives everyone. The tick tells who it credited; their sleeping batches start now.
 */
const CONFIG: Omit<QuotaConfig, 'scheduler'> = {
  gmail: { projectUnits: 10_000, userUnits: 1_000, windowMs: 1_000, utilisation: 0.95, dailyUnits: 1e6 },
  calendar: { projectUnits: 100, userUnits: 10, windowMs: 1_000, utilisation: 0.95, dailyUnits: 1_000 },
  interactiveReserve: 0.05,
  dailyClassShares: { interactive: 1, sync: 1, high: 0.9, low: 0.75 },
  tickMs: 20,
};
const WORKER = 'instance-working';

describe('a deferred batch whose user the quota credits', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  /** A job whose one batch a worker took and deferred for `delayMs` (as a quota refusal does). */
  async function deferred(email: string, delayMs: number) {
    const { db } = database;
    const { userId, accountId } = await seedAccount(db, email);
    const job = await insertJob(db, { user_id: userId, account_id: accountId, kind: 'gmail_backfill' });
    await insertBatch(db, { jobId: job.id, seq: 0, tier: 'high', messageIds: ['m0', 'm1'] });
    const next = await db.transaction().execute((trx) => enqueueNextBatch(trx, job.id, WORKER));
    const key: BatchKey = { jobId: job.id, seq: 0, generation: next!.generation };
    await leaseBatch(db, key, { leaseMs: 30_000, owner: WORKER });
    const row = await deferBatch(db, key, { owner: WORKER, delayMs, note: 'waiting for quota (quota)' });
    return { accountId, jobId: job.id, generation: row!.generation };
  }

  it('starts now under the next generation once the tick credits its user; a batch due soon is left alone', async () => {
    const { db } = database;
    const asleep = await deferred('asleep@example.com', 60_000);
    const dueSoon = await deferred('due-soon@example.com', 800);
    const enqueued: TaskRequest[] = [];
    const queue = {
      enqueue: async (task: TaskRequest) => {
        enqueued.push(task);
        return { accepted: true };
      },
    };
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const scheduler = new ProjectQuotaScheduler({ db, config: CONFIG });
    const credited: string[][] = [];
    scheduler.onCredited(async (resource, accounts) => {
      if (resource !== 'gmail') return;
      credited.push(accounts);
      await wakeCreditedBatches(
        { db, queue: queue as unknown as TaskQueue, log, instanceId: WORKER },
        accounts,
        1_000,
      );
    });

    // Both users asked and were refused (their demands are in the plan); ticks credit them.
    for (const { accountId } of [asleep, dueSoon]) {
      const answer = await scheduler.tryTake({
        resource: 'gmail',
        user: accountId,
        class: 'high',
        units: 250,
      });
      expect(answer.granted).toBe(false);
    }
    for (let i = 0; i < 200 && !credited.flat().includes(asleep.accountId); i++) {
      await scheduler.tick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(credited.flat()).toContain(asleep.accountId);
    expect(credited.flat()).toContain(dueSoon.accountId);

    // The sleeping batch is due now, one generation on, and its task enqueued without a delay...
    const woken = await findBatch(db, asleep.jobId, 0);
    expect(woken).toMatchObject({ status: 'enqueued', generation: asleep.generation + 1, not_before: null });
    expect(enqueued).toEqual([
      expect.objectContaining({
        kind: 'mail-batch',
        queue: 'ingest-high',
        payload: { jobId: asleep.jobId, seq: 0, generation: asleep.generation + 1 },
      }),
    ]);
    expect(enqueued[0]!.delayMs).toBeUndefined();
    // ...and the one due within the margin keeps its task and its time.
    expect(await findBatch(db, dueSoon.jobId, 0)).toMatchObject({ generation: dueSoon.generation });
  });
});
