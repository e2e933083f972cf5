import { CalendarRangeResponse, EditResponse } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { expand } from '@firstlight/recurrence';
import { auth, calendar, type calendar_v3 } from '@googleapis/calendar';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSeries } from '../src/calendar/event-dto.ts';
import { loadConfig } from '../src/config.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { waitFor } from './support/backfill-harness.ts';
import { timedSeries } from './support/calendar-rows.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'calendar@example.com';
const ANCHOR = Date.UTC(2026, 2, 1); // 1 March 2026: the window below crosses both DST changes
const FROM = new Date(Date.UTC(2025, 8, 1));
const TO = new Date(Date.UTC(2026, 8, 1));

/** Every item of a paged events.list (the oracle: the emulator's own expansion). */
async function listAll(api: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List) {
  const items: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await api.events.list({ ...params, maxResults: 2500, pageToken });
    items.push(...(data.items ?? []));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return items;
}

describe('calendar: one row per series, expanded locally exactly as Google expands it', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let cookie: string;
  let api: calendar_v3.Calendar;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 21,
      latency: 'none',
      autoApprove: true,
      anchor: ANCHOR,
      accounts: [{ email: USER, mailboxSize: 60 }],
    });
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      embeddedQueue: true,
      overrides: { backfill: { ...loadConfig({}).backfill, writebackAttempts: 3 } },
    });
    cookie = (await signIn(test.app, USER)).cookie;
    const oauth = new auth.OAuth2();
    oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(USER) });
    api = calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
    const calendars = (await api.calendarList.list()).data.items ?? [];
    await waitFor(
      async () => {
        const rows = await test.database.db
          .selectFrom('sync_state')
          .select('resource')
          .where('resource', 'like', 'calendar:%')
          .execute();
        return rows.length === calendars.length ? true : undefined;
      },
      30_000,
      'the calendar sync',
    );
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('stores exactly one row per series and per single', async () => {
    const calendars = (await api.calendarList.list()).data.items ?? [];
    let masters = 0;
    let singles = 0;
    for (const entry of calendars) {
      for (const event of await listAll(api, { calendarId: entry.id!, singleEvents: false })) {
        if (event.recurringEventId) continue; // exceptions fold into their master
        if (event.recurrence?.length) masters++;
        else singles++;
      }
    }
    const rows = await test.database.db
      .selectFrom('calendar_events')
      .select(['kind', sql<number>`count(*)`.as('n')])
      .groupBy('kind')
      .execute();
    const count: Record<string, number> = {
      series: 0,
      single: 0,
      ...Object.fromEntries(rows.map((row) => [row.kind, Number(row.n)])),
    };
    expect(masters).toBeGreaterThanOrEqual(50);
    expect(count.series!).toBe(masters);
    expect(count.single!).toBe(singles);

    // The seed's table, for this account: what an expanded design would store for ten years.
    const series = await test.database.db
      .selectFrom('calendar_events')
      .selectAll()
      .where('kind', '=', 'series')
      .execute();
    const tenYears = [
      new Date(ANCHOR - 5 * 365.25 * 86_400_000),
      new Date(ANCHOR + 5 * 365.25 * 86_400_000),
    ] as const;
    const expanded = series.reduce((sum, row) => sum + expand(toSeries(row), ...tenYears).length, 0);
    console.log(
      `calendar rows: ${count.series!} series + ${count.single!} singles = ${count.series! + count.single!}; ` +
        `an expanded design over 10 years: ${expanded} occurrence rows + ${count.single!} singles`,
    );
    expect(expanded).toBeGreaterThan(count.series! * 10);
  });

  it('serves the range with one index range scan per kind', async () => {
    const db = test.database.db;
    const userId = (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    // Few rows here: the planner would rightly scan the table. Forbidding that shows the query fits the indexes.
    const plan = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { eventsInRangeQuery } = await import('../src/calendar/calendar-repository.ts');
      const compiled = eventsInRangeQuery(trx, userId, FROM, TO).compile();
      const rows = await sql<{
        'QUERY PLAN': string;
      }>`explain ${sql.raw(inline(compiled.sql, compiled.parameters))}`.execute(trx);
      return rows.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('calendar_events_singles_idx');
    expect(plan).toContain('calendar_events_series_idx');
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('answers 400 to a malformed or oversized window and 401 without a session', async () => {
    for (const query of [
      'from=x&to=y',
      `from=${TO.toISOString()}&to=${FROM.toISOString()}`,
      'from=2020-01-01T00:00:00Z&to=2022-01-01T00:00:00Z',
    ]) {
      const response = await test.app.inject({
        method: 'GET',
        url: `/api/calendar/events?${query}`,
        headers: { cookie },
      });
      expect(response.statusCode, query).toBe(400);
    }
    const long = await test.app.inject({
      method: 'GET',
      url: '/api/calendar/events?from=2020-01-01T00:00:00Z&to=2029-12-31T00:00:00Z&long=1',
      headers: { cookie },
    });
    expect(long.statusCode).toBe(200);
    const anonymous = await test.app.inject({
      method: 'GET',
      url: `/api/calendar/events?from=${FROM.toISOString()}&to=${TO.toISOString()}`,
    });
    expect(anonymous.statusCode).toBe(401);
    const bogus = await test.app.inject({
      method: 'POST',
      url: '/api/calendar/series/00000000-0000-4000-8000-000000000000/occurrences/2026-03-02T09:00:00Z/cancel',
      headers: { cookie },
    });
    expect(bogus.statusCode).toBe(404);
  });

  it('expands every series to exactly the instances Google lists (singleEvents=true), titles included', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/calendar/events?from=${FROM.toISOString()}&to=${TO.toISOString()}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const page = CalendarRangeResponse.parse(response.json());
    const rows = await test.database.db
      .selectFrom('calendar_events')
      .selectAll()
      .where('kind', '=', 'series')
      .execute();
    const byGoogleId = new Map(rows.map((row) => [`${row.calendar_id}/${row.google_event_id}`, row]));
    expect(page.events.filter((event) => event.kind === 'series').length).toBeGreaterThan(0);

    const ours: string[] = [];
    for (const row of byGoogleId.values()) {
      for (const occurrence of expand(toSeries(row), FROM, TO, { window: 'overlap' })) {
        const when = occurrence.allDay ? occurrence.startDate : occurrence.start.toISOString();
        ours.push(
          `${row.calendar_id}/${row.google_event_id} ${when} ${occurrence.overrides?.summary ?? row.summary}`,
        );
      }
    }
    const google: string[] = [];
    for (const entry of (await api.calendarList.list()).data.items ?? []) {
      const instances = await listAll(api, {
        calendarId: entry.id!,
        singleEvents: true,
        timeMin: FROM.toISOString(),
        timeMax: TO.toISOString(),
      });
      for (const instance of instances) {
        if (!instance.recurringEventId) continue;
        // Instances of a master we store (a 'this and following' split is two masters, both stored).
        const when = instance.start?.date ?? new Date(instance.start!.dateTime!).toISOString();
        google.push(`${entry.id}/${instance.recurringEventId} ${when} ${instance.summary}`);
      }
    }
    expect(ours.length).toBeGreaterThan(1000);
    expect(ours.sort()).toEqual(google.sort());
  });

  it('cancels one occurrence: one row changes, Google shows it cancelled, and a re-sync changes nothing', async () => {
    const row = await timedSeries(test.database.db);
    const next = expand(toSeries(row), new Date(ANCHOR), new Date(ANCHOR + 400 * 86_400_000))[0]!;
    const before = await test.database.db
      .selectFrom('calendar_events')
      .select(['id', 'updated_at', 'exceptions'])
      .execute();

    const response = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${row.id}/occurrences/${next.originalStart}/cancel`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const edit = EditResponse.parse(response.json());
    expect(edit.event.exceptions.cancelled).toContain(next.originalStart);

    const after = await test.database.db
      .selectFrom('calendar_events')
      .select(['id', 'updated_at', 'exceptions'])
      .execute();
    const changed = after.filter(
      (a) => before.find((b) => b.id === a.id)?.updated_at.getTime() !== a.updated_at.getTime(),
    );
    expect(changed.map((c) => c.id)).toEqual([row.id]);

    // The write-back task patches the instance in Google.
    const instanceId = `${row.google_event_id}_${next.originalStart.replaceAll('-', '').replaceAll(':', '')}`;
    await waitFor(
      async () => {
        const outbox = await test.database.db.selectFrom('writeback_outbox').selectAll().executeTakeFirst();
        return outbox?.status === 'done' ? outbox : undefined;
      },
      30_000,
      'the write-back',
    );
    const instance = await api.events.get({ calendarId: row.calendar_id, eventId: instanceId });
    expect(instance.data.status).toBe('cancelled');

    // An incremental sync receives our own change back: nothing changes, nothing duplicates.
    const snapshot = await test.database.db.selectFrom('calendar_events').selectAll().orderBy('id').execute();
    const syncRows = await test.database.db.selectFrom('sync_state').select(['resource', 'cursor']).execute();
    const writebacks = await test.app.inject({
      method: 'GET',
      url: '/api/calendar/writebacks',
      headers: { cookie },
    });
    expect(writebacks.json()).toMatchObject({
      writebacks: [{ operation: 'cancel_occurrence', status: 'done' }],
    });
    await triggerSync(test);
    await waitFor(
      async () => {
        const now = await test.database.db.selectFrom('sync_state').select(['resource', 'cursor']).execute();
        const moved = now.find((s) => s.resource === `calendar:${row.calendar_id}`)?.cursor;
        const was = syncRows.find((s) => s.resource === `calendar:${row.calendar_id}`)?.cursor;
        return moved && moved !== was ? true : undefined;
      },
      30_000,
      'the incremental sync',
    );
    const again = await test.database.db.selectFrom('calendar_events').selectAll().orderBy('id').execute();
    expect(again.map((r) => [r.id, r.exceptions])).toEqual(snapshot.map((r) => [r.id, r.exceptions]));
  });

  it("splits a series 'this and following': two rows, the same instances as Google's after write-back and re-sync", async () => {
    const db = test.database.db;
    const candidates = await db
      .selectFrom('calendar_events')
      .selectAll()
      .where('kind', '=', 'series')
      .where('all_day', '=', false)
      .where('series_end', 'is', null)
      .orderBy('google_event_id', 'desc')
      .execute();
    const row = candidates.find((r) => (r.recurrence ?? []).some((line) => /FREQ=WEEKLY/.test(line)))!;
    const upcoming = expand(toSeries(row), new Date(ANCHOR), new Date(ANCHOR + 200 * 86_400_000));
    const at = upcoming[5]!;
    const rowsBefore = (await db.selectFrom('calendar_events').select('id').execute()).length;

    const response = await test.app.inject({
      method: 'POST',
      url: `/api/calendar/series/${row.id}/split`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ from: at.originalStart }),
    });
    expect(response.statusCode).toBe(200);
    const { next } = response.json() as { next: { googleEventId: string } };
    await waitFor(
      async () => {
        const outbox = await db
          .selectFrom('writeback_outbox')
          .selectAll()
          .where('operation', '=', 'split_series')
          .executeTakeFirst();
        return outbox?.status === 'done' ? true : undefined;
      },
      30_000,
      'the split write-back',
    );

    const windowFrom = new Date(ANCHOR);
    const windowTo = new Date(ANCHOR + 200 * 86_400_000);
    const instancesOf = async (eventId: string) =>
      (
        await listAll(api, {
          calendarId: row.calendar_id,
          singleEvents: true,
          timeMin: windowFrom.toISOString(),
          timeMax: windowTo.toISOString(),
        })
      )
        .filter((instance) => instance.recurringEventId === eventId)
        .map((instance) => new Date(instance.start!.dateTime!).toISOString())
        .sort();
    const ours = async (googleEventId: string) => {
      const stored = await db
        .selectFrom('calendar_events')
        .selectAll()
        .where('google_event_id', '=', googleEventId)
        .executeTakeFirstOrThrow();
      return expand(toSeries(stored), windowFrom, windowTo, { window: 'overlap' })
        .map((o) => o.start.toISOString())
        .sort();
    };
    expect(await ours(row.google_event_id)).toEqual(await instancesOf(row.google_event_id));
    expect(await ours(next.googleEventId)).toEqual(await instancesOf(next.googleEventId));
    expect((await ours(next.googleEventId))[0]).toBe(at.start.toISOString());

    await triggerSync(test);
    await waitFor(
      async () => {
        const state = await db
          .selectFrom('sync_state')
          .select('last_synced_at')
          .where('resource', '=', `calendar:${row.calendar_id}`)
          .executeTakeFirst();
        return state?.last_synced_at && state.last_synced_at.getTime() > Date.now() - 5_000
          ? true
          : undefined;
      },
      30_000,
      'the re-sync',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await db.selectFrom('calendar_events').select('id').execute()).length).toBe(rowsBefore + 1);
    expect(await ours(next.googleEventId)).toEqual(await instancesOf(next.googleEventId));
  });

  it('answers an expired sync token (410) with a full resync that keeps every row and exception', async () => {
    const db = test.database.db;
    const before = await db
      .selectFrom('calendar_events')
      .select(['google_event_id', 'exceptions', 'recurrence'])
      .orderBy('google_event_id')
      .execute();
    const cursors = await db
      .selectFrom('sync_state')
      .select(['resource', 'cursor'])
      .where('resource', 'like', 'calendar:%')
      .execute();
    const response = await fetch(`${emulator.url}/admin/calendar/${USER}/invalidate-sync-tokens`, {
      method: 'POST',
    });
    expect(response.status).toBe(204);
    await triggerSync(test);
    await waitFor(
      async () => {
        const now = await db
          .selectFrom('sync_state')
          .select(['resource', 'cursor'])
          .where('resource', 'like', 'calendar:%')
          .execute();
        return now.every(
          (state) => cursors.find((c) => c.resource === state.resource)?.cursor !== state.cursor,
        )
          ? true
          : undefined;
      },
      30_000,
      'new sync tokens after the 410',
    );
    const after = await db
      .selectFrom('calendar_events')
      .select(['google_event_id', 'exceptions', 'recurrence'])
      .orderBy('google_event_id')
      .execute();
    expect(after).toEqual(before);
  });

  it('moves and retitles one occurrence: Google shows the instance changed, our expansion shows it moved', async () => {
    const db = test.database.db;
    const row = await timedSeries(db, 3);
    const target = expand(
      toSeries(row),
      new Date(ANCHOR + 30 * 86_400_000),
      new Date(ANCHOR + 400 * 86_400_000),
    )[0]!;
    const start = new Date(target.start.getTime() + 3_600_000);
    const response = await test.app.inject({
      method: 'PATCH',
      url: `/api/calendar/series/${row.id}/occurrences/${target.originalStart}`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ start: start.toISOString(), summary: 'Moved by Firstlight' }),
    });
    expect(response.statusCode).toBe(200);
    const edit = EditResponse.parse(response.json());
    await waitFor(
      async () => {
        const rows = await db
          .selectFrom('writeback_outbox')
          .selectAll()
          .where('id', '=', edit.writeback.id)
          .executeTakeFirst();
        return rows?.status === 'done' ? true : undefined;
      },
      30_000,
      'the patch write-back',
    );
    const instanceId = `${row.google_event_id}_${target.originalStart.replaceAll('-', '').replaceAll(':', '')}`;
    const instance = (await api.events.get({ calendarId: row.calendar_id, eventId: instanceId })).data;
    expect(new Date(instance.start!.dateTime!).getTime()).toBe(start.getTime());
    expect(new Date(instance.end!.dateTime!).getTime()).toBe(target.end.getTime() + 3_600_000);
    expect(instance.summary).toBe('Moved by Firstlight');
    const stored = await db
      .selectFrom('calendar_events')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    const moved = expand(toSeries(stored), target.start, new Date(target.start.getTime() + 86_400_000)).find(
      (occurrence) => occurrence.originalStart === target.originalStart,
    );
    expect(moved?.start.getTime()).toBe(start.getTime());
    expect(moved?.isException).toBe(true);
  });

  it('records a write-back Google refuses as failed, with the reason, visible in the API', async () => {
    const db = test.database.db;
    const row = await timedSeries(db, 6);
    const target = expand(toSeries(row), new Date(ANCHOR), new Date(ANCHOR + 400 * 86_400_000))[0]!;
    // Google keeps answering 503 for this user: the write-back is retried (3 attempts here), then recorded.
    emulator.admin.setFaults({ accounts: { [USER]: { errorRate: 1, errorStatuses: [503] } } });
    const response = await test.app.inject({
      method: 'PATCH',
      url: `/api/calendar/series/${row.id}/occurrences/${target.originalStart}`,
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ summary: 'Too late' }),
    });
    expect(response.statusCode).toBe(200);
    const { writeback } = EditResponse.parse(response.json());
    const failed = await waitFor(
      async () => {
        const list = (
          await test.app.inject({ method: 'GET', url: '/api/calendar/writebacks', headers: { cookie } })
        ).json() as {
          writebacks: { id: number; status: string; lastError: string | null }[];
        };
        const entry = list.writebacks.find((w) => w.id === writeback.id);
        return entry?.status === 'failed' ? entry : undefined;
      },
      20_000,
      'the failed write-back',
    );
    emulator.admin.clearFaults();
    expect(failed.lastError).toMatch(/503|unavailable/i);
    const row2 = await db
      .selectFrom('writeback_outbox')
      .selectAll()
      .where('id', '=', writeback.id)
      .executeTakeFirstOrThrow();
    expect(row2.attempts).toBe(3);
  });

  it('computes free/busy on the server exactly as the instances Google lists', async () => {
    const from = new Date(ANCHOR + 7 * 86_400_000);
    const to = new Date(ANCHOR + 21 * 86_400_000);
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/calendar/busy?from=${from.toISOString()}&to=${to.toISOString()}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    const busy = (response.json() as { busy: { start: string; end: string }[] }).busy;
    const intervals: [number, number][] = [];
    for (const entry of (await api.calendarList.list()).data.items ?? []) {
      for (const event of await listAll(api, {
        calendarId: entry.id!,
        singleEvents: true,
        timeMin: from.toISOString(),
        timeMax: to.toISOString(),
      })) {
        const start = event.start?.dateTime
          ? Date.parse(event.start.dateTime)
          : Date.parse(`${event.start!.date}T00:00:00Z`);
        const end = event.end?.dateTime
          ? Date.parse(event.end.dateTime)
          : Date.parse(`${event.end!.date}T00:00:00Z`);
        intervals.push([Math.max(start, from.getTime()), Math.min(end, to.getTime())]);
      }
    }
    const merged: [number, number][] = [];
    for (const interval of intervals.filter(([a, b]) => b > a).sort((a, b) => a[0] - b[0])) {
      const last = merged.at(-1);
      if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
      else merged.push([...interval]);
    }
    expect(busy.map((b) => [Date.parse(b.start), Date.parse(b.end)])).toEqual(merged);
  });

  it('deletes a whole series (written back), and drops a series deleted in Google at the next sync', async () => {
    const db = test.database.db;
    const series = await db
      .selectFrom('calendar_events')
      .selectAll()
      .where('kind', '=', 'series')
      .orderBy('google_event_id', 'asc')
      .offset(10)
      .limit(2)
      .execute();
    const [ours, theirs] = [series[0]!, series[1]!];
    const response = await test.app.inject({
      method: 'DELETE',
      url: `/api/calendar/series/${ours.id}`,
      headers: { cookie },
    });
    expect(response.statusCode).toBe(200);
    expect(
      await db.selectFrom('calendar_events').select('id').where('id', '=', ours.id).executeTakeFirst(),
    ).toBeUndefined();
    await waitFor(
      async () => {
        const row = await db
          .selectFrom('writeback_outbox')
          .selectAll()
          .where('operation', '=', 'delete_series')
          .executeTakeFirst();
        return row?.status === 'done' ? true : undefined;
      },
      30_000,
      'the delete write-back',
    );
    const gone = await api.events.get({ calendarId: ours.calendar_id, eventId: ours.google_event_id });
    expect(gone.data.status).toBe('cancelled');

    await api.events.delete({ calendarId: theirs.calendar_id, eventId: theirs.google_event_id });
    await triggerSync(test);
    await waitFor(
      async () =>
        (await db.selectFrom('calendar_events').select('id').where('id', '=', theirs.id).executeTakeFirst())
          ? undefined
          : true,
      30_000,
      'the synced deletion',
    );
  });
});

/** Inlines $n parameters for EXPLAIN (test-only; the values are our own dates and uuid). */
function inline(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = parameters[Number(n) - 1];
    const literal = value instanceof Date ? value.toISOString() : String(value);
    return `'${literal.replaceAll("'", "''")}'`;
  });
}

/** Starts a calendar sync for the test user through the product's own task, as the periodic scheduler does. */
async function triggerSync(test: TestApp) {
  const account = await test.database.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
  const queue = new EmbeddedTaskQueue({ connectionString: test.database.url });
  await queue.enqueue({
    kind: 'calendar-sync',
    queue: 'ingest-high',
    name: `calendar-sync-test-${Date.now()}`,
    payload: { accountId: account.id, slot: 0 },
  });
  await queue.stop();
}
