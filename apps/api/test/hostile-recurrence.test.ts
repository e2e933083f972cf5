import { BusyResponse, CalendarRangeResponse } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { expand } from '@firstlight/recurrence';
import { auth, calendar } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSeries } from '../src/calendar/event-dto.ts';
import { waitFor } from './support/backfill-harness.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

/**
 * Issue 15: anyone who can put an event into a user's calendar (an invitation) can send a rule that expands to
 * millions of occurrences. Synced from Google beside the generated calendar, such series must be stored, and
 * free/busy, the range API and occurrence edits over them must answer from the engine's work budget instead of
 * holding the event loop. The emulator stays away from these rules' expansion (its own `rrule` hangs on some):
 * the test never lists them with singleEvents=true and edits only occurrences next to DTSTART.
 */
const USER = 'hostile@example.com';
const ANCHOR = Date.UTC(2026, 2, 1);
/** The SECONDLY series start here (UTC: 10,000,000 local seconds are 10,000,000 s, no DST gap). */
const SECONDLY_START = Date.UTC(2026, 2, 9, 8, 0, 0);
// Enough of them that the whole computation dwarfs one slice, one GC pause or one preemption of the process.
const SECONDLY_COPIES = 100;
const FROM = new Date(Date.UTC(2026, 2, 9));
const TO = new Date(Date.UTC(2026, 2, 11));

const hostile = [
  ...Array.from({ length: SECONDLY_COPIES }, (_, i) => ({
    id: `hostilesec${i}`,
    start: new Date(SECONDLY_START + i * 60_000),
    durationMs: 1000,
    recurrence: ['RRULE:FREQ=SECONDLY;COUNT=10000000'],
  })),
  // Past the budget within the window, but its COUNT ends (5 h 33 min 20 s) before the window does.
  {
    id: 'hostilesec20k',
    start: new Date(Date.UTC(2026, 7, 10, 8)),
    durationMs: 1000,
    recurrence: ['RRULE:FREQ=SECONDLY;COUNT=20000'],
  },
  // The issue's hang: one occurrence a year, 2025-12-01T07:00Z, from a MINUTELY rule.
  {
    id: 'hostilemin',
    start: new Date(Date.UTC(2024, 11, 29, 9)),
    durationMs: 60_000,
    recurrence: ['RRULE:FREQ=MINUTELY;BYYEARDAY=335;BYHOUR=7'],
  },
  // BYSETPOS beyond any possible set: never an occurrence (took ~2.5 s per expansion before).
  {
    id: 'hostilepos',
    start: new Date(Date.UTC(2026, 2, 9, 12)),
    durationMs: 3_600_000,
    recurrence: ['RRULE:FREQ=MONTHLY;BYSETPOS=3;BYDAY=3WE'],
  },
];
const HOSTILE_IDS = hostile.map((h) => h.id);
// Google event ids are base32hex (a-v, 0-9): the ids above are written in it.

/** Merged [start, end) intervals, clipped to the window (what /api/calendar/busy answers). */
function merge(intervals: [number, number][], from: Date, to: Date): [number, number][] {
  const merged: [number, number][] = [];
  const clipped = intervals
    .map(([a, b]): [number, number] => [Math.max(a, from.getTime()), Math.min(b, to.getTime())])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  for (const interval of clipped) {
    const last = merged.at(-1);
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push([...interval]);
  }
  return merged;
}

describe('hostile recurrence rules synced from Google: stored, answered from the work budget, loop not held', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let cookie: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 15,
      latency: 'none',
      autoApprove: true,
      anchor: ANCHOR,
      accounts: [{ email: USER, mailboxSize: 20 }],
    });
    // In the primary calendar, beside its generated series and singles, before the first sync.
    for (const h of hostile) {
      const response = await fetch(`${emulator.url}/admin/calendar/${USER}/calendars/${USER}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: h.id,
          summary: `hostile ${h.id}`,
          start: { dateTime: h.start.toISOString(), timeZone: 'UTC' },
          end: { dateTime: new Date(h.start.getTime() + h.durationMs).toISOString(), timeZone: 'UTC' },
          recurrence: h.recurrence,
        }),
      });
      expect(response.status, await response.text()).toBe(200);
    }
    const summary = (await (await fetch(`${emulator.url}/admin/calendar/${USER}`)).json()) as {
      calendars: { id: string }[];
    };
    test = await buildTestApp({ emulatorUrl: emulator.url, embeddedQueue: true });
    cookie = (await signIn(test.app, USER)).cookie;
    await waitFor(
      async () => {
        const rows = await test.database.db
          .selectFrom('sync_state')
          .select('resource')
          .where('resource', 'like', 'calendar:%')
          .where('cursor', 'is not', null)
          .execute();
        return rows.length === summary.calendars.length ? true : undefined;
      },
      30_000,
      'the calendar sync',
    );
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  /** Busy intervals of every non-hostile event, expanded by the engine (calendar.test.ts checks it on Google). */
  async function othersBusy(from: Date, to: Date): Promise<[number, number][]> {
    const others = await test.database.db
      .selectFrom('calendar_events')
      .selectAll()
      .where('google_event_id', 'not in', HOSTILE_IDS)
      .where('status', '!=', 'cancelled')
      .execute();
    const intervals: [number, number][] = [];
    for (const row of others) {
      if (row.kind === 'single') intervals.push([row.start_at.getTime(), row.end_at.getTime()]);
      else
        for (const o of expand(toSeries(row), from, to, { window: 'overlap' }))
          intervals.push([o.start.getTime(), o.end.getTime()]);
    }
    return intervals;
  }

  const busyOver = async (from: Date, to: Date) => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/calendar/busy?from=${from.toISOString()}&to=${to.toISOString()}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    return BusyResponse.parse(response.json()).busy.map((b): [number, number] => [
      Date.parse(b.start),
      Date.parse(b.end),
    ]);
  };

  it('stores every event of the calendar, the hostile series with their exact bounds', async () => {
    // Google's own list (singleEvents=false): every master and single is one row; exceptions fold in.
    const oauth = new auth.OAuth2();
    oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(USER) });
    const api = calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
    let expected = 0;
    for (const entry of (await api.calendarList.list()).data.items ?? []) {
      let pageToken: string | undefined;
      do {
        const { data } = await api.events.list({ calendarId: entry.id!, maxResults: 2500, pageToken });
        expected += (data.items ?? []).filter((event) => !event.recurringEventId).length;
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
    }
    const rows = await test.database.db
      .selectFrom('calendar_events')
      .select(['google_event_id', 'series_start', 'series_end', 'kind'])
      .execute();
    expect(rows.length).toBe(expected);
    const failures = await test.database.db.selectFrom('ingest_failures').selectAll().execute();
    expect(failures).toEqual([]);

    const byId = new Map(rows.map((row) => [row.google_event_id, row]));
    for (let i = 0; i < SECONDLY_COPIES; i++) {
      const row = byId.get(`hostilesec${i}`)!;
      const start = SECONDLY_START + i * 60_000;
      expect(row.kind).toBe('series');
      expect(row.series_start?.getTime()).toBe(start);
      // The 10,000,000th second starts 9,999,999 s after DTSTART and lasts one second.
      expect(row.series_end?.getTime()).toBe(start + 10_000_000_000);
    }
    expect(byId.get('hostilesec20k')!.series_end?.getTime()).toBe(Date.UTC(2026, 7, 10, 8) + 20_000_000);
    expect(byId.get('hostilemin')!.series_start?.toISOString()).toBe('2025-12-01T07:00:00.000Z');
    expect(byId.get('hostilemin')!.series_end).toBeNull();
    // Never an occurrence: a series of nothing, stored so that the next sync of it is an update.
    expect(byId.get('hostilepos')!.kind).toBe('series');
  });

  it('serves the range over them (rows as stored, the browser expands)', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/calendar/events?from=${FROM.toISOString()}&to=${TO.toISOString()}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const page = CalendarRangeResponse.parse(response.json());
    const ids = page.events.map((event) => event.googleEventId);
    for (let i = 0; i < SECONDLY_COPIES; i++) expect(ids).toContain(`hostilesec${i}`);
    expect(ids).toContain('hostilemin'); // unbounded: every window holds it
  });

  it('answers free/busy from the budget: past it, the rest of the window is busy', async () => {
    const busy = await busyOver(FROM, TO);
    const intervals = await othersBusy(FROM, TO);
    // The SECONDLY series: one-second occurrences back to back from 08:00, then past the budget (10,000
    // occurrences) busy to the window's end. The MINUTELY and BYSETPOS series have nothing in the window.
    intervals.push([SECONDLY_START, TO.getTime()]);
    expect(busy).toEqual(merge(intervals, FROM, TO));
    expect(busy.at(-1)).toEqual([expect.any(Number), TO.getTime()]);
  });

  it('counts a series past the budget busy only until its own end', async () => {
    const from = new Date(Date.UTC(2026, 7, 10));
    const to = new Date(Date.UTC(2026, 7, 12));
    const start = Date.UTC(2026, 7, 10, 8);
    const intervals = await othersBusy(from, to);
    // 10,000 occurrences within the budget, then busy to the 20,000th second's end, not to the window's.
    intervals.push([start, start + 20_000_000]);
    expect(await busyOver(from, to)).toEqual(merge(intervals, from, to));
  });

  it('keeps /healthz answering while free/busy works through the hostile series', async () => {
    // A blocking expansion holds the loop for the whole computation, so a /healthz issued meanwhile waits
    // about as long as the busy request itself. Budgeted series and a yield between slices bound each
    // /healthz to a slice. Compared with the request's own duration, not with a number of milliseconds.
    const url = await test.app.listen({ port: 0, host: '127.0.0.1' });
    const started = performance.now();
    let done = false;
    const busyRequest = test.app
      .inject({
        method: 'GET',
        url: `/api/calendar/busy?from=${FROM.toISOString()}&to=${TO.toISOString()}`,
        headers: { cookie },
      })
      .finally(() => {
        done = true;
      });
    const latencies: number[] = [];
    let answeredBeforeBusy = 0;
    while (!done) {
      const t = performance.now();
      // Over a socket, as a load balancer asks: its answer needs the event loop's I/O phase.
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      await health.arrayBuffer();
      latencies.push(performance.now() - t);
      if (!done) answeredBeforeBusy++;
    }
    const response = await busyRequest;
    const busyMs = performance.now() - started;
    expect(response.statusCode).toBe(200);
    expect(answeredBeforeBusy).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(busyMs / 2);
  });

  it('edits occurrences of hostile series with an answer, never a 500', async () => {
    const db = test.database.db;
    const idOf = async (googleId: string) =>
      (
        await db
          .selectFrom('calendar_events')
          .select('id')
          .where('google_event_id', '=', googleId)
          .executeTakeFirstOrThrow()
      ).id;
    const secondly = await idOf('hostilesec0');
    const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

    // An occurrence next to DTSTART: the edit is checked within a one-second window, under the budget.
    const cancel = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${secondly}/occurrences/${at(SECONDLY_START + 5000)}/cancel`,
      headers: { cookie },
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const patch = await test.app.inject({
      method: 'PATCH',
      url: `/api/calendar/series/${secondly}/occurrences/${at(SECONDLY_START + 10_000)}`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ summary: 'still one second' }),
    });
    expect(patch.statusCode, patch.body).toBe(200);
    // The BYSETPOS series has no occurrence at all, the MINUTELY one none off the minute: 404s, not 500s.
    const between = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${await idOf('hostilepos')}/occurrences/${at(Date.UTC(2026, 2, 18, 12))}/cancel`,
      headers: { cookie },
    });
    expect(between.statusCode, between.body).toBe(404);
    const notMinute = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${await idOf('hostilemin')}/occurrences/2025-12-01T07:00:30Z/cancel`,
      headers: { cookie },
    });
    expect(notMinute.statusCode, notMinute.body).toBe(404);
    // Splitting a day in: counting the 86,400 occurrences before the split is past the budget.
    const split = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${secondly}/split`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ from: at(SECONDLY_START + 86_400_000) }),
    });
    expect(split.statusCode, split.body).toBe(422);
    expect(split.json()).toMatchObject({ error: { code: 'series_too_complex' } });

    // The two edits reach Google (instances next to DTSTART: the emulator's own expansion, rrule from DTSTART,
    // would take minutes for one far out, or for any of the MINUTELY series') and nothing else was written.
    await waitFor(
      async () => {
        const rows = await db.selectFrom('writeback_outbox').select('status').execute();
        return rows.length === 2 && rows.every((r) => r.status === 'done') ? true : undefined;
      },
      30_000,
      'the write-backs',
    );
  });
});
