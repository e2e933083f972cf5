/**
 * Calendar writes through the real client and what a later incremental sync reports, the way Google does:
 * patching one instance, deleting one instance, deleting a series, 'this and following' (update the parent's
 * UNTIL + insert the new series), and conformance cases checked end to end through events.instances.
 */
import { readFileSync } from 'node:fs';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { account, type Harness, listAll, startHarness } from './calendar-harness.js';

const ALICE = 'alice@example.com';
const HOUR = 3_600_000;

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    const response = (error as { response?: { status: number } }).response;
    if (!response) throw error;
    return response.status;
  }
}

describe('calendar writes and incremental sync', () => {
  let h: Harness;
  let api: calendar_v3.Calendar;
  let syncToken: string;
  let series: calendar_v3.Schema$Event;

  beforeAll(async () => {
    h = await startHarness([account(ALICE, 4242)]);
    api = h.client(ALICE);
  });
  afterAll(() => h.close());

  /** A fresh weekly series (inserted, so the test knows it has no exceptions), then a full sync. */
  beforeEach(async () => {
    const { data } = await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'Weekly sync',
        start: { dateTime: '2025-01-07T10:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2025-01-07T11:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=20'],
      },
    });
    series = data;
    const full = await listAll(api, { calendarId: 'primary', showDeleted: true, maxResults: 2500 });
    syncToken = full.nextSyncToken!;
  });

  const changes = async () => {
    const result = await listAll(api, { calendarId: 'primary', syncToken });
    expect(result.nextSyncToken).toBeTruthy();
    return result.items;
  };

  const instances = async (params: Partial<calendar_v3.Params$Resource$Events$Instances> = {}) =>
    (await api.events.instances({ calendarId: 'primary', eventId: series.id!, ...params })).data.items ?? [];

  it('inserts a series in the product-visible shape', async () => {
    expect(series.id).toMatch(/^[a-v0-9]{26}$/);
    expect(series.start).toEqual({
      dateTime: expect.stringMatching(/^2025-01-07T\d\d:00:00[+-]\d\d:\d\d$/),
      timeZone: 'Europe/Berlin',
    });
    expect(Date.parse(series.start!.dateTime!)).toBe(Date.parse('2025-01-07T09:00:00Z'));
    const all = await instances();
    expect(all).toHaveLength(20);
    // Berlin switches to CEST on 2025-03-30: 10:00 local is 09:00Z before and 08:00Z after.
    expect(all[11]!.originalStartTime?.dateTime && Date.parse(all[11]!.originalStartTime.dateTime)).toBe(
      Date.parse('2025-03-25T09:00:00Z'),
    );
    expect(Date.parse(all[12]!.start!.dateTime!)).toBe(Date.parse('2025-04-01T08:00:00Z'));
    expect(all[12]!.id).toBe(`${series.id}_20250401T080000Z`);
  });

  it('patching one instance creates an exception that incremental sync reports with recurringEventId', async () => {
    const target = (await instances())[3]!;
    const movedStart = Date.parse(target.start!.dateTime!) + 2 * HOUR;
    const { data: patched } = await api.events.patch({
      calendarId: 'primary',
      eventId: target.id!,
      requestBody: {
        summary: 'Weekly sync (moved)',
        start: { dateTime: new Date(movedStart).toISOString() },
        end: { dateTime: new Date(movedStart + HOUR).toISOString() },
      },
    });
    expect(patched.id).toBe(target.id);
    expect(patched.recurringEventId).toBe(series.id);
    expect(patched.sequence).toBeGreaterThan(series.sequence!);

    const changed = await changes();
    expect(changed.map((e) => e.id)).toEqual([target.id]);
    const ex = changed[0]!;
    expect(ex.recurringEventId).toBe(series.id);
    expect(Date.parse(ex.originalStartTime!.dateTime!)).toBe(Date.parse(target.originalStartTime!.dateTime!));
    expect(Date.parse(ex.start!.dateTime!)).toBe(movedStart);
    expect(ex.summary).toBe('Weekly sync (moved)');
    expect(ex.updated! > series.updated!).toBe(true);
    expect(ex.etag).not.toBe(series.etag);

    // The parent is untouched; the instance is at its new time, and events.get sees the exception.
    const { data: parent } = await api.events.get({ calendarId: 'primary', eventId: series.id! });
    expect(parent.etag).toBe(series.etag);
    const after = await instances();
    expect(after).toHaveLength(20);
    expect(after.find((e) => e.id === target.id)?.summary).toBe('Weekly sync (moved)');
    const { data: got } = await api.events.get({ calendarId: 'primary', eventId: target.id! });
    expect(Date.parse(got.start!.dateTime!)).toBe(movedStart);
  });

  it('deleting one instance records a cancelled exception, without an EXDATE on the parent', async () => {
    const target = (await instances())[5]!;
    expect((await api.events.delete({ calendarId: 'primary', eventId: target.id! })).status).toBe(204);

    const changed = await changes();
    expect(changed).toEqual([
      {
        kind: 'calendar#event',
        etag: expect.any(String),
        id: target.id,
        status: 'cancelled',
        recurringEventId: series.id,
        originalStartTime: target.originalStartTime,
      },
    ]);
    const { data: parent } = await api.events.get({ calendarId: 'primary', eventId: series.id! });
    expect(parent.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=20']);
    expect((await instances()).map((e) => e.id)).not.toContain(target.id);
    const withDeleted = await instances({ showDeleted: true });
    expect(withDeleted.find((e) => e.id === target.id)?.status).toBe('cancelled');
    // Google: deleting what is already deleted answers 410 Gone.
    expect(await status(api.events.delete({ calendarId: 'primary', eventId: target.id! }))).toBe(410);
  });

  it('cancelling an instance by patching status, as Google documents, is the same change', async () => {
    const target = (await instances())[7]!;
    await api.events.patch({
      calendarId: 'primary',
      eventId: target.id!,
      requestBody: { status: 'cancelled' },
    });
    const changed = await changes();
    expect(changed.map((e) => [e.id, e.status, e.recurringEventId])).toEqual([
      [target.id, 'cancelled', series.id],
    ]);
  });

  it('deleting the series reports the parent cancelled and removes its instances', async () => {
    await api.events.delete({ calendarId: 'primary', eventId: series.id! });
    const changed = await changes();
    expect(changed).toEqual([
      { kind: 'calendar#event', etag: expect.any(String), id: series.id, status: 'cancelled' },
    ]);
    const { items } = await listAll(api, {
      calendarId: 'primary',
      singleEvents: true,
      timeMin: '2025-01-01T00:00:00Z',
      timeMax: '2025-07-01T00:00:00Z',
      maxResults: 2500,
    });
    expect(items.filter((e) => e.recurringEventId === series.id)).toEqual([]);
    const { data: gone } = await api.events.get({ calendarId: 'primary', eventId: series.id! });
    expect(gone.status).toBe('cancelled');
  });

  it("'this and following': update the parent's UNTIL, insert the new series", async () => {
    const all = await instances();
    const split = all[10]!; // 2025-03-18
    const moved = all[9]!; // an exception before the split stays
    await api.events.patch({ calendarId: 'primary', eventId: moved.id!, requestBody: { summary: 'kept' } });
    const doomed = all[14]!; // an exception after the split goes with the old rule
    await api.events.patch({
      calendarId: 'primary',
      eventId: doomed.id!,
      requestBody: { summary: 'orphan' },
    });
    const until = new Date(Date.parse(split.start!.dateTime!) - 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace('.000', '');
    const { data: head } = await api.events.update({
      calendarId: 'primary',
      eventId: series.id!,
      requestBody: { ...series, recurrence: [`RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=${until}`] },
    });
    expect(head.sequence).toBe(series.sequence! + 1);
    const { data: tail } = await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'Weekly sync (new time)',
        start: { dateTime: '2025-03-18T15:00:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2025-03-18T16:00:00', timeZone: 'Europe/Berlin' },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10'],
      },
    });

    const changed = await changes();
    const byId = new Map(changed.map((e) => [e.id, e]));
    expect(byId.get(series.id)?.recurrence).toEqual([`RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=${until}`]);
    expect(byId.get(tail.id)?.recurrence).toEqual(['RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10']);
    expect(byId.get(moved.id)?.summary).toBe('kept');
    expect(byId.get(doomed.id)?.status).toBe('cancelled');

    const { items } = await listAll(api, {
      calendarId: 'primary',
      singleEvents: true,
      orderBy: 'startTime',
      timeMin: '2025-01-01T00:00:00Z',
      timeMax: '2025-12-31T00:00:00Z',
      maxResults: 2500,
    });
    const old = items.filter((e) => e.recurringEventId === series.id);
    const next = items.filter((e) => e.recurringEventId === tail.id);
    expect(old).toHaveLength(10);
    expect(next).toHaveLength(10);
    expect(Date.parse(old.at(-1)!.start!.dateTime!)).toBeLessThan(Date.parse(next[0]!.start!.dateTime!));
    expect(Date.parse(next[0]!.start!.dateTime!)).toBe(Date.parse('2025-03-18T14:00:00Z'));
  });

  it('incremental sync with singleEvents=true reports the changed instance only', async () => {
    const full = await listAll(api, {
      calendarId: 'primary',
      singleEvents: true,
      maxResults: 2500,
      timeMin: '2025-01-01T00:00:00Z',
      timeMax: '2025-02-01T00:00:00Z',
    });
    const token = full.nextSyncToken!;
    const target = (await instances())[2]!;
    await api.events.patch({
      calendarId: 'primary',
      eventId: target.id!,
      requestBody: { location: 'Room 7' },
    });
    const { items } = await listAll(api, { calendarId: 'primary', singleEvents: true, syncToken: token });
    expect(items.map((e) => [e.id, e.location, e.recurringEventId])).toEqual([
      [target.id, 'Room 7', series.id],
    ]);
  });

  it('a change made elsewhere (admin route) shows up in the next incremental sync', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: `/admin/calendar/${ALICE}/calendars/primary/events`,
      payload: {
        summary: 'Booked from the phone',
        start: { dateTime: '2025-02-03T12:00:00Z' },
        end: { dateTime: '2025-02-03T12:30:00Z' },
      },
    });
    expect(response.statusCode).toBe(200);
    const changed = await changes();
    expect(changed.map((e) => e.summary)).toEqual(['Booked from the phone']);
  });

  it('refuses a recurring event without start.timeZone, as Google does', async () => {
    const code = await status(
      api.events.insert({
        calendarId: 'primary',
        requestBody: {
          start: { dateTime: '2025-01-07T10:00:00Z' },
          end: { dateTime: '2025-01-07T11:00:00Z' },
          recurrence: ['RRULE:FREQ=DAILY'],
        },
      }),
    );
    expect(code).toBe(400);
  });
});

interface ConformanceCase {
  name: string;
  dtstart: string;
  tzid: string;
  rrule: string;
  exdate: string[];
  expected_utc: string[];
  truncated: boolean;
  listed_count: number;
}

describe('conformance cases end to end (insert, then events.instances)', () => {
  const all: ConformanceCase[] = JSON.parse(
    readFileSync(new URL('../../../conformance/rrule-cases.json', import.meta.url), 'utf8'),
  );
  // The DST cases, and RFC examples with ordinals, BYSETPOS, INTERVAL, UNTIL and BYMONTHDAY=-3.
  const chosen = all.filter(
    (c) =>
      /spring-forward|fall-back/.test(c.name) ||
      [
        'Daily until December 24, 1997',
        'Monthly on the first Friday for 10 occurrences',
        'Monthly on the second-to-last Monday of the month for 6 months',
        'Monthly on the third-to-the-last day of the month, forever',
        'The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months',
        'The second-to-last weekday of the month',
        'Every other week on Monday, Wednesday, and Friday until December 24, 1997, starting on Monday, September 1, 1997',
      ].includes(c.name),
  );
  let h: Harness;
  let api: calendar_v3.Calendar;

  beforeAll(async () => {
    h = await startHarness([account(ALICE, 1)]);
    api = h.client(ALICE);
  });
  afterAll(() => h.close());

  it('covers the DST cases and at least six RFC examples', () => {
    expect(chosen.filter((c) => /spring|fall/.test(c.name)).length).toBe(4);
    expect(chosen.length).toBeGreaterThanOrEqual(11);
  });

  for (const c of chosen) {
    it(c.name, async () => {
      const end = new Date(Date.parse(`${c.dtstart}Z`) + 30 * 60_000).toISOString().slice(0, 19);
      const { data: parent } = await api.events.insert({
        calendarId: 'primary',
        requestBody: {
          summary: c.name,
          start: { dateTime: c.dtstart, timeZone: c.tzid },
          end: { dateTime: end, timeZone: c.tzid },
          recurrence: [`RRULE:${c.rrule}`],
        },
      });
      const { data } = await api.events.instances({
        calendarId: 'primary',
        eventId: parent.id!,
        maxResults: c.truncated ? c.listed_count : 2500,
      });
      const got = (data.items ?? []).map((e) =>
        new Date(Date.parse(e.start!.dateTime!)).toISOString().replace('.000', ''),
      );
      expect(got).toEqual(c.truncated ? c.expected_utc.slice(0, c.listed_count) : c.expected_utc);
    });
  }
});
