import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { auth, calendar, type calendar_v3 } from '@googleapis/calendar';
import { gmail } from '@googleapis/gmail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/backfill-harness.ts';
import { signIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue 14's probes end to end: the emulator serves a NUL in a message's labels (one on the first page, one
 * left to the backfill) and an event whose summary holds a NUL and a lone surrogate; the real app signs in,
 * stores the first page, backfills and syncs the calendar through the real googleapis clients. Every message
 * and event is stored, the bad ones cleaned, and nothing is recorded as failed.
 * (The emulator has no admin route to serve a bad threadId or sizeEstimate; those probes are in
 * bad-google-data.test.ts, through the same parser and writes.)
 */

const USER = 'hostile@example.com';
const MAILBOX = 60;

describe('hostile values served by the emulator, through sign-in, backfill and calendar sync', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let calendarId: string;
  let badEventId: string;
  let badMessages: string[];
  /** What messages.list shows (spam and trash are not ingested). */
  let listed: number;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 14,
      latency: 'none',
      autoApprove: true,
      accounts: [{ email: USER, mailboxSize: MAILBOX }],
    });
    const oauth = new auth.OAuth2();
    oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(USER) });
    const mail = gmail({ version: 'v1', auth: oauth, rootUrl: `${emulator.url}/` });
    const ids = (
      (await mail.users.messages.list({ userId: 'me', maxResults: MAILBOX })).data.messages ?? []
    ).map((message) => message.id!);
    listed = ids.length;
    // The newest is on the first page; the oldest is left to the backfill.
    badMessages = [ids[0]!, ids.at(-1)!];
    const relabel = await fetch(`${emulator.url}/admin/gmail/${USER}/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: badMessages, add: ['Label\u0000x'] }),
    });
    expect(relabel.status).toBe(200);

    const api = calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
    calendarId = (await api.calendarList.list()).data.items![0]!.id!;
    const inserted = await fetch(
      `${emulator.url}/admin/calendar/${USER}/calendars/${encodeURIComponent(calendarId)}/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          summary: 'Stand\u0000up \ud800',
          start: { dateTime: '2026-03-02T09:00:00Z' },
          end: { dateTime: '2026-03-02T09:30:00Z' },
        }),
      },
    );
    expect(inserted.status).toBe(200);
    badEventId = ((await inserted.json()) as calendar_v3.Schema$Event).id!;

    test = await buildTestApp({ emulatorUrl: emulator.url, embeddedQueue: true });
    await signIn(test.app, USER);
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('stores every message, the ones with a NUL label cleaned', async () => {
    const db = test.database.db;
    await waitFor(
      async () => {
        const job = await db.selectFrom('ingestion_jobs').select('status').executeTakeFirst();
        return job?.status === 'complete' ? true : undefined;
      },
      45_000,
      'the backfill',
    );
    const rows = await db.selectFrom('emails').select(['message_id', 'label_ids']).execute();
    expect(rows).toHaveLength(listed);
    for (const id of badMessages) {
      expect(rows.find((row) => row.message_id === id)?.label_ids).toContain('Labelx');
    }
    expect(await db.selectFrom('ingest_failures').selectAll().execute()).toEqual([]);
  }, 60_000);

  it('stores the event with a NUL and a lone surrogate in its summary, and its neighbours', async () => {
    const db = test.database.db;
    await waitFor(
      async () => {
        const state = await db
          .selectFrom('sync_state')
          .select('cursor')
          .where('resource', '=', `calendar:${calendarId}`)
          .executeTakeFirst();
        return state?.cursor ? true : undefined;
      },
      45_000,
      'the calendar sync',
    );
    const rows = await db
      .selectFrom('calendar_events')
      .select(['google_event_id', 'summary'])
      .where('calendar_id', '=', calendarId)
      .execute();
    expect(rows.find((row) => row.google_event_id === badEventId)?.summary).toBe('Standup \uFFFD');
    expect(rows.length).toBeGreaterThan(1);
    expect(await db.selectFrom('ingest_failures').selectAll().execute()).toEqual([]);
  }, 60_000);
});
