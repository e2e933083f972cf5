/**
 * The expansion oracle against the shared conformance cases (RFC 5545 §3.8.5.3 examples and DST cases).
 * Unit level: expandSeries is pure. The same cases are checked end to end through events.instances in
 * calendar-write.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandSeries } from '../src/calendar/expand.js';
import { localToInstant } from '../src/calendar/time.js';

interface ConformanceCase {
  name: string;
  dtstart: string;
  tzid: string;
  rrule: string;
  exdate: string[];
  rdate: string[];
  expected_utc: string[];
  truncated: boolean;
  listed_count: number;
}

const cases: ConformanceCase[] = JSON.parse(
  readFileSync(new URL('../../../conformance/rrule-cases.json', import.meta.url), 'utf8'),
);

const floating = (local: string) => Date.parse(`${local}Z`);
const compact = (local: string) => local.replace(/[-:]/g, '');

describe('expandSeries against conformance/rrule-cases.json', () => {
  it('has cases to check', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const c of cases) {
    it(c.name, () => {
      const recurrence = [`RRULE:${c.rrule}`];
      if (c.exdate.length > 0) recurrence.push(`EXDATE;TZID=${c.tzid}:${c.exdate.map(compact).join(',')}`);
      if (c.rdate.length > 0) recurrence.push(`RDATE;TZID=${c.tzid}:${c.rdate.map(compact).join(',')}`);
      const got = expandSeries(
        { allDay: false, startLocal: floating(c.dtstart), timeZone: c.tzid, recurrence },
        Date.parse('2100-01-01T00:00:00Z'),
        c.truncated ? c.listed_count : 100_000,
      );
      expect(got.map((o) => new Date(o.start).toISOString().replace('.000', ''))).toEqual(
        c.truncated ? c.expected_utc.slice(0, c.listed_count) : c.expected_utc,
      );
    });
  }
});

describe('localToInstant', () => {
  it('moves a nonexistent local time forward by the gap', () => {
    expect(new Date(localToInstant(floating('2025-03-09T02:30:00'), 'America/New_York')).toISOString()).toBe(
      '2025-03-09T07:30:00.000Z',
    );
    expect(new Date(localToInstant(floating('2025-03-30T02:30:00'), 'Europe/Berlin')).toISOString()).toBe(
      '2025-03-30T01:30:00.000Z',
    );
  });

  it('takes the first of two readings of an ambiguous local time, in every hemisphere', () => {
    const cases: [string, string, string][] = [
      ['America/New_York', '2025-11-02T01:30:00', '2025-11-02T05:30:00.000Z'],
      ['Europe/Berlin', '2025-10-26T02:30:00', '2025-10-26T00:30:00.000Z'],
      ['Europe/London', '2025-10-26T01:30:00', '2025-10-26T00:30:00.000Z'],
      ['Australia/Sydney', '2025-04-06T02:30:00', '2025-04-05T15:30:00.000Z'],
      ['Australia/Lord_Howe', '2025-04-06T01:45:00', '2025-04-05T14:45:00.000Z'],
    ];
    for (const [zone, local, utc] of cases) {
      expect(new Date(localToInstant(floating(local), zone)).toISOString(), zone).toBe(utc);
    }
  });
});

describe('expandSeries: Google recurrence lines', () => {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
  const berlin = (recurrence: string[]) =>
    expandSeries(
      { allDay: false, startLocal: floating('2025-09-02T17:00:00'), timeZone: 'Europe/Berlin', recurrence },
      Date.parse('2030-01-01T00:00:00Z'),
    ).map((o) => iso(o.start));

  it('applies EXDATE;TZID and RDATE;TZID lines', () => {
    expect(
      berlin([
        'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4',
        'EXDATE;TZID=Europe/Berlin:20250916T170000',
        'RDATE;TZID=Europe/Berlin:20250918T170000',
      ]),
    ).toEqual([
      '2025-09-02T15:00:00Z',
      '2025-09-09T15:00:00Z',
      '2025-09-18T15:00:00Z',
      '2025-09-23T15:00:00Z',
    ]);
  });

  it('compares a UTC UNTIL as an instant (inclusive)', () => {
    expect(berlin(['RRULE:FREQ=WEEKLY;UNTIL=20250916T150000Z'])).toHaveLength(3);
    expect(berlin(['RRULE:FREQ=WEEKLY;UNTIL=20250916T145959Z'])).toHaveLength(2);
  });

  it('keeps all-day series in dates, with EXDATE;VALUE=DATE and a date UNTIL', () => {
    const got = expandSeries(
      {
        allDay: true,
        startLocal: floating('2025-01-31T00:00:00'),
        timeZone: 'Australia/Sydney',
        recurrence: ['RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20250630', 'EXDATE;VALUE=DATE:20250331'],
      },
      floating('2030-01-01T00:00:00'),
    ).map((o) => iso(o.start).slice(0, 10));
    expect(got).toEqual(['2025-01-31', '2025-02-28', '2025-04-30', '2025-05-31', '2025-06-30']);
  });

  it('unions several RRULEs and subtracts an EXRULE', () => {
    expect(
      berlin([
        'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3',
        'RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=2',
        'EXRULE:FREQ=MONTHLY;BYMONTHDAY=4',
      ]),
    ).toEqual([
      '2025-09-02T15:00:00Z',
      '2025-09-09T15:00:00Z',
      '2025-09-11T15:00:00Z',
      '2025-09-16T15:00:00Z',
    ]);
  });
});
