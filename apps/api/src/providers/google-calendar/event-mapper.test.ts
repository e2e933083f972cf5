import { describe, expect, it } from 'vitest';
import { mapEvent } from './event-mapper.ts';

const single = {
  id: 'abc123def',
  summary: 'Lunch',
  location: 'Canteen',
  start: { dateTime: '2026-01-06T12:00:00Z' },
  end: { dateTime: '2026-01-06T13:00:00Z' },
  updated: '2026-01-01T00:00:00.000Z',
};
const master = {
  id: 'series01',
  start: { dateTime: '2026-01-05T09:00:00+01:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-01-05T09:15:00+01:00', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
};

describe('mapEvent: hostile values (issue 14)', () => {
  it('cleans NUL and lone surrogates from text, so the row and the exceptions JSONB can be stored', () => {
    const row = mapEvent({ ...single, summary: 'Stand\u0000up \ud800', location: '\udc00' }, 'UTC');
    expect(row).toMatchObject({
      type: 'row',
      row: { summary: 'Standup \uFFFD', location: '\uFFFD', parse_error: null },
    });
    const instance = mapEvent(
      {
        id: 'series01_20260112T080000Z',
        recurringEventId: 'series01',
        originalStartTime: { dateTime: '2026-01-12T09:00:00+01:00' },
        summary: 'Moved\u0000',
        location: 'Room \ud800',
      },
      'UTC',
    );
    expect(instance).toMatchObject({
      type: 'exception',
      instanceId: 'series01_20260112T080000Z',
      override: { summary: 'Moved', location: 'Room \uFFFD' },
    });
  });

  it('stores an event without the optional field that did not parse, and says which', () => {
    const mapped = mapEvent({ ...single, summary: 42, updated: 'yesterday' }, 'UTC');
    expect(mapped).toMatchObject({ type: 'row', row: { summary: null, google_updated: null } });
    expect(mapped.type === 'row' && mapped.row.parse_error).toMatch(/^summary: .*; updated: /);
  });

  it('refuses, with a reason and the id, what it cannot store faithfully', () => {
    const reasons = [
      { ...single, id: 'bad\u0000id' },
      { ...single, status: 'exploded' },
      { ...master, recurrence: 'RRULE:FREQ=DAILY' },
      { ...single, start: { date: '0000-01-01' }, end: { date: '0000-01-02' } },
      { ...single, start: { dateTime: '275760-09-13T00:00:00Z' } },
      { ...single, start: { dateTime: 'soon' } },
      { ...single, recurringEventId: 'x\u0000' },
      [single],
      null,
    ].map((raw) => mapEvent(raw, 'UTC'));
    for (const mapped of reasons) expect(mapped.type, JSON.stringify(mapped)).toBe('invalid');
    expect(reasons[0]).toEqual({
      type: 'invalid',
      googleEventId: 'bad\u0000id',
      reason: 'id: not a Calendar event id',
    });
    expect(reasons[1]).toMatchObject({
      googleEventId: single.id,
      reason: expect.stringMatching(/^status: /),
    });
  });

  it('reads an UNTIL past year 9999 as an unbounded series rather than a value the database refuses', () => {
    const mapped = mapEvent({ ...master, recurrence: ['RRULE:FREQ=YEARLY;UNTIL=99991231T000000Z'] }, 'UTC');
    expect(mapped).toMatchObject({ type: 'row', row: { kind: 'series' } });
  });

  it('never throws, whatever the input', () => {
    for (const raw of [
      undefined,
      0,
      'event',
      {},
      { id: {} },
      { ...master, recurrence: ['\u0000', 'RRULE:\ud800'] },
    ]) {
      expect(() => mapEvent(raw, 'Not/AZone')).not.toThrow();
    }
  });
});
