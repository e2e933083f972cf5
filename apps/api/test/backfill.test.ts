import { type ServerMessage, ServerMessage as ServerMessageSchema } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.ts';
import { mailboxIds, waitFor } from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'backfill@example.com';
const MAILBOX = 20_000;
// Google's per-user quota (6,000 units) on a 100×-faster clock: the pacer and the emulator agree on the window.
const WINDOW_MS = 600;

describe('background backfill on the embedded queue', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 11,
      latency: 'none',
      autoApprove: true,
      quota: { windowMs: WINDOW_MS },
      accounts: [{ email: USER, mailboxSize: MAILBOX }],
    });
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: {
        backfill: {
          ...loadConfig({}).backfill,
          quotaUnits: 6_000,
          quotaWindowMs: WINDOW_MS,
          quotaUtilisation: 0.95,
          maxConcurrent: 4,
          stallAfterMs: 600_000,
          reconcileEveryMs: 60_000,
          syncEveryMs: 60_000,
        },
      },
    });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('stores exactly the mailbox, batch by batch, high tier before low, with live progress', async () => {
    const session = await signIn(test.app, USER);
    const address = test.app.server.address() as { port: number };
    const socket = new WebSocket(`ws://127.0.0.1:${address.port}/ws`, {
      headers: { cookie: session.cookie },
    });
    const messages: ServerMessage[] = [];
    socket.on('message', (data) => messages.push(ServerMessageSchema.parse(JSON.parse(data.toString()))));

    const { db } = test.database;
    const job = await waitFor(
      async () => {
        const row = await db.selectFrom('ingestion_jobs').selectAll().executeTakeFirst();
        return row?.status === 'complete' ? row : undefined;
      },
      120_000,
      'the job to complete',
    );
    // The last events may still be in flight on the socket.
    await waitFor(
      async () =>
        messages.some((m) => m.type === 'job_status' && m.status === 'complete') ? true : undefined,
      5_000,
      'job_status complete',
    );
    socket.close();

    const stored = await db.selectFrom('emails').select('message_id').execute();
    const expected = await mailboxIds(emulator, USER);
    // messages.list leaves out spam and trash (includeSpamTrash=false), as the product's inbox does.
    expect(expected.length).toBeGreaterThan(MAILBOX * 0.9);
    expect(stored).toHaveLength(expected.length);
    expect(new Set(stored.map((row) => row.message_id))).toEqual(new Set(expected));
    expect(job.total).toBe(expected.length);
    expect(job.ingested).toBe(expected.length);
    expect(job.start_history_id).not.toBeNull();

    const batches = await db.selectFrom('ingestion_batches').selectAll().orderBy('seq').execute();
    expect(batches.length).toBe(Math.ceil((expected.length - 50) / 1000));
    expect(batches.every((batch) => batch.status === 'done')).toBe(true);
    expect(batches.reduce((sum, batch) => sum + batch.message_count, 0)).toBe(expected.length - 50);
    expect(batches[0]?.tier).toBe('high');
    expect(batches.slice(1).every((batch) => batch.tier === 'low')).toBe(true);
    // High before low: the high batch finished before any low batch started.
    const lowStarts = batches.slice(1).map((batch) => batch.started_at!.getTime());
    expect(batches[0]!.finished_at!.getTime()).toBeLessThanOrEqual(Math.min(...lowStarts));

    const completions = messages.filter((m) => m.type === 'batch_complete');
    expect(new Set(completions.map((m) => m.seq))).toEqual(new Set(batches.map((batch) => batch.seq)));
    const last = completions.at(-1);
    expect(last?.type === 'batch_complete' && last.ingested).toBe(expected.length);

    const sync = await db
      .selectFrom('sync_state')
      .selectAll()
      .where('resource', '=', 'gmail')
      .executeTakeFirst();
    expect(sync?.cursor).toBe(job.start_history_id);
    // The pacer kept under the quota: the emulator refused nothing.
    expect(emulator.admin.stats().errorsByCause.quota).toBe(0);
  }, 180_000);
});
