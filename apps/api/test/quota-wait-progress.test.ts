import { MeResponse, type ServerMessage, ServerMessage as ServerMessageSchema } from '@firstlight/contracts';
import type { EmulatorHandle } from '@firstlight/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig, withQuotaOfBackfill } from '../src/config.ts';
import { backfillConfig, WINDOW_MS, waitFor } from './support/backfill-harness.ts';
import { localGoogle } from './support/local-google.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'quota-wait@example.com';
// Three batches of 1,000; the day's budget covers the first page and part of one batch, never the mailbox.
const MAILBOX = 3_000;
const DAILY_UNITS = '2000';

/** The next UTC midnight after `now`. */
const nextUtcMidnight = (now: Date) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

describe('progress when the day’s Google quota budget is spent', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  beforeAll(async () => {
    emulator = await localGoogle([{ email: USER, mailboxSize: MAILBOX }], { seed: 17, windowMs: WINDOW_MS });
    // GMAIL_DAILY_UNITS as an operator sets it; the scheduler's window scaled like the backfill's.
    const base = loadConfig({ GMAIL_DAILY_UNITS: DAILY_UNITS });
    const quota = withQuotaOfBackfill({ ...base, backfill: backfillConfig() }).quota;
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: { backfill: backfillConfig(), quota },
    });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('says the rest waits for tomorrow’s quota, and when, in /api/me, the snapshot and a quota_wait message', async () => {
    const session = await signIn(test.app, USER);
    const address = test.app.server.address() as { port: number };
    const live = new WebSocket(`ws://127.0.0.1:${address.port}/ws`, { headers: { cookie: session.cookie } });
    const messages: ServerMessage[] = [];
    live.on('message', (data) => messages.push(ServerMessageSchema.parse(JSON.parse(data.toString()))));

    // The WebSocket of the open page hears of the deferral as it happens.
    const announced = await waitFor(
      async () => messages.find((m) => m.type === 'quota_wait' && m.quotaWait !== null),
      60_000,
      'a quota_wait message',
    );
    const midnight = nextUtcMidnight(new Date()).getTime();
    if (announced.type !== 'quota_wait' || !announced.quotaWait) throw new Error('unreachable');
    expect(announced.quotaWait.reason).toBe('daily_budget');
    // Due at the next UTC day's start (the deferral's delay runs to it; a few ms of statement time after).
    expect(new Date(announced.quotaWait.resumesAt).getTime() - midnight).toBeGreaterThanOrEqual(0);
    expect(new Date(announced.quotaWait.resumesAt).getTime() - midnight).toBeLessThan(60_000);

    // Once nothing runs any more, every unfinished batch waits: /api/me says so for the whole rest.
    const me = await waitFor(
      async () => {
        const response = await test.app.inject({
          method: 'GET',
          url: '/api/me',
          headers: { cookie: session.cookie },
        });
        const body = MeResponse.parse(response.json());
        return body.ingestion?.quotaWait?.everything ? body : undefined;
      },
      60_000,
      'every remaining batch to wait for tomorrow',
    );
    const ingestion = me.ingestion!;
    expect(ingestion.ingested).toBeLessThan(MAILBOX);
    expect(ingestion.quotaWait).toMatchObject({ reason: 'daily_budget', everything: true });
    // The deferred batches, as the database holds them: nothing of the job runs or is due today.
    const { db } = test.database;
    const batches = await db.selectFrom('ingestion_batches').selectAll().execute();
    const deferred = batches.filter(
      (b) => b.status === 'enqueued' && b.last_error === "waiting for tomorrow's quota",
    );
    expect(ingestion.quotaWait?.batches).toBe(deferred.length);
    expect(batches.filter((b) => b.status === 'running')).toEqual([]);
    expect(deferred.every((b) => b.not_before !== null && b.not_before.getTime() >= midnight)).toBe(true);
    expect(me.accounts[0]?.ingestion?.quotaWait).toEqual(ingestion.quotaWait);

    // A page opened now learns it from its first snapshot.
    const fresh = new WebSocket(`ws://127.0.0.1:${address.port}/ws`, { headers: { cookie: session.cookie } });
    const snapshot = await new Promise<ServerMessage>((resolve, reject) => {
      fresh.once('message', (data) => resolve(ServerMessageSchema.parse(JSON.parse(data.toString()))));
      fresh.once('error', reject);
    });
    fresh.close();
    live.close();
    expect(snapshot.type).toBe('snapshot');
    if (snapshot.type !== 'snapshot') return;
    expect(snapshot.ingestion?.quotaWait).toEqual(ingestion.quotaWait);
  }, 150_000);
});
