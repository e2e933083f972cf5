import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, LogoutEverywhereResponse } from '@firstlight/contracts';
import { defaultMigrationsDir, migrate } from '@firstlight/db';
import { createTestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/session-plugin.ts';
import { SESSION_TOUCH_EVERY_MS, sessionIdOf, startSession } from '../../src/auth/session-service.ts';
import { cookiesFrom, signIn, startSignIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The issue's session probes against the real app and the emulator's OAuth: anonymous callers get 401 before
 * any validation; expired rows are pruned; an idle session ends; a sign-in rotates the browser's session;
 * "sign out everywhere" ends every session of that user and no one else's.
 */

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const DAY_MS = 24 * 3600 * 1000;
const IDLE_MS = 7 * DAY_MS;
const PRUNE_EVERY_MS = 200;

describe('sessions', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 3,
      latency: 'none',
      autoApprove: true,
      accounts: [
        { email: ALICE, mailboxSize: 60 },
        { email: BOB, mailboxSize: 60 },
      ],
    });
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      overrides: { sessions: { idleTimeoutMs: IDLE_MS, pruneEveryMs: PRUNE_EVERY_MS } },
    });
    // Both users exist from here on (sessions made directly need their rows).
    await signIn(test.app, ALICE);
    await signIn(test.app, BOB);
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  const get = (url: string, cookie?: string) =>
    test.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
  const post = (url: string, cookie?: string) =>
    test.app.inject({ method: 'POST', url, ...(cookie ? { headers: { cookie } } : {}) });
  const db = () => test.database.db;
  const userIdOf = async (email: string) =>
    (await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  /** A session made directly (another browser of the user), as the cookie the app would have set. */
  const sessionFor = async (userId: string) => {
    const { token } = await startSession(db(), userId, null);
    return {
      cookie: `${SESSION_COOKIE}=${encodeURIComponent(test.app.signCookie(token))}`,
      id: sessionIdOf(token),
    };
  };
  const setSession = (id: string, values: { last_seen_at?: Date; expires_at?: Date }) =>
    db().updateTable('sessions').set(values).where('id', '=', id).execute();
  const sessionRow = (id: string) =>
    db().selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();

  describe('authenticate before validating', () => {
    it('answers 401, not 400 with schema details, to anonymous malformed requests', async () => {
      const probes = [
        { method: 'GET' as const, url: '/api/emails?limit=abc' },
        { method: 'GET' as const, url: '/api/calendar/events?from=yesterday&to=never' },
        { method: 'GET' as const, url: '/api/calendar/busy' },
        {
          method: 'PATCH' as const,
          url: '/api/calendar/series/not-an-id/occurrences/not-a-date',
          headers: { 'content-type': 'application/json' },
          payload: '{"summary":',
        },
        {
          method: 'POST' as const,
          url: '/api/calendar/series/x/split',
          headers: { 'content-type': 'application/json' },
          payload: 'not json',
        },
        { method: 'DELETE' as const, url: '/api/calendar/series/%00' },
        { method: 'GET' as const, url: '/api/me?unexpected=1' },
        { method: 'GET' as const, url: '/api/ops/ingestions/not-a-uuid' },
        { method: 'POST' as const, url: '/auth/logout-everywhere' },
      ];
      for (const probe of probes) {
        const response = await test.app.inject(probe);
        expect(response.statusCode, `${probe.method} ${probe.url}`).toBe(401);
        const body = ApiError.parse(response.json());
        expect(body.error.code).toBe('unauthenticated');
        expect(body.error.issues).toBeUndefined();
      }
    });

    it('still validates once signed in', async () => {
      const alice = await signIn(test.app, ALICE);
      expect((await get('/api/emails?limit=abc', alice.cookie)).statusCode).toBe(400);
    });
  });

  describe('expiry, idle timeout, pruning', () => {
    it('ends a session idle for longer than the idle timeout, and keeps a used one', async () => {
      const userId = await userIdOf(ALICE);
      const idle = await sessionFor(userId);
      const used = await sessionFor(userId);
      await setSession(idle.id, { last_seen_at: new Date(Date.now() - IDLE_MS - 60_000) });
      await setSession(used.id, { last_seen_at: new Date(Date.now() - IDLE_MS + 3_600_000) });
      expect((await get('/api/me', idle.cookie)).statusCode).toBe(401);
      expect((await get('/api/me', used.cookie)).statusCode).toBe(200);
      // The request counted as use: the idle clock starts again.
      const seen = (await sessionRow(used.id))!.last_seen_at.getTime();
      expect(Date.now() - seen).toBeLessThan(SESSION_TOUCH_EVERY_MS);
    });

    it('records use at most every few minutes, not on each request', async () => {
      const session = await sessionFor(await userIdOf(ALICE));
      const recent = new Date(Date.now() - SESSION_TOUCH_EVERY_MS / 2);
      await setSession(session.id, { last_seen_at: recent });
      for (let i = 0; i < 3; i++) expect((await get('/api/me', session.cookie)).statusCode).toBe(200);
      expect((await sessionRow(session.id))!.last_seen_at).toEqual(recent);
    });

    it('ends a session past its absolute expiry even if used every day', async () => {
      const session = await sessionFor(await userIdOf(ALICE));
      await setSession(session.id, { expires_at: new Date(Date.now() - 1_000), last_seen_at: new Date() });
      expect((await get('/api/me', session.cookie)).statusCode).toBe(401);
    });

    it('prunes expired and idle rows on its schedule, and only those', async () => {
      const userId = await userIdOf(ALICE);
      const [expired, idle, live] = [
        await sessionFor(userId),
        await sessionFor(userId),
        await sessionFor(userId),
      ];
      await setSession(expired.id, { expires_at: new Date(Date.now() - 1_000) });
      await setSession(idle.id, { last_seen_at: new Date(Date.now() - IDLE_MS - 1_000) });
      // Waits on the condition: the pruner runs every PRUNE_EVERY_MS; the test's timeout bounds the wait.
      while ((await sessionRow(expired.id)) || (await sessionRow(idle.id))) {
        await new Promise((resolve) => setTimeout(resolve, PRUNE_EVERY_MS / 2));
      }
      expect(await sessionRow(live.id)).toBeDefined();
      expect((await get('/api/me', live.cookie)).statusCode).toBe(200);
    });
  });

  describe('rotation at sign-in', () => {
    it('replaces the session the browser came with by a new one; the old token gets 401', async () => {
      const before = await signIn(test.app, ALICE);
      const otherBrowser = await sessionFor(await userIdOf(ALICE));
      const { pendingCookie, callbackPath } = await startSignIn(test.app, ALICE);
      const callback = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: `${pendingCookie}; ${before.cookie}` },
      });
      expect(callback.statusCode).toBe(302);
      const after = cookiesFrom(callback.headers['set-cookie']);
      expect(after).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      expect(after).not.toBe(before.cookie);
      expect((await get('/api/me', before.cookie)).statusCode).toBe(401);
      expect((await get('/api/me', after)).statusCode).toBe(200);
      // The user's other browsers stay signed in (ending them is "sign out everywhere").
      expect((await get('/api/me', otherBrowser.cookie)).statusCode).toBe(200);
    });

    it('ends the previous user’s session when another user signs in in the same browser', async () => {
      const alice = await signIn(test.app, ALICE);
      const { pendingCookie, callbackPath } = await startSignIn(test.app, BOB);
      const callback = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: `${pendingCookie}; ${alice.cookie}` },
      });
      expect(callback.statusCode).toBe(302);
      expect((await get('/api/me', alice.cookie)).statusCode).toBe(401);
      const me = await get('/api/me', cookiesFrom(callback.headers['set-cookie']));
      expect(me.json()).toMatchObject({ user: { email: BOB } });
    });
  });

  describe('sign out everywhere', () => {
    it('ends every session of the user and no other user’s', async () => {
      const alice = await signIn(test.app, ALICE);
      const aliceId = await userIdOf(ALICE);
      const phone = await sessionFor(aliceId);
      const bob = await signIn(test.app, BOB);
      const aliceSessions = await db()
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('user_id', '=', aliceId)
        .executeTakeFirstOrThrow();

      const response = await post('/auth/logout-everywhere', alice.cookie);
      expect(response.statusCode).toBe(200);
      expect(LogoutEverywhereResponse.parse(response.json())).toEqual({
        sessionsEnded: Number(aliceSessions.count),
      });
      expect(String(response.headers['set-cookie'])).toMatch(new RegExp(`${SESSION_COOKIE}=;`));
      expect((await get('/api/me', alice.cookie)).statusCode).toBe(401);
      expect((await get('/api/me', phone.cookie)).statusCode).toBe(401);
      expect(await db().selectFrom('sessions').select('id').where('user_id', '=', aliceId).execute()).toEqual(
        [],
      );
      expect((await get('/api/me', bob.cookie)).statusCode).toBe(200);
    });
  });
});

describe('migration 0006', () => {
  it('starts the idle clock of sessions that existed before it, instead of ending them all', async () => {
    const database = await createTestDatabase({ migrated: false });
    const before = await mkdtemp(join(tmpdir(), 'migrations-'));
    try {
      for (const name of await readdir(defaultMigrationsDir)) {
        if (name < '0006') await copyFile(join(defaultMigrationsDir, name), join(before, name));
      }
      await migrate(database.db, before);
      const user = await database.db
        .insertInto('users')
        .values({ email: 'old@example.com', display_name: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      // A 20-day-old session, used daily, whose last_seen_at nothing ever updated before 0006.
      const created = new Date(Date.now() - 20 * DAY_MS);
      await database.db
        .insertInto('sessions')
        .values({
          id: 'a'.repeat(64),
          user_id: user.id,
          created_at: created,
          last_seen_at: created,
          expires_at: new Date(Date.now() + 10 * DAY_MS),
          user_agent: null,
        })
        .execute();
      await migrate(database.db);
      const row = await database.db.selectFrom('sessions').select('last_seen_at').executeTakeFirstOrThrow();
      expect(Date.now() - row.last_seen_at.getTime()).toBeLessThan(IDLE_MS);
    } finally {
      await rm(before, { recursive: true, force: true });
      await database.drop();
    }
  });
});
