import { CalendarRangeResponse } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { expand, googleInstanceId, originalStartFromGoogle } from '@firstlight/recurrence';
import { auth, calendar, type calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFullSync, storeIncremental } from '../src/calendar/calendar-store.ts';
import { toSeries } from '../src/calendar/event-dto.ts';
import { mapEvent } from '../src/providers/google-calendar/index.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { waitFor } from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/**
 * One user, two Google accounts (migrations/0007: calendar rows, cursors and write-backs are keyed by account).
 * Both accounts hold a series with the same Google event id: the range shows both, an edit of one writes back
 * to its own account's Google and changes only its own row, and a full sync of one account leaves the other's
 * rows alone. The emulator names a primary calendar by its account's email, so the two primaries differ; the
 * last test stores two accounts' copies of one shared calendar (the same calendar id and event id) through the
 * store the sync uses.
 */

const A = 'first@example.com';
const B = 'second@example.com';
const SHARED = 'sharedseries0001';
const ANCHOR = Date.UTC(2026, 2, 1);

const db = () => test.database.db;
let emulator: EmulatorHandle;
let test: TestApp;
let cookie: string;
let userId: string;
const accountIds: Record<string, string> = {};

/** The account's Google Calendar, as the test's oracle. */
async function googleOf(email: string): Promise<calendar_v3.Calendar> {
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
  return calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
}

async function accountId(email: string): Promise<string> {
  const row = await db()
    .selectFrom('accounts')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Both calendars of the account synced since `after` (a full or incremental pass stored its cursor). */
async function synced(account: string, after = new Date(0)) {
  await waitFor(
    async () => {
      const rows = await db()
        .selectFrom('sync_state')
        .select('last_synced_at')
        .where('account_id', '=', account)
        .where('resource', 'like', 'calendar:%')
        .execute();
      return rows.length === 2 && rows.every((row) => row.last_synced_at! > after) ? true : undefined;
    },
    30_000,
    `the calendar sync of ${account}`,
  );
}

async function triggerSync(account: string) {
  const queue = new EmbeddedTaskQueue({ connectionString: test.database.url });
  await queue.enqueue({
    kind: 'calendar-sync',
    queue: 'ingest-high',
    name: `calendar-sync-test-${account}-${Date.now()}`,
    payload: { accountId: account, slot: 0 },
  });
  await queue.stop();
}

const sharedRow = (account: string) =>
  db()
    .selectFrom('calendar_events')
    .selectAll()
    .where('account_id', '=', account)
    .where('google_event_id', '=', SHARED)
    .executeTakeFirstOrThrow();

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seed: 16,
    latency: 'none',
    autoApprove: true,
    anchor: ANCHOR,
    accounts: [
      { email: A, mailboxSize: 5 },
      { email: B, mailboxSize: 5 },
    ],
  });
  // The same Google event id in both accounts' primary calendars, with different titles.
  for (const email of [A, B]) {
    const response = await fetch(`${emulator.url}/admin/calendar/${email}/calendars/${email}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: SHARED,
        summary: `weekly of ${email}`,
        start: { dateTime: '2026-03-02T09:00:00+01:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-03-02T09:30:00+01:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
      }),
    });
    expect(response.status).toBe(200);
  }
  test = await buildTestApp({ emulatorUrl: emulator.url, embeddedQueue: true });
  cookie = (await signIn(test.app, A)).cookie;
  accountIds[A] = await accountId(A);
  await synced(accountIds[A]);
  // The second account, stored by the sign-in's own repository (its refresh token sealed to its account id),
  // then attached to the first user as "add another account" does; its calendars synced again under that user.
  await signIn(test.app, B);
  accountIds[B] = await accountId(B);
  await synced(accountIds[B]);
  const first = await db()
    .selectFrom('accounts')
    .select('user_id')
    .where('id', '=', accountIds[A])
    .executeTakeFirstOrThrow();
  userId = first.user_id;
  await db().updateTable('accounts').set({ user_id: userId }).where('id', '=', accountIds[B]).execute();
  await db().deleteFrom('calendar_events').where('account_id', '=', accountIds[B]).execute();
  await db().deleteFrom('sync_state').where('account_id', '=', accountIds[B]).execute();
  await triggerSync(accountIds[B]);
  await synced(accountIds[B]);
}, 90_000);
afterAll(async () => {
  await test?.close();
  await emulator?.close();
});

describe('calendar: several Google accounts of one user', () => {
  it("returns every account's events in the range, both copies of the shared event id included", async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: '/api/calendar/events?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z',
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const page = CalendarRangeResponse.parse(response.json());
    const shared = page.events.filter((event) => event.googleEventId === SHARED);
    expect(shared.map((event) => [event.calendarId, event.summary]).sort()).toEqual([
      [A, `weekly of ${A}`],
      [B, `weekly of ${B}`],
    ]);
    expect(new Set(page.events.map((event) => event.calendarId)).size).toBe(4);
  });

  it("writes an edit back to the event's own account only, and changes only its own row", async () => {
    const google = { [A]: await googleOf(A), [B]: await googleOf(B) };
    for (const [edited, other] of [
      [A, B],
      [B, A],
    ] as const) {
      const row = await sharedRow(accountIds[edited]!);
      const untouched = await sharedRow(accountIds[other]!);
      // A different occurrence per round, so the other round's cancellation tells nothing.
      const key = expand(toSeries(row), new Date(ANCHOR), new Date(ANCHOR + 90 * 86_400_000))[
        edited === A ? 2 : 4
      ]!.originalStart;
      const response = await test.app.inject({
        method: 'POST',
        url: `/api/calendar/series/${row.id}/occurrences/${key}/cancel`,
        headers: { cookie },
      });
      expect(response.statusCode).toBe(200);
      await waitFor(
        async () => {
          const outbox = await db()
            .selectFrom('writeback_outbox')
            .selectAll()
            .where('calendar_event_id', '=', row.id)
            .executeTakeFirst();
          return outbox?.status === 'done' ? outbox : undefined;
        },
        30_000,
        'the write-back',
      );
      const outbox = await db()
        .selectFrom('writeback_outbox')
        .selectAll()
        .where('calendar_event_id', '=', row.id)
        .executeTakeFirstOrThrow();
      expect(outbox.account_id).toBe(accountIds[edited]);
      const instanceId = googleInstanceId(SHARED, key)!;
      const mine = await google[edited]!.events.get({ calendarId: edited, eventId: instanceId });
      const theirs = await google[other]!.events.get({ calendarId: other, eventId: instanceId });
      expect(mine.data.status).toBe('cancelled');
      expect(theirs.data.status).not.toBe('cancelled');
      expect((await sharedRow(accountIds[edited]!)).exceptions.cancelled).toEqual([key]);
      expect((await sharedRow(accountIds[other]!)).exceptions).toEqual(untouched.exceptions);
    }
  });

  it("keeps the other account's rows through a full sync (expired tokens) of one account", async () => {
    const rowsOf = (account: string) =>
      db()
        .selectFrom('calendar_events')
        .select(['id', 'google_event_id', 'exceptions', 'updated_at'])
        .where('account_id', '=', account)
        .orderBy('id')
        .execute();
    const before = { a: await rowsOf(accountIds[A]!), b: await rowsOf(accountIds[B]!) };
    expect(before.b.length).toBeGreaterThan(0);
    const started = new Date();
    const response = await fetch(`${emulator.url}/admin/calendar/${A}/invalidate-sync-tokens`, {
      method: 'POST',
    });
    expect(response.status).toBe(204);
    await triggerSync(accountIds[A]!);
    await synced(accountIds[A]!, started);
    expect(await rowsOf(accountIds[B]!)).toEqual(before.b);
    expect((await rowsOf(accountIds[A]!)).map((row) => row.id)).toEqual(before.a.map((row) => row.id));
  });

  it("stores two accounts' copies of one shared calendar (same calendar and event id) apart", async () => {
    const calendarId = 'team@group.calendar.google.com';
    const event = (summary: string) =>
      mapEvent(
        {
          id: SHARED,
          summary,
          start: { dateTime: '2026-03-03T10:00:00Z' },
          end: { dateTime: '2026-03-03T11:00:00Z' },
          recurrence: ['RRULE:FREQ=DAILY;COUNT=5'],
        },
        'UTC',
      );
    const owner = (email: string) => ({ accountId: accountIds[email]!, userId });
    await storeFullSync(db(), { owner: owner(A), calendarId, mapped: [event('seen by A')], syncToken: 'a1' });
    await storeFullSync(db(), { owner: owner(B), calendarId, mapped: [event('seen by B')], syncToken: 'b1' });
    const copies = () =>
      db()
        .selectFrom('calendar_events')
        .select(['account_id', 'summary', 'exceptions'])
        .where('calendar_id', '=', calendarId)
        .orderBy('summary')
        .execute();
    expect((await copies()).map((row) => row.summary)).toEqual(['seen by A', 'seen by B']);

    // An occurrence change seen by A folds into A's copy only.
    const instance = {
      id: `${SHARED}_20260304T100000Z`, // Google's instance id: <master>_<original start>
      recurringEventId: SHARED,
      status: 'cancelled',
      originalStartTime: { dateTime: '2026-03-04T10:00:00Z' },
    };
    await storeIncremental(db(), {
      owner: owner(A),
      calendarId,
      mapped: [mapEvent(instance, 'UTC')],
      syncToken: 'a2',
    });
    const [a, b] = await copies();
    expect(a!.exceptions.cancelled).toEqual([originalStartFromGoogle(instance.originalStartTime)]);
    expect(b!.exceptions.cancelled).toEqual([]);

    // A full sync of A in which the calendar is empty removes A's copy, not B's.
    await storeFullSync(db(), { owner: owner(A), calendarId, mapped: [], syncToken: 'a3' });
    expect((await copies()).map((row) => [row.account_id, row.summary])).toEqual([
      [accountIds[B], 'seen by B'],
    ]);
  });
});
