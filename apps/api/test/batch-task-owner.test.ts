import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orphanedBatches } from '../src/ingestion/batch-reads-repository.ts';
import {
  type BatchKey,
  claimBatchTask,
  deferBatch,
  enqueueNextBatch,
  findBatch,
  insertBatch,
  leaseBatch,
  reclaimOrphanedBatch,
} from '../src/ingestion/batch-repository.ts';
import { InstanceLiveness } from '../src/ingestion/instance-liveness.ts';
import { insertJob } from '../src/ingestion/job-repository.ts';
import { seedAccount } from './support/seed-account.ts';

/*
 * Who answers for an enqueued batch's task (`task_owner`), as the lease sweep sees it: an instance id that holds
 * no instance lock is a dead process; `live` holds its lock for the whole file.
 */
const DEAD = 'instance-that-died';
const SWEEPER = 'instance-sweeping';

describe("an enqueued batch's task owner", () => {
  let database: TestDatabase;
  let live: InstanceLiveness;
  beforeAll(async () => {
    database = await createTestDatabase();
    live = new InstanceLiveness(database.url, { warn: () => {} }, { id: 'instance-alive' });
    await live.start();
  });
  afterAll(async () => {
    await live?.stop();
    await database?.drop();
  });

  /** A job with one batch, enqueued by `enqueuer` (as scheduleNextBatch does). */
  async function enqueuedBy(email: string, enqueuer: string): Promise<BatchKey> {
    const { db } = database;
    const { userId, accountId } = await seedAccount(db, email);
    const job = await insertJob(db, { user_id: userId, account_id: accountId, kind: 'gmail_backfill' });
    await insertBatch(db, { jobId: job.id, seq: 0, tier: 'high', messageIds: ['m0', 'm1'] });
    const next = await db.transaction().execute((trx) => enqueueNextBatch(trx, job.id, enqueuer));
    return { jobId: job.id, seq: 0, generation: next!.generation };
  }

  const orphanSeqs = async (jobId: string) =>
    (await orphanedBatches(database.db, SWEEPER)).filter((batch) => batch.jobId === jobId);

  it('is its enqueuer, then the worker that took the delivery; only a dead one makes the batch an orphan', async () => {
    const { db } = database;
    const key = await enqueuedBy('owner-live@example.com', live.id);
    expect((await findBatch(db, key.jobId, 0))?.task_owner).toBe(live.id);
    expect(await orphanSeqs(key.jobId)).toEqual([]);

    // A stale delivery (the generation before) takes nothing over.
    await claimBatchTask(db, { ...key, generation: key.generation - 1 }, DEAD);
    expect((await findBatch(db, key.jobId, 0))?.task_owner).toBe(live.id);
    await claimBatchTask(db, key, DEAD);
    expect(await orphanSeqs(key.jobId)).toEqual([{ ...key, taskOwner: DEAD }]);
  });

  it('is reclaimed once, under the next generation, when its owner is gone', async () => {
    const { db } = database;
    const key = await enqueuedBy('owner-dead@example.com', DEAD);
    const [orphan] = await orphanSeqs(key.jobId);
    expect(orphan).toEqual({ ...key, taskOwner: DEAD });

    const owners = { deadOwner: DEAD, owner: SWEEPER };
    const reclaimed = await reclaimOrphanedBatch(db, key, owners);
    expect(reclaimed).toEqual({ seq: 0, generation: key.generation + 1, tier: 'high', delayMs: 0 });
    // A second sweep that saw the same orphan changes nothing; the sweeper answers for the new task.
    expect(await reclaimOrphanedBatch(db, key, owners)).toBeUndefined();
    const row = await findBatch(db, key.jobId, 0);
    expect({ status: row?.status, owner: row?.task_owner }).toEqual({ status: 'enqueued', owner: SWEEPER });
  });

  it('is left to a live worker that took the task while the sweep looked: no second task, no bump', async () => {
    const { db } = database;
    const key = await enqueuedBy('owner-race@example.com', DEAD);
    expect(await orphanSeqs(key.jobId)).toHaveLength(1); // the sweep saw the orphan...
    await claimBatchTask(db, key, live.id); // ...then a live worker's delivery took it
    expect(await reclaimOrphanedBatch(db, key, { deadOwner: DEAD, owner: SWEEPER })).toBeUndefined();
    const leased = await leaseBatch(db, key, { leaseMs: 60_000, owner: live.id });
    expect({ status: leased?.status, generation: leased?.generation }).toEqual({
      status: 'running',
      generation: key.generation,
    });
    expect(await orphanSeqs(key.jobId)).toEqual([]);
  });

  it('keeps a quota deferral due when it was due', async () => {
    const { db } = database;
    const key = await enqueuedBy('owner-deferred@example.com', SWEEPER);
    await leaseBatch(db, key, { leaseMs: 60_000, owner: DEAD });
    const deferred = await deferBatch(db, key, {
      owner: DEAD,
      delayMs: 3_600_000,
      note: 'waiting for quota',
    });
    const deferredKey = { ...key, generation: deferred!.generation };
    expect(await orphanSeqs(key.jobId)).toEqual([{ ...deferredKey, taskOwner: DEAD }]);

    const before = await findBatch(db, key.jobId, 0);
    const reclaimed = await reclaimOrphanedBatch(db, deferredKey, { deadOwner: DEAD, owner: SWEEPER });
    expect(reclaimed?.generation).toBe(deferredKey.generation + 1);
    expect(reclaimed?.delayMs).toBeGreaterThan(3_500_000);
    expect(reclaimed?.delayMs).toBeLessThanOrEqual(3_600_000);
    expect((await findBatch(db, key.jobId, 0))?.not_before).toEqual(before?.not_before);
  });
});
