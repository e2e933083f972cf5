import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCalendarAccount } from '../src/calendar/calendar-account-repository.ts';
import { CalendarRuntime } from '../src/calendar/index.ts';
import { cancelOccurrence } from '../src/calendar/occurrence-edits.ts';
import { EventBus } from '../src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { eventRow, InMemoryCalendars } from './providers/in-memory-calendar.ts';
import { seedAccount } from './support/seed-account.ts';

/**
 * The calendar core through its port only: a test-only provider (test/providers/in-memory-calendar.ts),
 * registered for the account's provider, is synced in full, then incrementally, in full again after its
 * token expired; an edit is written back through it; a lost grant marks the account and releases it.
 */

let test: TestDatabase;
let owner: { accountId: string; userId: string };
const memory = new InMemoryCalendars();
let runtime: CalendarRuntime;
const quiet = { info() {}, warn() {}, error() {} };

const START = new Date('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;

beforeAll(async () => {
  test = await createTestDatabase();
  owner = await seedAccount(test.db, 'port@example.com');
  runtime = new CalendarRuntime({
    db: test.db,
    bus: new EventBus(test.url, quiet),
    // Never started: the test runs the handlers itself.
    queue: new EmbeddedTaskQueue({ connectionString: test.url }),
    // accounts.provider is 'google' (a CHECK): the registry is injected, so the test provider stands there.
    sources: new Map([['google', memory]]),
    log: quiet,
    syncEveryMs: 60_000,
    writebackAttempts: 3,
  });
  memory.change('work', eventRow('lunch', { start_at: START, end_at: new Date(START.getTime() + HOUR) }));
  memory.change(
    'work',
    eventRow('standup', {
      kind: 'series',
      start_at: START,
      end_at: new Date(START.getTime() + HOUR / 4),
      tzid: 'UTC',
      dtstart_local: '2026-03-02 10:00:00',
      duration_ms: HOUR / 4,
      recurrence: ['RRULE:FREQ=DAILY;COUNT=5'],
      series_start: START,
      series_end: new Date(START.getTime() + 4 * 24 * HOUR + HOUR / 4),
    }),
  );
});
afterAll(() => test?.drop());

const sync = () =>
  runtime.handlers['calendar-sync']!(
    { accountId: owner.accountId, slot: 0 },
    { name: 'sync', retryCount: 0 },
  );

const stored = () =>
  test.db
    .selectFrom('calendar_events')
    .select(['google_event_id', 'kind', 'exceptions'])
    .where('account_id', '=', owner.accountId)
    .orderBy('google_event_id')
    .execute();

const cursor = async () =>
  (
    await test.db
      .selectFrom('sync_state')
      .select('cursor')
      .where('account_id', '=', owner.accountId)
      .executeTakeFirstOrThrow()
  ).cursor;

const empty = { cancelled: [], overrides: {} };

describe('the calendar source port, with a provider that lives in one test folder', () => {
  it('syncs in full, then the changes since the token, then in full again once the token expired', async () => {
    expect(await sync()).toEqual({ outcome: 'done' });
    expect(await stored()).toEqual([
      { google_event_id: 'lunch', kind: 'single', exceptions: empty },
      { google_event_id: 'standup', kind: 'series', exceptions: empty },
    ]);
    expect(await cursor()).toBe('2');

    // Elsewhere: lunch deleted, one standup moved.
    memory.change('work', { type: 'deleted', googleEventId: 'lunch' });
    const moved = { start: '2026-03-03T11:00:00Z', end: '2026-03-03T11:15:00Z' };
    memory.change('work', {
      type: 'exception',
      instanceId: 'standup_20260303T100000Z',
      masterId: 'standup',
      key: '2026-03-03T10:00:00Z',
      cancelled: false,
      override: moved,
    });
    expect(await sync()).toEqual({ outcome: 'done' });
    const after = [
      {
        google_event_id: 'standup',
        kind: 'series',
        exceptions: { cancelled: [], overrides: { '2026-03-03T10:00:00Z': moved } },
      },
    ];
    expect(await stored()).toEqual(after);
    expect(await cursor()).toBe('4');

    // A row the provider no longer has (missed by the changes): only a full pass removes it.
    await sql`
      insert into calendar_events (user_id, account_id, calendar_id, google_event_id, kind, all_day, start_at, end_at)
      values (${owner.userId}, ${owner.accountId}, 'work', 'ghost', 'single', false, ${START}, ${START})`.execute(
      test.db,
    );
    expect(await sync()).toEqual({ outcome: 'done' });
    expect((await stored()).map((row) => row.google_event_id)).toEqual(['ghost', 'standup']);
    memory.expiredBefore = 5;
    expect(await sync()).toEqual({ outcome: 'done' });
    expect(await stored()).toEqual(after);
  });

  it('writes an edit back through the port, and the echo of it changes nothing', async () => {
    const series = await test.db
      .selectFrom('calendar_events')
      .select('id')
      .where('google_event_id', '=', 'standup')
      .executeTakeFirstOrThrow();
    const writeback = runtime.handlers['calendar-writeback']!;
    const enqueue = async (outbox: { id: number }) => {
      expect(await writeback({ outboxId: outbox.id }, { name: 'wb', retryCount: 0 })).toEqual({
        outcome: 'done',
      });
    };
    const edit = await cancelOccurrence(
      { db: test.db, enqueue },
      owner.userId,
      series.id,
      '2026-03-05T10:00:00Z',
    );
    expect(edit.event.exceptions.cancelled).toEqual(['2026-03-05T10:00:00Z']);
    expect(memory.calls).toEqual(['cancel work standup 2026-03-05T10:00:00Z']);
    const outbox = await test.db
      .selectFrom('writeback_outbox')
      .select(['status', 'account_id'])
      .executeTakeFirstOrThrow();
    expect(outbox).toEqual({ status: 'done', account_id: owner.accountId });
    const before = await stored();
    await sync();
    expect(await stored()).toEqual(before);
  });

  it('marks the account needs_reauth when the provider says its grant is gone, and releases it', async () => {
    memory.revoked.add(owner.accountId);
    expect(await sync()).toEqual({ outcome: 'done' });
    expect((await findCalendarAccount(test.db, owner.accountId))?.status).toBe('needs_reauth');
    expect(memory.released).toEqual([owner.accountId]);
    // An account that is not active is not synced at all.
    expect(await sync()).toEqual({ outcome: 'done' });
    expect(memory.released).toEqual([owner.accountId]);
  });
});
