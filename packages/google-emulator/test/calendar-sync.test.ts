/**
 * Calendar reads and sync through the real @googleapis/calendar client: calendar list, full sync
 * (parents + exceptions, paged, nextSyncToken on the last page only), expansion with singleEvents=true,
 * incremental sync tokens, 410 after invalidation, 400 on refused combinations, determinism.
 */
import type { calendar_v3 } from '@googleapis/calendar';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateSyncTokens } from '../src/calendar/index.js';
import { account, type Harness, listAll, startHarness } from './calendar-harness.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

/** Google's compact UTC form used in instance ids. */
const compactUtc = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

async function status(call: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await call;
    return { status: 200, data: undefined };
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (!response) throw error;
    return response;
  }
}

describe('calendar reads and sync', () => {
  let h: Harness;
  let api: calendar_v3.Calendar;

  beforeAll(async () => {
    h = await startHarness([account(ALICE, 1234), account(BOB, 98765)]);
    api = h.client(ALICE);
  });
  afterAll(() => h.close());

  it('lists the primary and a secondary calendar', async () => {
    const { data } = await api.calendarList.list();
    expect(data.kind).toBe('calendar#calendarList');
    const primary = data.items?.find((c) => c.primary);
    expect(primary?.id).toBe(ALICE);
    expect(primary?.accessRole).toBe('owner');
    expect(primary?.timeZone).toMatch(/^[A-Za-z]+\/[A-Za-z_]+$/);
    expect(data.items?.some((c) => c.id?.endsWith('@group.calendar.google.com'))).toBe(true);
  });

  it('full sync returns singles, parents and exceptions, paged, with nextSyncToken on the last page only', async () => {
    const pages: calendar_v3.Schema$Events[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await api.events.list({
        calendarId: 'primary',
        showDeleted: true,
        maxResults: 100,
        pageToken,
      });
      pages.push(data);
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages.slice(0, -1)) expect(page.nextSyncToken).toBeUndefined();
    expect(pages.at(-1)?.nextSyncToken).toBeTruthy();

    const items = pages.flatMap((p) => p.items ?? []);
    const parents = items.filter((e) => e.recurrence);
    const exceptions = items.filter((e) => e.recurringEventId);
    expect(parents.length).toBeGreaterThanOrEqual(45);
    expect(items.length - parents.length - exceptions.length).toBeGreaterThan(250); // singles
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);

    // Exceptions point at a parent (live, or deleted and so reported cancelled) and are named after their
    // original start.
    const ids = new Set(items.filter((e) => !e.recurringEventId).map((p) => p.id));
    for (const ex of exceptions) {
      expect(ids.has(ex.recurringEventId!)).toBe(true);
      const original = ex.originalStartTime!;
      const suffix = original.date ? original.date.replace(/-/g, '') : compactUtc(original.dateTime!);
      expect(ex.id).toBe(`${ex.recurringEventId}_${suffix}`);
    }
    const cancelled = exceptions.filter((e) => e.status === 'cancelled');
    const modified = exceptions.filter((e) => e.status !== 'cancelled');
    expect(cancelled.length).toBeGreaterThan(3);
    expect(modified.length).toBeGreaterThan(3);
    // A cancelled instance carries what Google guarantees and no more than it needs.
    expect(Object.keys(cancelled[0]!).sort()).toEqual([
      'etag',
      'id',
      'kind',
      'originalStartTime',
      'recurringEventId',
      'status',
    ]);

    // Realistic rules: ordinal BYDAY, BYSETPOS, INTERVAL, COUNT, UTC UNTIL, EXDATE with TZID, all-day, splits.
    const lines = parents.flatMap((p) => p.recurrence!);
    expect(lines.some((l) => /BYDAY=-1FR|BYDAY=2MO/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('BYSETPOS='))).toBe(true);
    expect(lines.some((l) => l.includes('INTERVAL='))).toBe(true);
    expect(lines.some((l) => l.includes('COUNT='))).toBe(true);
    expect(lines.some((l) => /UNTIL=\d{8}T\d{6}Z/.test(l))).toBe(true);
    expect(lines.some((l) => /^EXDATE;TZID=[A-Za-z_]+\/[A-Za-z_]+:\d{8}T\d{6}$/.test(l))).toBe(true);
    expect(parents.some((p) => p.start?.date)).toBe(true);
    expect(parents.some((p) => p.id!.includes('_R'))).toBe(true);
    const zones = new Set(parents.map((p) => p.start?.timeZone).filter(Boolean));
    expect(zones.size).toBeGreaterThanOrEqual(4);
  });

  it('without showDeleted, deleted events are left out but cancelled instances stay (Google docs)', async () => {
    const { items } = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    expect(items.filter((e) => e.status === 'cancelled' && !e.recurringEventId)).toEqual([]);
    expect(items.some((e) => e.status === 'cancelled' && e.recurringEventId)).toBe(true);
  });

  it('singleEvents=true expands every occurrence in the window, ordered, with instance ids', async () => {
    const window = { timeMin: '2025-01-01T00:00:00Z', timeMax: '2025-07-01T00:00:00Z' };
    const { items, pages } = await listAll(api, {
      calendarId: 'primary',
      singleEvents: true,
      orderBy: 'startTime',
      maxResults: 500,
      ...window,
    });
    expect(pages).toBeGreaterThan(1);
    expect(items.some((e) => e.recurrence)).toBe(false);
    expect(items.some((e) => e.status === 'cancelled')).toBe(false);
    const starts = items.map((e) => Date.parse(e.start!.dateTime ?? `${e.start!.date}T00:00:00Z`));
    const sortedTimed = items.filter((e) => e.start?.dateTime).map((e) => Date.parse(e.start!.dateTime!));
    expect(sortedTimed).toEqual([...sortedTimed].sort((a, b) => a - b));
    expect(starts.length).toBeGreaterThan(300);
    for (const e of items.filter((i) => i.recurringEventId)) {
      const original = e.originalStartTime!;
      expect(e.id).toBe(
        `${e.recurringEventId}_${original.date ? original.date.replace(/-/g, '') : compactUtc(original.dateTime!)}`,
      );
    }
    // Overlap semantics: end after timeMin, start before timeMax.
    for (const e of items.filter((i) => i.start?.dateTime)) {
      expect(Date.parse(e.end!.dateTime!)).toBeGreaterThan(Date.parse(window.timeMin));
      expect(Date.parse(e.start!.dateTime!)).toBeLessThan(Date.parse(window.timeMax));
    }
  });

  it('expanded instances keep the wall-clock time of their series across DST', async () => {
    const { items: stored } = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    const exceptionIds = new Set(stored.filter((e) => e.recurringEventId).map((e) => e.id));
    const parents = new Map(stored.filter((e) => e.recurrence && e.start?.dateTime).map((p) => [p.id!, p]));
    const { items } = await listAll(api, {
      calendarId: 'primary',
      singleEvents: true,
      maxResults: 2500,
      timeMin: '2024-01-01T00:00:00Z',
      timeMax: '2026-01-01T00:00:00Z',
    });
    let checked = 0;
    const offsets = new Set<string>();
    for (const e of items) {
      const parent = e.recurringEventId ? parents.get(e.recurringEventId) : undefined;
      if (!parent || exceptionIds.has(e.id)) continue;
      const zone = parent.start!.timeZone!;
      const wall = DateTime.fromISO(parent.start!.dateTime!, { zone });
      const got = DateTime.fromISO(e.start!.dateTime!, { zone });
      // The same wall clock on that day, or, if it does not exist that day, moved forward by the gap.
      const intended = DateTime.fromObject(
        { year: got.year, month: got.month, day: got.day, hour: wall.hour, minute: wall.minute },
        { zone },
      );
      expect(got.toFormat('HH:mm'), `${e.id} in ${zone}`).toBe(intended.toFormat('HH:mm'));
      expect(e.start!.timeZone).toBe(zone);
      offsets.add(`${zone}${got.toFormat('ZZ')}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
    // Both sides of DST were crossed in at least one zone.
    expect(offsets.has('America/New_York-05:00') || offsets.has('Europe/Berlin+01:00')).toBe(true);
  });

  it('incremental sync with no changes returns nothing and a fresh token', async () => {
    const { nextSyncToken } = await listAll(api, {
      calendarId: 'primary',
      showDeleted: true,
      maxResults: 2500,
    });
    const { data } = await api.events.list({ calendarId: 'primary', syncToken: nextSyncToken! });
    expect(data.items).toEqual([]);
    expect(data.nextSyncToken).toBeTruthy();
  });

  it('refuses syncToken with timeMin and orderBy=startTime without singleEvents (400)', async () => {
    const { nextSyncToken } = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    const refused: Partial<calendar_v3.Params$Resource$Events$List>[] = [
      { timeMin: '2025-01-01T00:00:00Z' },
      { timeMax: '2025-01-01T00:00:00Z' },
      { q: 'standup' },
      { orderBy: 'updated' },
      { updatedMin: '2025-01-01T00:00:00Z' },
      { iCalUID: 'x@google.com' },
    ];
    for (const extra of refused) {
      const answer = await status(
        api.events.list({ calendarId: 'primary', syncToken: nextSyncToken!, ...extra }),
      );
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect((answer.data as { error: { code: number } }).error.code).toBe(400);
    }
    const ordered = await status(api.events.list({ calendarId: 'primary', orderBy: 'startTime' }));
    expect(ordered.status).toBe(400);
    const badMin = await status(api.events.list({ calendarId: 'primary', timeMin: '2025-01-01' }));
    expect(badMin.status).toBe(400);
  });

  it('answers 410 fullSyncRequired once tokens are invalidated (admin route and exported function)', async () => {
    const { nextSyncToken } = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    const admin = await h.app.inject({
      method: 'POST',
      url: `/admin/calendar/${ALICE}/invalidate-sync-tokens`,
    });
    expect(admin.statusCode).toBe(204);
    const gone = await status(api.events.list({ calendarId: 'primary', syncToken: nextSyncToken! }));
    expect(gone.status).toBe(410);
    expect(gone.data).toEqual({
      error: {
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
        errors: [
          {
            domain: 'global',
            reason: 'fullSyncRequired',
            message: 'Sync token is no longer valid, a full sync is required.',
          },
        ],
      },
    });
    // A full sync gives a token that works again, until the next invalidation.
    const fresh = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    expect(
      (await status(api.events.list({ calendarId: 'primary', syncToken: fresh.nextSyncToken! }))).status,
    ).toBe(200);
    invalidateSyncTokens(ALICE);
    expect(
      (await status(api.events.list({ calendarId: 'primary', syncToken: fresh.nextSyncToken! }))).status,
    ).toBe(410);
    // Bob's tokens are not affected.
    const bob = h.client(BOB);
    const bobSync = await listAll(bob, { calendarId: 'primary', maxResults: 2500 });
    invalidateSyncTokens(ALICE);
    expect(
      (await status(bob.events.list({ calendarId: 'primary', syncToken: bobSync.nextSyncToken! }))).status,
    ).toBe(200);
  });

  it('formats dateTimes in the requested timeZone without changing the instant', async () => {
    const params = {
      calendarId: 'primary',
      singleEvents: true,
      timeMin: '2025-02-01T00:00:00Z',
      timeMax: '2025-02-08T00:00:00Z',
    };
    const { data: own } = await api.events.list(params);
    const { data: tokyo } = await api.events.list({ ...params, timeZone: 'Asia/Tokyo' });
    expect(tokyo.timeZone).toBe('Asia/Tokyo');
    const timed = (own.items ?? []).filter((e) => e.start?.dateTime);
    expect(timed.length).toBeGreaterThan(5);
    for (const [i, e] of timed.entries()) {
      const other = (tokyo.items ?? []).filter((t) => t.start?.dateTime)[i]!;
      expect(other.id).toBe(e.id);
      expect(other.start!.dateTime).toMatch(/\+09:00$/);
      expect(Date.parse(other.start!.dateTime!)).toBe(Date.parse(e.start!.dateTime!));
    }
  });

  it('pages events.instances and bounds it with timeMin/timeMax', async () => {
    const { items: stored } = await listAll(api, { calendarId: 'primary', maxResults: 2500 });
    const daily = stored.find(
      (e) =>
        e.recurrence?.some((l) => /^RRULE:FREQ=(DAILY|WEEKLY)/.test(l)) &&
        !e.recurrence.some((l) => /COUNT|UNTIL/.test(l)),
    )!;
    expect(daily).toBeDefined();
    const window = { timeMin: '2025-01-01T00:00:00Z', timeMax: '2025-04-01T00:00:00Z' };
    const pages: calendar_v3.Schema$Event[][] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await api.events.instances({
        calendarId: 'primary',
        eventId: daily.id!,
        maxResults: 5,
        pageToken,
        ...window,
      });
      expect(data.nextSyncToken).toBeUndefined();
      pages.push(data.items ?? []);
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    const all = pages.flat();
    const { data: one } = await api.events.instances({
      calendarId: 'primary',
      eventId: daily.id!,
      maxResults: 2500,
      ...window,
    });
    expect(all.map((e) => e.id)).toEqual(one.items!.map((e) => e.id));
    if (Date.parse(daily.start!.dateTime ?? `${daily.start!.date}T00:00:00Z`) < Date.parse(window.timeMin)) {
      expect(pages.length).toBeGreaterThan(1);
    }
    for (const e of all) expect(e.recurringEventId).toBe(daily.id);
  });

  it('answers 404 for an unknown calendar or event', async () => {
    expect((await status(api.events.list({ calendarId: 'nobody@example.com' }))).status).toBe(404);
    expect((await status(api.events.get({ calendarId: 'primary', eventId: 'doesnotexist0' }))).status).toBe(
      404,
    );
  });
});

describe('determinism', () => {
  it('the same seed gives the same calendars, a different seed different ones', async () => {
    const runs: string[] = [];
    for (const seed of [777, 777, 778]) {
      const h = await startHarness([account(ALICE, seed)]);
      try {
        const api = h.client(ALICE);
        const full = await listAll(api, { calendarId: 'primary', showDeleted: true, maxResults: 2500 });
        const expanded = await listAll(api, {
          calendarId: 'primary',
          singleEvents: true,
          timeMin: '2025-05-01T00:00:00Z',
          timeMax: '2025-06-01T00:00:00Z',
        });
        runs.push(JSON.stringify([full.items, expanded.items]));
      } finally {
        await h.close();
      }
    }
    expect(runs[0]).toBe(runs[1]);
    expect(runs[0]).not.toBe(runs[2]);
  });
});
