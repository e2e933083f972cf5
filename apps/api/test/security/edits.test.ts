import { ApiError, EditResponse } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { expand } from '@firstlight/recurrence';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toSeries } from '../../src/calendar/event-dto.ts';
import { signIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue 14, deliverable 5: user edits are validated by meaning, not only by shape. Each probe replays what an
 * attacker or a sloppy client sent to main, and asserts the trusted answer: a 4xx in the app's error shape,
 * nothing written, nothing queued for Google.
 */

const USER = 'edits@example.com';
const HOUR = 3_600_000;

describe('security: calendar edits are validated by meaning', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let cookie: string;
  let userId: string;
  let accountId: string;
  let timed: string; // series ids
  let allDay: string;
  let keys: string[]; // occurrence keys of the timed series
  let dayKeys: string[];

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      latency: 'none',
      autoApprove: true,
      accounts: [{ email: USER, mailboxSize: 5 }],
    });
    // No task queue: edits stay in the outbox, where the test can see whether anything was queued for Google.
    test = await buildTestApp({ emulatorUrl: emulator.url });
    cookie = (await signIn(test.app, USER)).cookie;
    const account = await test.database.db
      .selectFrom('accounts')
      .select(['id', 'user_id'])
      .executeTakeFirstOrThrow();
    userId = account.user_id;
    accountId = account.id;
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  beforeEach(async () => {
    const db = test.database.db;
    await db.deleteFrom('writeback_outbox').execute();
    await db.deleteFrom('calendar_events').execute();
    // A weekly 09:00–10:00 Berlin meeting and a weekly all-day event, as the sync stores them.
    const base = {
      user_id: userId,
      account_id: accountId,
      calendar_id: 'primary',
      kind: 'series' as const,
      summary: 'Standup',
      location: null,
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
      series_end: null,
    };
    timed = (
      await db
        .insertInto('calendar_events')
        .values({
          ...base,
          google_event_id: 'timedseries1',
          all_day: false,
          start_at: new Date('2026-03-02T08:00:00Z'),
          end_at: new Date('2026-03-02T09:00:00Z'),
          tzid: 'Europe/Berlin',
          dtstart_local: '2026-03-02 09:00:00',
          duration_ms: HOUR,
          series_start: new Date('2026-03-02T08:00:00Z'),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    allDay = (
      await db
        .insertInto('calendar_events')
        .values({
          ...base,
          google_event_id: 'alldayseries1',
          all_day: true,
          start_at: new Date('2026-03-03T00:00:00Z'),
          end_at: new Date('2026-03-04T00:00:00Z'),
          tzid: null,
          dtstart_local: '2026-03-03 00:00:00',
          duration_ms: 24 * HOUR,
          series_start: new Date('2026-03-03T00:00:00Z'),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    keys = await occurrenceKeys(timed);
    dayKeys = await occurrenceKeys(allDay);
  });

  async function occurrenceKeys(id: string) {
    const row = await test.database.db
      .selectFrom('calendar_events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return expand(toSeries(row), new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')).map(
      (occurrence) => occurrence.originalStart,
    );
  }

  const send = (method: 'PATCH' | 'POST' | 'DELETE' | 'GET', url: string, payload?: string, type?: string) =>
    test.app.inject({
      method,
      url,
      headers: {
        cookie,
        ...(payload !== undefined || type ? { 'content-type': type ?? 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });
  const patch = (id: string, key: string, body: unknown) =>
    send('PATCH', `/api/calendar/series/${id}/occurrences/${key}`, JSON.stringify(body));
  const outboxRows = () => test.database.db.selectFrom('writeback_outbox').selectAll().execute();
  const exceptionsOf = async (id: string) =>
    (
      await test.database.db
        .selectFrom('calendar_events')
        .select('exceptions')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).exceptions;

  /** A refusal: the status, the app's error shape with a message, and nothing written or queued. */
  async function expectRefused(response: Awaited<ReturnType<typeof send>>, status: number, code?: string) {
    expect(response.statusCode, response.body).toBe(status);
    const body = ApiError.parse(response.json());
    expect(body.error.message.length).toBeGreaterThan(0);
    if (code) expect(body.error.code).toBe(code);
    return body;
  }

  it('refuses a PATCH with only an end before the stored start: 400, nothing written, nothing for Google', async () => {
    const key = keys[2]!; // 2026-03-16 08:00Z
    const before = await exceptionsOf(timed);
    const response = await patch(timed, key, {
      end: new Date(Date.parse(key) - HOUR).toISOString(),
    });
    const body = await expectRefused(response, 400, 'invalid_time');
    expect(body.error.message).toMatch(/end must be after start/);
    expect(await exceptionsOf(timed)).toEqual(before);
    expect(await outboxRows()).toEqual([]);
    expect(emulator.admin.stats().methods['events.patch']).toBeUndefined();

    // An end equal to the start is no occurrence either.
    await expectRefused(await patch(timed, key, { end: key }), 400, 'invalid_time');
    // A valid end alone is applied against the stored start.
    const ok = await patch(timed, key, { end: new Date(Date.parse(key) + 2 * HOUR).toISOString() });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(EditResponse.parse(ok.json()).event.exceptions.overrides[key]).toMatchObject({
      start: new Date(Date.parse(key)).toISOString(),
      end: new Date(Date.parse(key) + 2 * HOUR).toISOString(),
    });
  });

  it('checks an end against an earlier move of the same occurrence, and keeps the move on a retitle', async () => {
    const key = keys[3]!;
    const moved = new Date(Date.parse(key) + 3 * HOUR).toISOString();
    expect((await patch(timed, key, { start: moved })).statusCode).toBe(200);
    // The original end is now before the moved start.
    await expectRefused(
      await patch(timed, key, { end: new Date(Date.parse(key) + HOUR).toISOString() }),
      400,
      'invalid_time',
    );
    const retitled = await patch(timed, key, { summary: 'Standup (moved)' });
    expect(retitled.statusCode, retitled.body).toBe(200);
    expect(EditResponse.parse(retitled.json()).event.exceptions.overrides[key]).toEqual({
      start: moved,
      end: new Date(Date.parse(moved) + HOUR).toISOString(),
      summary: 'Standup (moved)',
    });
    // The retitle's write-back carries only the title: Google keeps the move it already has.
    const last = (await outboxRows()).sort((a, b) => b.id - a.id)[0]!;
    expect(last.payload).not.toHaveProperty('start');
    expect(last.payload).toMatchObject({ summary: 'Standup (moved)' });
  });

  it('refuses NUL, control characters, broken unicode, blank and overlong titles with 400 (never 500)', async () => {
    const key = keys[1]!;
    const path = `/api/calendar/series/${timed}/occurrences/${key}`;
    for (const raw of [
      '{"summary":"a\\u0000b"}',
      '{"summary":"line\\nbreak"}',
      '{"summary":"bell\\u0007"}',
      '{"summary":"\\u009b[31m"}',
      '{"summary":"lone \\ud800 surrogate"}',
      '{"summary":"   "}',
      '{"summary":""}',
      JSON.stringify({ summary: 'x'.repeat(1025) }),
      '{"summary":42}',
    ]) {
      const response = await send('PATCH', path, raw);
      await expectRefused(response, 400, 'invalid_request');
    }
    expect(await outboxRows()).toEqual([]);
    const longest = await patch(timed, key, { summary: `${'é'.repeat(1022)}👍` }); // 1,024 UTF-16 units
    expect(longest.statusCode, longest.body).toBe(200);
  });

  it('refuses unknown fields instead of dropping them', async () => {
    for (const body of [
      { summary: 'ok', location: 'Room 1' },
      { summary: 'ok', status: 'confirmed' },
      { description: 'not editable here' },
      {},
    ]) {
      await expectRefused(await patch(timed, keys[1]!, body), 400, 'invalid_request');
    }
    await expectRefused(
      await send('POST', `/api/calendar/series/${timed}/split`, JSON.stringify({ from: keys[4], extra: 1 })),
      400,
      'invalid_request',
    );
    expect(await outboxRows()).toEqual([]);
  });

  it('answers 409 to a change or a second cancel of a cancelled occurrence', async () => {
    const key = keys[4]!;
    const cancelled = await send('POST', `/api/calendar/series/${timed}/occurrences/${key}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const after = await exceptionsOf(timed);
    expect(after.cancelled).toEqual([key]);

    const retitle = await expectRefused(
      await patch(timed, key, { summary: 'Back?' }),
      409,
      'occurrence_cancelled',
    );
    expect(retitle.error.message).toMatch(/cancelled/);
    await expectRefused(
      await patch(timed, key, { start: new Date(Date.parse(key) + HOUR).toISOString() }),
      409,
      'occurrence_cancelled',
    );
    await expectRefused(
      await send('POST', `/api/calendar/series/${timed}/occurrences/${key}/cancel`),
      409,
      'already_cancelled',
    );
    expect(await exceptionsOf(timed)).toEqual(after);
    expect((await outboxRows()).map((row) => row.operation)).toEqual(['cancel_occurrence']);
  });

  it('keeps all-day and timed apart: dates for all-day series, date-times for timed ones', async () => {
    const day = dayKeys[1]!; // 2026-03-10
    await expectRefused(await patch(allDay, day, { start: `${day}T09:00:00Z` }), 400, 'invalid_time');
    await expectRefused(await patch(allDay, day, { start: `${day}T00:00:00+01:00` }), 400, 'invalid_time');
    await expectRefused(await patch(timed, keys[1]!, { start: '2026-03-10' }), 400, 'invalid_time');
    expect(await outboxRows()).toEqual([]);

    // Moved by two days: stored as dates, which the engine expands (an ISO instant here was unreadable).
    const ok = await patch(allDay, day, { start: '2026-03-12' });
    expect(ok.statusCode, ok.body).toBe(200);
    const event = EditResponse.parse(ok.json()).event;
    expect(event.exceptions.overrides[day]).toEqual({ start: '2026-03-12', end: '2026-03-13' });
    const moved = expand(
      {
        dtstart: event.dtstart,
        durationMs: event.durationMs,
        recurrence: event.recurrence,
        exceptions: event.exceptions,
      },
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-04-01T00:00:00Z'),
    ).find((occurrence) => occurrence.originalStart === day);
    expect(moved?.startDate).toBe('2026-03-12');
    const midnight = await patch(allDay, dayKeys[2]!, {
      start: `${dayKeys[2]}T00:00:00Z`,
      end: '2026-03-19',
    });
    expect(midnight.statusCode, midnight.body).toBe(200);
  });

  it('answers 4xx to impossible or foreign split dates and occurrence keys', async () => {
    const split = (from: unknown) =>
      send('POST', `/api/calendar/series/${timed}/split`, JSON.stringify({ from }));
    for (const from of [
      '2026-02-31T08:00:00Z',
      '2026-13-01T08:00:00Z',
      '2026-03-16T25:00:00Z',
      '2026-02-30',
    ]) {
      await expectRefused(await split(from), 400, 'invalid_request');
    }
    await expectRefused(await split('2026-03-16T08:00:01Z'), 404, 'no_such_occurrence');
    await expectRefused(await split('2026-03-16'), 400, 'invalid_occurrence'); // a date on a timed series
    await expectRefused(await split(keys[0]), 400, 'invalid_split'); // the first occurrence
    await expectRefused(await split(42), 400, 'invalid_request');
    for (const key of ['2026-02-31T08:00:00Z', '2026-03-16T08%3A00%3A00Z%00']) {
      const response = await send(
        'PATCH',
        `/api/calendar/series/${timed}/occurrences/${key}`,
        '{"summary":"x"}',
      );
      expect(response.statusCode, key).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, key).toBeLessThan(500);
    }
    expect(await outboxRows()).toEqual([]);
  });

  it('answers every calendar route a 4xx in the error shape for garbage bodies, never a 500', async () => {
    const key = keys[1]!;
    const routes: ['PATCH' | 'POST' | 'DELETE' | 'GET', string][] = [
      ['PATCH', `/api/calendar/series/${timed}/occurrences/${key}`],
      ['POST', `/api/calendar/series/${timed}/occurrences/${key}/cancel`],
      ['POST', `/api/calendar/series/${timed}/split`],
      ['DELETE', `/api/calendar/series/${timed}`],
      ['GET', '/api/calendar/events?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
      ['GET', '/api/calendar/busy?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
      ['GET', '/api/calendar/writebacks'],
    ];
    const garbage: [string, string][] = [
      ['{"summary":', 'application/json'],
      ['{"summary":"\u0000"}', 'application/json'], // a raw NUL byte in the JSON text
      ['{"\\u0000":"x"}', 'application/json'],
      ['{"__proto__":{"admin":true}}', 'application/json'],
      ['{"constructor":{"prototype":{"admin":true}}}', 'application/json'],
      ['[]', 'application/json'],
      ['null', 'application/json'],
      ['"just a string"', 'application/json'],
      ['1e999999', 'application/json'],
      ['', 'application/json'],
      ['summary=x', 'application/x-www-form-urlencoded'],
      ['summary=x', 'text/plain'],
      ['\xff\xfe{"summary":"x"}', 'application/json'],
      ['{"summary":"x","extra":1}', 'application/json; charset=utf-16'],
      ['{"summary":"x"}', 'multipart/form-data; boundary=x'],
      ['{"summary":"x"}', 'nonsense'],
      [`${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
    ];
    const answers: string[] = [];
    for (const [method, url] of routes) {
      for (const [payload, type] of garbage) {
        const response = await send(method, url, payload, type);
        answers.push(
          `${method} ${url.slice(0, 40)} ${type} ${JSON.stringify(payload.slice(0, 20))} → ${response.statusCode}`,
        );
        expect(response.statusCode, answers.at(-1)).toBeLessThan(500);
        if (response.statusCode >= 400) ApiError.parse(response.json());
      }
    }
    // The routes that read a body never accepted garbage: nothing was patched or split. (Cancel and delete
    // take no body and ignore one that parses; refusing cross-site requests is the Origin check's job.)
    const accepted = answers.filter((line) => / → 2\d\d$/.test(line));
    expect(accepted.filter((line) => line.startsWith('PATCH') || line.includes('/split'))).toEqual([]);
    expect((await outboxRows()).map((row) => row.operation).sort()).not.toContain('patch_occurrence');
    expect((await outboxRows()).map((row) => row.operation)).not.toContain('split_series');
  });
});
