import { describe, expect, it } from 'vitest';
import { cleanupsOf, WINDOW_MS } from './support/backfill-harness.ts';
import { allComplete, deployment, emulatorFor, expectEachStoredExactlyOnce } from './support/deployment.ts';
import { signIn } from './support/sign-in.ts';

describe('batches spread over instances and never hold a worker while they wait for quota', () => {
  it('three instances on one database share the batches of users who all signed in on one of them', async (context) => {
    const defer = cleanupsOf(context);
    const emails = Array.from({ length: 3 }, (_, i) => `spread-${i}@example.com`);
    // Quota out of the way (ten times Google's), so a batch runs whole once it starts.
    const quotaUnits = 60_000;
    const emulator = await emulatorFor(defer, 17, emails, 3_000, {
      windowMs: WINDOW_MS,
      gmailUnitsPerUser: quotaUnits,
    });
    // Batches of 100 (about 90 in all): enough for each instance's share to be a fair measure.
    const { db, instances } = await deployment(defer, emulator, 3, {
      workers: { 'ingest-high': 2, 'ingest-low': 2, writeback: 1 },
      quota: { quotaUnits },
      settings: { batchSize: 100, listPageSize: 100 },
    });
    // Every sign-in (hence every lister and first batch) starts on instance 0.
    for (const email of emails) await signIn(instances[0]!.app, email);
    // Then every Gmail call takes 600 ms, so a batch runs longer than a worker's poll (500 ms here): the worker
    // that finished a batch fetches again at once, and took the next batch of the same user, which it had just
    // enqueued itself — each user's backfill stayed on the instance it started on.
    const slow = { slowRate: 1, slowMs: 600 };
    emulator.admin.setFaults({ accounts: Object.fromEntries(emails.map((email) => [email, slow])) });
    await allComplete(db, emails.length, 150_000);
    emulator.admin.clearFaults();

    const batches = await expectEachStoredExactlyOnce(db, emulator, emails);
    expect(batches.length).toBeGreaterThanOrEqual(80);
    // `lease_owner` stays on a done batch: the instance whose worker completed it.
    const byInstance = new Map<string, number>();
    for (const batch of batches)
      byInstance.set(batch.lease_owner!, (byInstance.get(batch.lease_owner!) ?? 0) + 1);
    const shares = [...byInstance.values()].map((count) => count / batches.length);
    console.info(`batch shares by instance: ${shares.map((share) => share.toFixed(2)).join(', ')}`);
    expect(shares).toHaveLength(3);
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.2);
    // The per-user buckets are shared by the instances: moving a user between them never overshot its quota.
    expect(emulator.admin.stats().errorsByCause.quota).toBe(0);
  }, 240_000);

  const QUOTA_UNITS = 600;
  it('with one worker a queue, a second user’s batch runs while the first user’s waits for quota', async (context) => {
    const defer = cleanupsOf(context);
    const emails = ['waits-a@example.com', 'waits-b@example.com'];
    // A tenth of Google's per-user quota: fetching outruns it, so batches wait for quota.
    const emulator = await emulatorFor(defer, 23, emails, 1_500, {
      windowMs: WINDOW_MS,
      gmailUnitsPerUser: QUOTA_UNITS,
    });
    const { db, instances } = await deployment(defer, emulator, 1, {
      workers: { 'ingest-high': 1, 'ingest-low': 1, writeback: 1 },
      // Half of it planned for: a grant (at most 300 units, 60 messages) about every 600 ms.
      quota: { quotaUnits: QUOTA_UNITS, quotaUtilisation: 0.5 },
    });
    for (const email of emails) await signIn(instances[0]!.app, email);
    await allComplete(db, emails.length, 120_000);

    const batches = await expectEachStoredExactlyOnce(db, emulator, emails);
    // A batch of 1,000 messages costs 5,000 units, the user's quota 300 a window: its grants were refused on
    // the way, each refusal re-enqueuing it under a new generation (1 when first enqueued).
    expect(Math.max(...batches.map((batch) => batch.generation))).toBeGreaterThan(2);
    // One worker for the high tier, yet the two users' high batches (each user's first, both enqueued at sign-in,
    // each ~10 s of quota) were in progress at the same time: a batch waiting for its user's quota gave the
    // worker back. (A batch that held it would have run start to end before the other user's began.) The low
    // tier proves nothing here: a user's next batch is enqueued when its previous one finishes, so the two low
    // batches start whenever the high ones happen to end.
    const high = batches.filter((batch) => batch.tier === 'high');
    const jobs = await db.selectFrom('ingestion_jobs').select('id').execute();
    const [first, second] = jobs.map((job) => high.filter((batch) => batch.job_id === job.id));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    const [x, y] = [first![0]!, second![0]!];
    const overlapping = x.started_at! < y.finished_at! && y.started_at! < x.finished_at!;
    expect(overlapping).toBe(true);
    expect(emulator.admin.stats().errorsByCause.quota).toBe(0);
  }, 180_000);
});
