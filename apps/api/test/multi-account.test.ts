import {
  CalendarRangeResponse,
  EMAIL_PAGE_MAX,
  EmailListResponse,
  type EmailSummary,
  LogoutEverywhereResponse,
  MeResponse,
} from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { auth, calendar } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillConfig, mailboxIds, waitFor } from './support/backfill-harness.ts';
import { cookiesFrom, signIn, startSignIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const FIRST = 'first@example.com';
const SECOND = 'second@example.com';
const STRANGER = 'stranger@example.com';
const ANCHOR = Date.UTC(2026, 2, 1);
const FROM = new Date(Date.UTC(2025, 8, 1)).toISOString();
const TO = new Date(Date.UTC(2026, 8, 1)).toISOString();

/** "Add another Google account": the signed-in browser (`cookie`) runs the OAuth dance with `intent=add_account`. */
async function addAccount(test: TestApp, cookie: string, email: string) {
  const { pendingCookie, callbackPath } = await startSignIn(test.app, email, {
    intent: 'add_account',
    cookie,
  });
  return test.app.inject({
    method: 'GET',
    url: callbackPath,
    headers: { cookie: `${cookie}; ${pendingCookie}` },
  });
}

describe('several Google accounts per user', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let cookie: string;

  const get = async (url: string, as = cookie) => {
    const response = await test.app.inject({ method: 'GET', url, headers: { cookie: as } });
    expect(response.statusCode, url).toBe(200);
    return response.json() as unknown;
  };
  const accountIdOf = async (email: string) =>
    (
      await test.database.db
        .selectFrom('accounts')
        .select('id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow()
    ).id;
  const calendarsOf = async (email: string) => {
    const oauth = new auth.OAuth2();
    oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
    const api = calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
    return (await api.calendarList.list()).data.items ?? [];
  };

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 31,
      latency: 'none',
      autoApprove: true,
      anchor: ANCHOR,
      quota: { windowMs: 600 },
      accounts: [
        { email: FIRST, mailboxSize: 1_400 },
        { email: SECOND, mailboxSize: 900 },
        { email: STRANGER, mailboxSize: 30 },
      ],
    });
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: { backfill: backfillConfig() },
    });
    cookie = (await signIn(test.app, FIRST)).cookie;
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('refuses to add an account without a session', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/auth/google?intent=add_account' });
    expect(response.statusCode).toBe(401);
  });

  it('refuses the callback of an add started by a user no longer signed in there, storing nothing', async () => {
    const { pendingCookie, callbackPath } = await startSignIn(test.app, SECOND, {
      intent: 'add_account',
      cookie,
    });
    // The browser signed out (or another user signed in) between the start and Google's redirect back.
    const response = await test.app.inject({
      method: 'GET',
      url: callbackPath,
      headers: { cookie: pendingCookie },
    });
    expect(response.statusCode).toBe(401);
    const added = await test.database.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', SECOND)
      .execute();
    expect(added).toEqual([]);
  });

  it('attaches the second account to the signed-in user, keeping the session', async () => {
    const response = await addAccount(test, cookie, SECOND);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/inbox');
    // No new session: the browser stays signed in with the one it has.
    expect(cookiesFrom(response.headers['set-cookie'])).not.toMatch(/fl_session=/);
    const owners = await test.database.db
      .selectFrom('accounts')
      .innerJoin('users', 'users.id', 'accounts.user_id')
      .select(['accounts.email as account', 'users.email as user'])
      .orderBy('accounts.created_at')
      .execute();
    expect(owners).toEqual([
      { account: FIRST, user: FIRST },
      { account: SECOND, user: FIRST },
    ]);
    // The added account has a first page already, as a first sign-in does.
    const page = EmailListResponse.parse(await get(`/api/emails?limit=${EMAIL_PAGE_MAX}`));
    expect(new Set(page.emails.map((email) => email.accountId))).toEqual(
      new Set([await accountIdOf(FIRST), await accountIdOf(SECOND)]),
    );
  });

  it('backfills both mailboxes; the inbox merges them newest first, each message with its account', async () => {
    const { db } = test.database;
    await waitFor(
      async () => {
        const jobs = await db.selectFrom('ingestion_jobs').select('status').execute();
        return jobs.length === 2 && jobs.every((job) => job.status === 'complete') ? true : undefined;
      },
      120_000,
      'both mailbox jobs to complete',
    );
    const emails: EmailSummary[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = EmailListResponse.parse(await get(`/api/emails?limit=${EMAIL_PAGE_MAX}${query}`));
      emails.push(...page.emails);
      cursor = page.nextCursor;
    } while (cursor);

    const [first, second] = [await accountIdOf(FIRST), await accountIdOf(SECOND)];
    const idsOf = (accountId: string) =>
      new Set(emails.filter((email) => email.accountId === accountId).map((email) => email.id));
    expect(idsOf(first)).toEqual(new Set(await mailboxIds(emulator, FIRST)));
    expect(idsOf(second)).toEqual(new Set(await mailboxIds(emulator, SECOND)));
    const dates = emails.map((email) => Date.parse(email.internalDate));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    // Merged, not concatenated: the newest hundred holds both accounts' mail.
    expect(new Set(emails.slice(0, 100).map((email) => email.accountId))).toEqual(new Set([first, second]));
  }, 150_000);

  it('lists both accounts on /api/me, oldest first, each with its own progress complete', async () => {
    const me = MeResponse.parse(await get('/api/me'));
    expect(me.user.email).toBe(FIRST);
    expect(me.accounts.map((account) => account.email)).toEqual([FIRST, SECOND]);
    for (const account of me.accounts) {
      const total = (await mailboxIds(emulator, account.email)).length;
      expect(account.ingestion, account.email).toMatchObject({
        accountId: account.id,
        status: 'complete',
        total,
        ingested: total,
      });
    }
  });

  it("returns both accounts' events from the calendar range API", async () => {
    const { db } = test.database;
    for (const email of [FIRST, SECOND]) {
      const calendars = await calendarsOf(email);
      const accountId = await accountIdOf(email);
      await waitFor(
        async () => {
          const rows = await db
            .selectFrom('sync_state')
            .select('resource')
            .where('account_id', '=', accountId)
            .where('resource', 'like', 'calendar:%')
            .where('cursor', 'is not', null)
            .execute();
          return rows.length === calendars.length ? true : undefined;
        },
        60_000,
        `the calendar sync of ${email}`,
      );
    }
    const range = CalendarRangeResponse.parse(await get(`/api/calendar/events?from=${FROM}&to=${TO}`));
    const rows = await db.selectFrom('calendar_events').select(['id', 'account_id']).execute();
    const accountOf = new Map(rows.map((row) => [row.id, row.account_id]));
    const accounts = new Set(range.events.map((event) => accountOf.get(event.id)));
    expect(accounts).toEqual(new Set([await accountIdOf(FIRST), await accountIdOf(SECOND)]));
  }, 90_000);

  it('signs the second account in as the user who owns it', async () => {
    const session = await signIn(test.app, SECOND);
    const me = MeResponse.parse(await get('/api/me', session.cookie));
    expect(me.user.email).toBe(FIRST);
    expect(me.accounts).toHaveLength(2);
    expect(await test.database.db.selectFrom('users').select('email').execute()).toEqual([{ email: FIRST }]);
  });

  it("refuses to add an account that is another user's, and moves nothing", async () => {
    const stranger = await signIn(test.app, STRANGER);
    const response = await addAccount(test, stranger.cookie, SECOND);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/?signin_error=account_in_use');
    const owner = await test.database.db
      .selectFrom('accounts')
      .innerJoin('users', 'users.id', 'accounts.user_id')
      .select('users.email')
      .where('accounts.email', '=', SECOND)
      .executeTakeFirstOrThrow();
    expect(owner.email).toBe(FIRST);
    const me = MeResponse.parse(await get('/api/me', stranger.cookie));
    expect(me.accounts.map((account) => account.email)).toEqual([STRANGER]);
  });

  it('signs out everywhere: every session of the user, whichever account it signed in with', async () => {
    const second = await signIn(test.app, SECOND);
    const response = await test.app.inject({
      method: 'POST',
      url: '/auth/logout-everywhere',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(LogoutEverywhereResponse.parse(response.json()).sessionsEnded).toBeGreaterThanOrEqual(2);
    for (const as of [cookie, second.cookie]) {
      const me = await test.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: as } });
      expect(me.statusCode).toBe(401);
    }
  });
});
