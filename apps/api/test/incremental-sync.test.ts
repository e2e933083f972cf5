import { type ServerMessage, ServerMessage as ServerMessageSchema } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { auth, gmail } from '@googleapis/gmail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.ts';
import { mailboxIds, waitFor } from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'sync@example.com';
const MAILBOX = 300;
const WINDOW_MS = 600;
// The poll under test: a sync task per account per slot, so new mail lands within about a second.
const SYNC_EVERY_MS = 400;

/** The real Gmail client against the emulator: the oracle for what the store must hold. */
async function oracle(emulator: EmulatorHandle) {
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(USER) });
  const api = gmail({ version: 'v1', auth: oauth, rootUrl: `${emulator.url}/` });
  const ids = await mailboxIds(emulator, USER);
  const { data: profile } = await api.users.getProfile({ userId: 'me' });
  return { ids: new Set(ids), historyId: profile.historyId! };
}

describe('incremental sync after the backfill', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 23,
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
          syncEveryMs: SYNC_EVERY_MS,
        },
      },
    });
    await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  const storedIds = async () =>
    new Set(
      (await test.database.db.selectFrom('emails').select('message_id').execute()).map((r) => r.message_id),
    );
  const cursor = async () =>
    (
      await test.database.db
        .selectFrom('sync_state')
        .selectAll()
        .where('resource', '=', 'gmail')
        .executeTakeFirst()
    )?.cursor ?? null;
  /** Waits until the store holds exactly the oracle's ids and the cursor is the mailbox's historyId. */
  const converged = (expected: { ids: Set<string>; historyId: string }, what: string) =>
    waitFor(
      async () => {
        const stored = await storedIds();
        const same = stored.size === expected.ids.size && [...stored].every((id) => expected.ids.has(id));
        return same && (await cursor()) === expected.historyId ? stored : undefined;
      },
      20_000,
      what,
    );
  const historyCalls = async (status: string) => {
    const metric = await test.app.metrics.gmailCalls.get();
    return metric.values
      .filter((value) => value.labels.method === 'history.list' && value.labels.status === status)
      .reduce((sum, value) => sum + value.value, 0);
  };

  it('applies new and deleted mail from history, then re-lists after history expires', async () => {
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
      60_000,
      'the backfill to complete',
    );
    const start = await oracle(emulator);
    await converged(start, 'the backfill to match the mailbox');
    expect(BigInt(job.start_history_id!)).toBeLessThanOrEqual(BigInt(start.historyId));
    const before = (await cursor())!;

    // Elsewhere, in one tick (no sync can run between): 7 new messages, 3 stored ones deleted.
    const doomed = [...(await storedIds())].sort().slice(0, 3);
    const delivered = emulator.admin.gmail.deliver(USER, 7);
    expect(emulator.admin.gmail.deleteMessages(USER, doomed)).toHaveLength(3);
    const afterChanges = await oracle(emulator);
    for (const id of doomed) expect(afterChanges.ids.has(id)).toBe(false);
    const newIds = delivered.map((message) => message.id).filter((id) => afterChanges.ids.has(id));
    expect(newIds.length).toBeGreaterThan(0);

    const stored = await converged(afterChanges, 'history sync to apply the changes');
    expect(stored.size).toBe(start.ids.size + newIds.length - 3);
    expect(BigInt((await cursor())!)).toBeGreaterThan(BigInt(before));
    await waitFor(
      async () => {
        const synced = messages.filter((m) => m.type === 'emails_ready' && m.jobId === null);
        const count = synced.reduce((sum, m) => sum + (m.type === 'emails_ready' ? m.count : 0), 0);
        return count === newIds.length ? true : undefined;
      },
      5_000,
      'emails_ready for the synced mail',
    );
    expect(await historyCalls('not_found')).toBe(0);

    // History is lost (Google keeps it for days, sometimes hours), then 2 more messages arrive.
    emulator.admin.gmail.expireHistory(USER);
    const late = emulator.admin.gmail.deliver(USER, 2);
    const afterExpiry = await oracle(emulator);
    const lateIds = late.map((message) => message.id).filter((id) => afterExpiry.ids.has(id));

    const relisted = await converged(afterExpiry, 'the bounded re-list to catch up');
    for (const id of lateIds) expect(relisted.has(id)).toBe(true);
    expect(relisted.size).toBe(stored.size + lateIds.length);
    expect(await historyCalls('not_found')).toBeGreaterThanOrEqual(1);
    const state = await db
      .selectFrom('sync_state')
      .selectAll()
      .where('resource', '=', 'gmail')
      .executeTakeFirstOrThrow();
    expect(state.last_synced_at).not.toBeNull();

    // Quiet mailbox: later polls change nothing and keep the cursor.
    await new Promise((resolve) => setTimeout(resolve, SYNC_EVERY_MS * 3));
    expect(await cursor()).toBe(afterExpiry.historyId);
    expect((await storedIds()).size).toBe(relisted.size);

    // The user revokes access: the next sync marks the account, and the poll leaves it alone.
    await emulator.admin.revokeAccount(USER);
    await emulator.admin.expireAccessTokens(USER);
    emulator.admin.gmail.deliver(USER, 1);
    const account = await waitFor(
      async () => {
        const row = await db.selectFrom('accounts').selectAll().executeTakeFirst();
        return row?.status === 'needs_reauth' ? row : undefined;
      },
      10_000,
      'the account to need sign-in',
    );
    expect(account.status).toBe('needs_reauth');
    const afterRevoke = await db
      .selectFrom('sync_state')
      .selectAll()
      .where('resource', '=', 'gmail')
      .executeTakeFirstOrThrow();
    expect(afterRevoke.last_error).toMatch(/^reauth_required/);
    expect(await cursor()).toBe(afterExpiry.historyId);
    socket.close();
    expect(emulator.admin.stats().errorsByCause.quota).toBe(0);
  }, 120_000);
});
