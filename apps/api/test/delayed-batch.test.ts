import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostEnqueuedBatches, waitsForQuota } from '../src/ingestion/batch-reads-repository.ts';
import { deferBatch, insertBatch, leaseBatch } from '../src/ingestion/batch-repository.ts';
import { insertJob } from '../src/ingestion/job-repository.ts';
import { seedAccount } from './support/seed-account.ts';

describe('a batch delayed for quota, as the reconciler sees it', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('is not lost while it is not due, nor its job stalled; a task enqueued as long ago is lost', async () => {
    const { db } = database;
    const { userId, accountId } = await seedAccount(db, 'delayed@example.com');
    const job = await insertJob(db, { user_id: userId, account_id: accountId, kind: 'gmail_backfill' });
    for (const seq of [0, 1])
      await insertBatch(db, { jobId: job.id, seq, tier: 'low', messageIds: [`m${seq}`] });
    // seq 0: enqueued an hour ago and never started. seq 1: leased, refused quota, delayed by an hour.
    await db
      .updateTable('ingestion_batches')
      .set({ status: 'enqueued', enqueued_at: sql<Date>`now() - interval '1 hour'` })
      .where('seq', '=', 0)
      .execute();
    const owner = 'instance-a';
    const leased = await leaseBatch(db, { jobId: job.id, seq: 1, generation: 0 }, { leaseMs: 60_000, owner });
    expect(leased?.status).toBe('running');
    const deferred = await deferBatch(
      db,
      { jobId: job.id, seq: 1, generation: 0 },
      { owner, delayMs: 3_600_000, note: "waiting for tomorrow's quota" },
    );
    expect(deferred).toEqual({ seq: 1, generation: 1, tier: 'low' });
    // Its enqueue as old as seq 0's: only `not_before` tells the two apart.
    await db
      .updateTable('ingestion_batches')
      .set({ enqueued_at: sql<Date>`now() - interval '1 hour'` })
      .where('seq', '=', 1)
      .execute();

    const lost = await lostEnqueuedBatches(db, 60_000);
    expect(lost.map((batch) => batch.seq)).toEqual([0]);
    expect(await waitsForQuota(db, job.id)).toBe(true);
    // A stale worker (another owner, or the generation before) cannot defer it again.
    expect(
      await deferBatch(db, { jobId: job.id, seq: 1, generation: 0 }, { owner, delayMs: 1, note: 'x' }),
    ).toBeUndefined();
  });
});
