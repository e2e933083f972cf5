import { afterEach, describe, expect, it } from 'vitest';
import { account, type Harness, startHarness } from './calendar-harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("the emulator's empty calendars (calendars: 'empty', for mail benchmarks of many accounts)", () => {
  it('gives each account its primary calendar with no events; writes still work', async () => {
    harness = await startHarness([account('empty@example.com', 7)], { empty: true });
    const api = harness.client('empty@example.com');
    const calendars = (await api.calendarList.list()).data.items ?? [];
    expect(calendars.map((entry) => [entry.id, entry.primary])).toEqual([['empty@example.com', true]]);
    const events = await api.events.list({ calendarId: 'primary', singleEvents: false, showDeleted: true });
    expect(events.data.items).toEqual([]);
    expect(events.data.nextSyncToken).toBeTruthy();
    await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'one',
        start: { dateTime: '2026-12-02T10:00:00Z' },
        end: { dateTime: '2026-12-02T11:00:00Z' },
      },
    });
    const after = await api.events.list({ calendarId: 'primary' });
    expect(after.data.items?.map((event) => event.summary)).toEqual(['one']);
  });

  it('generates events by default', async () => {
    harness = await startHarness([account('full@example.com', 7)]);
    const api = harness.client('full@example.com');
    expect((await api.calendarList.list()).data.items).toHaveLength(2);
    expect(
      (await api.events.list({ calendarId: 'primary', singleEvents: false })).data.items?.length,
    ).toBeGreaterThan(0);
  });
});
