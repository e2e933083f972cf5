import type { SeriesExceptions } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setExceptions } from '../src/calendar/calendar-repository.ts';
import { insertEvent, saveSeriesExceptions, shortenSeries } from '../src/calendar/series-repository.ts';
import { insertOutbox } from '../src/calendar/writeback-repository.ts';
import { seedAccount } from './support/seed-account.ts';

/**
 * The JSONB columns take their values as objects (node-postgres serialises them): what is written is what is
 * read back, and stored as a JSON object (not a string holding JSON, nor a PostgreSQL array).
 */

let test: TestDatabase;
let owner: { userId: string; accountId: string };

// Quotes, backslashes, non-ASCII text and nesting: what a double encoding or a text cast would change.
const EXCEPTIONS: SeriesExceptions = {
  cancelled: ['20260105T080000Z', '20260112T080000Z'],
  overrides: {
    '20260119T080000Z': { summary: 'Stand-up "moved" \\ Überraum 日本', start: '2026-01-19T09:30:00+01:00' },
    '20260126T080000Z': { location: 'Room\n2', nested: { list: [1, 'two', null, { three: true }] } },
  },
};

beforeAll(async () => {
  test = await createTestDatabase();
  owner = await seedAccount(test.db, 'json@example.com');
});
afterAll(() => test?.drop());

async function stored(
  column: 'exceptions' | 'payload',
  table: 'calendar_events' | 'writeback_outbox',
  id: unknown,
) {
  const { rows } = await sql<{ value: unknown; type: string }>`
    select ${sql.ref(column)} as value, jsonb_typeof(${sql.ref(column)}) as type
    from ${sql.table(table)} where id = ${id}`.execute(test.db);
  return rows[0]!;
}

function seriesRow(googleEventId: string, exceptions: SeriesExceptions) {
  const start = new Date('2026-01-05T08:00:00Z');
  return {
    user_id: owner.userId,
    account_id: owner.accountId,
    calendar_id: 'primary',
    google_event_id: googleEventId,
    kind: 'series' as const,
    status: 'confirmed' as const,
    all_day: false,
    start_at: start,
    end_at: new Date(start.getTime() + 900_000),
    tzid: 'Europe/Berlin',
    dtstart_local: '2026-01-05 09:00:00',
    duration_ms: 900_000,
    recurrence: ['RRULE:FREQ=WEEKLY'],
    exceptions,
    series_start: start,
  };
}

describe('JSONB columns: a round trip stores the same JSON', () => {
  it('insert, update and the sync update of calendar_events.exceptions', async () => {
    const row = await insertEvent(test.db, seriesRow('jsonseries1', EXCEPTIONS));
    expect(row.exceptions).toEqual(EXCEPTIONS);
    expect(await stored('exceptions', 'calendar_events', row.id)).toEqual({
      value: EXCEPTIONS,
      type: 'object',
    });

    const changed = { ...EXCEPTIONS, cancelled: ['20260202T080000Z'] };
    expect((await saveSeriesExceptions(test.db, row.id, changed)).exceptions).toEqual(changed);
    expect(await stored('exceptions', 'calendar_events', row.id)).toEqual({ value: changed, type: 'object' });

    const shortened = await shortenSeries(test.db, row.id, {
      recurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20260301T000000Z'],
      exceptions: EXCEPTIONS,
      seriesEnd: new Date('2026-03-01T00:00:00Z'),
    });
    expect(shortened.exceptions).toEqual(EXCEPTIONS);

    const key = { accountId: owner.accountId, calendarId: 'primary', googleEventId: 'jsonseries1' };
    const empty = { cancelled: [], overrides: {} };
    await setExceptions(test.db, key, empty);
    expect(await stored('exceptions', 'calendar_events', row.id)).toEqual({ value: empty, type: 'object' });
  });

  it('writeback_outbox.payload', async () => {
    const series = await insertEvent(test.db, seriesRow('jsonseries2', EXCEPTIONS));
    const payload = {
      oldRecurrence: ['RRULE:FREQ=WEEKLY;UNTIL=20260301T000000Z'],
      newEvent: { id: 'abc', summary: 'Ä "quoted" \\ line\nbreak', location: null, allDay: false },
    };
    const outbox = await insertOutbox(test.db, {
      userId: owner.userId,
      accountId: owner.accountId,
      eventId: series.id,
      calendarId: 'primary',
      googleEventId: 'jsonseries2',
      operation: 'split_series',
      payload,
    });
    expect(outbox.payload).toEqual(payload);
    expect(await stored('payload', 'writeback_outbox', outbox.id)).toEqual({
      value: payload,
      type: 'object',
    });
  });
});
