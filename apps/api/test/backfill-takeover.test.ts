import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.ts';
import type { BackfillSettings } from '../src/ingestion/backfill-deps.ts';
import { buildAppOnDatabase } from './support/backfill-app.ts';
import {
  backfillConfig,
  cleanupsOf,
  expectMailboxStoredExactlyOnce,
  jobInStatus,
  mailboxIds,
  runningBatch,
  startCrashWorker,
  waitFor,
} from './support/backfill-harness.ts';

const USER = 'takeover@example.com';

type Defer = (cleanup: () => Promise<unknown>) => void;

/**
 * Two instances of one deployment on one database: worker A (a child process) signs the user in and works a
 * batch; instance B starts beside it once A holds that batch (so B takes nothing A has), then A is SIGKILLed
 * mid-batch once `killWhen` says so. Returns what the batch looked like at the kill.
 */
async function killOneOfTwo(
  defer: Defer,
  options: {
    emulator: EmulatorHandle;
    backfill: Config['backfill'];
    settings: Partial<BackfillSettings>;
    killWhen: (stored: number, messageCount: number) => boolean;
  },
) {
  const database = await createTestDatabase();
  defer(() => database.drop());
  const deployment = {
    databaseUrl: database.url,
    emulatorUrl: options.emulator.url,
    tokenKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64url'),
    backfillSettings: options.settings,
    overrides: { backfill: options.backfill },
  };
  const workerA = await startCrashWorker({ ...deployment, email: USER });
  defer(() => workerA.kill());
  const { db } = database;
  const heldByA = await waitFor(() => runningBatch(db), 30_000, 'a batch running on worker A', 20);
  const instanceB = await buildAppOnDatabase(deployment);
  defer(() => instanceB.close());
  const atKill = await waitFor(
    async () => {
      const now = await runningBatch(db);
      if (!now || now.batch.lease_owner !== heldByA.batch.lease_owner) return undefined;
      return options.killWhen(now.stored, now.batch.message_count) ? now : undefined;
    },
    30_000,
    'worker A half-way through a batch',
    10,
  );
  await workerA.kill();
  const killed = await db
    .selectFrom('ingestion_batches')
    .selectAll()
    .where('seq', '=', atKill.batch.seq)
    .executeTakeFirstOrThrow();
  return { db, killed, ownerA: heldByA.batch.lease_owner };
}

const KILL_WINDOW_MS = 3_000;

describe('a worker killed mid-batch beside a live one', () => {
  it('is taken over by the live instance before its lease would lapse, nothing lost or doubled', async (context) => {
    const defer = cleanupsOf(context);
    const emulator = await startEmulator({
      port: 0,
      seed: 31,
      latency: 'none',
      autoApprove: true,
      // Quota out of the way (ten times Google's): a batch waiting for quota hands itself back between grants,
      // and this test is about a batch killed while it runs. Every call takes 150 ms instead, so a batch takes
      // ~1.5 s and the kill lands mid-batch also on a loaded machine.
      quota: { windowMs: KILL_WINDOW_MS, gmailUnitsPerUser: 60_000 },
      accounts: [{ email: USER, mailboxSize: 3_000 }],
    });
    defer(() => emulator.close());
    const expected = await mailboxIds(emulator, USER);
    emulator.admin.setFaults({ accounts: { [USER]: { slowRate: 1, slowMs: 150 } } });

    // A lease of two minutes: only the dead owner's free instance lock can explain a takeover within the test.
    const { db, killed, ownerA } = await killOneOfTwo(defer, {
      emulator,
      backfill: backfillConfig({ quotaWindowMs: KILL_WINDOW_MS, quotaUnits: 60_000 }),
      settings: { leaseMs: 120_000 },
      killWhen: (stored, count) => stored > 0 && stored < count - 200,
    });
    expect(killed.status).toBe('running');
    expect(killed.lease_owner).toBe(ownerA);

    // Re-run by the other instance: a new generation, leased by someone else, while A's lease still runs.
    const retaken = await waitFor(
      async () => {
        const row = await db
          .selectFrom('ingestion_batches')
          .select([
            'status',
            'lease_owner',
            'generation',
            sql<boolean>`now() < ${killed.lease_until}`.as('early'),
          ])
          .where('seq', '=', killed.seq)
          .executeTakeFirstOrThrow();
        return row.generation > killed.generation && row.status !== 'enqueued' ? row : undefined;
      },
      60_000,
      'the killed batch to be taken over',
      20,
    );
    expect(retaken.early).toBe(true);
    expect(retaken.lease_owner).not.toBe(ownerA);

    await jobInStatus(db, 'complete', 60_000);
    await expectMailboxStoredExactlyOnce(db, expected);
  }, 120_000);

  it('keeps the per-user quota across the takeover: not one 429 for quota', async (context) => {
    const defer = cleanupsOf(context);
    // 6,000 units per 6 s window, enforced by the emulator. The pacer plans for 5,500 (the sign-in's first page,
    // 255 units, is not paced), half of it as a bucket of 2,750 units a fresh process would spend at once, the
    // rest refilled over the window.
    const windowMs = 6_000;
    const emulator = await startEmulator({
      port: 0,
      seed: 32,
      latency: 'none',
      autoApprove: true,
      quota: { windowMs },
      accounts: [{ email: USER, mailboxSize: 2_000 }],
    });
    defer(() => emulator.close());
    const expected = await mailboxIds(emulator, USER);
    emulator.admin.resetStats();

    const { db } = await killOneOfTwo(defer, {
      emulator,
      backfill: backfillConfig({
        quotaUnits: 5_500,
        quotaWindowMs: windowMs,
        quotaUtilisation: 0.5,
        reconcileEveryMs: 100,
      }),
      // What a takeover costs on either design: about a second.
      settings: { leaseMs: 1_000 },
      // After A spent its bucket (550 messages at once), while the window still holds it.
      killWhen: (stored) => stored >= 650,
    });
    const beforeTakeover = emulator.admin.stats().errorsByCause.quota;

    await jobInStatus(db, 'complete', 90_000);
    await expectMailboxStoredExactlyOnce(db, expected);
    const quota429s = emulator.admin.stats().errorsByCause.quota;
    console.info(`quota 429s: ${beforeTakeover} before the takeover, ${quota429s - beforeTakeover} after`);
    expect(beforeTakeover).toBe(0);
    expect(quota429s).toBe(0);
  }, 150_000);
});
