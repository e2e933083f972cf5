import { describe, expect, it } from 'vitest';
import {
  compileSeries,
  expand,
  expandOrFallback,
  firstOccurrenceFallback,
  type Occurrence,
  RecurrenceError,
  type Series,
  seriesBounds,
  toLocalDateTime,
} from '../src/index.ts';

const at = (iso: string) => new Date(iso);
const utc = (list: Occurrence[]) => list.map((o) => o.start.toISOString().replace('.000', ''));
const local = (list: Occurrence[], tz: string) => list.map((o) => toLocalDateTime(o.start, tz));
const HOUR = 3_600_000;

describe('daylight-saving transitions', () => {
  const daily = (dtstart: string, rule = 'FREQ=DAILY'): Series => ({
    dtstart,
    tzid: 'America/New_York',
    durationMs: HOUR,
    recurrence: [`RRULE:${rule}`],
  });

  it('moves an occurrence in the spring-forward gap forward by the gap', () => {
    const got = expand(daily('2025-03-07T02:30:00'), at('2025-03-07T00:00:00Z'), at('2025-03-11T00:00:00Z'));
    expect(local(got, 'America/New_York')).toEqual([
      '2025-03-07T02:30:00',
      '2025-03-08T02:30:00',
      '2025-03-09T03:30:00',
      '2025-03-10T02:30:00',
    ]);
    expect(got[2]).toMatchObject({ originalStart: '2025-03-09T07:30:00Z', end: at('2025-03-09T08:30:00Z') });
  });

  it('takes the first of an ambiguous local time, once', () => {
    const got = expand(daily('2025-10-31T01:30:00'), at('2025-10-31T00:00:00Z'), at('2025-11-04T00:00:00Z'));
    expect(utc(got)).toEqual([
      '2025-10-31T05:30:00Z',
      '2025-11-01T05:30:00Z',
      '2025-11-02T05:30:00Z',
      '2025-11-03T06:30:00Z',
    ]);
  });

  it('compares a UTC UNTIL as an instant, also when its local reading is earlier (fall back)', () => {
    // 06:15Z is 01:15 EST, the second 01:15; the 01:30 EDT occurrence (05:30Z) is before it.
    const series = daily('2025-10-30T01:30:00', 'FREQ=DAILY;UNTIL=20251102T061500Z');
    expect(utc(expand(series, at('2025-10-01T00:00:00Z'), at('2025-12-01T00:00:00Z'))).at(-1)).toBe(
      '2025-11-02T05:30:00Z',
    );
    const before = daily('2025-10-30T01:30:00', 'FREQ=DAILY;UNTIL=20251102T052959Z');
    expect(utc(expand(before, at('2025-10-01T00:00:00Z'), at('2025-12-01T00:00:00Z'))).at(-1)).toBe(
      '2025-11-01T05:30:00Z',
    );
    expect(seriesBounds(series).end).toEqual(at('2025-11-02T06:30:00Z'));
  });

  it('compares a UTC UNTIL as an instant in the spring-forward gap', () => {
    // 07:10Z is 03:10 EDT; the 02:30 occurrence of 2025-03-09 becomes 03:30 EDT (07:30Z), after UNTIL.
    const series = daily('2025-03-06T02:30:00', 'FREQ=DAILY;UNTIL=20250309T071000Z');
    expect(
      local(expand(series, at('2025-03-01T00:00:00Z'), at('2025-04-01T00:00:00Z')), 'America/New_York'),
    ).toEqual(['2025-03-06T02:30:00', '2025-03-07T02:30:00', '2025-03-08T02:30:00']);
  });

  it('keeps the wall-clock time of a weekly meeting across DST in Berlin and Sydney', () => {
    for (const tzid of ['Europe/Berlin', 'Australia/Sydney']) {
      const series: Series = { dtstart: '2025-01-06T09:00:00', tzid, recurrence: ['RRULE:FREQ=WEEKLY'] };
      const got = expand(series, at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'));
      expect(got).toHaveLength(52);
      expect(new Set(local(got, tzid).map((t) => t.slice(11)))).toEqual(new Set(['09:00:00']));
    }
  });

  it('gives every occurrence the same exact duration (RFC 5545 §3.8.5.3), from durationMs or end', () => {
    const series: Series = {
      dtstart: '2025-03-08T01:00:00',
      end: '2025-03-08T03:00:00',
      tzid: 'America/New_York',
      recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
    };
    const [, sunday] = expand(series, at('2025-03-01T00:00:00Z'), at('2025-04-01T00:00:00Z'));
    expect(sunday!.end.getTime() - sunday!.start.getTime()).toBe(2 * HOUR);
    expect(toLocalDateTime(sunday!.end, 'America/New_York')).toBe('2025-03-09T04:00:00');
  });
});

describe('window', () => {
  const weekly: Series = {
    dtstart: '2025-01-06T09:00:00',
    tzid: 'Europe/Berlin',
    durationMs: 3 * 24 * HOUR,
    recurrence: ['RRULE:FREQ=WEEKLY'],
  };

  it('is [from, to) on starts by default', () => {
    const got = expand(weekly, at('2025-01-13T08:00:00Z'), at('2025-01-20T08:00:00Z'));
    expect(utc(got)).toEqual(['2025-01-13T08:00:00Z']);
  });

  it('also takes occurrences that started earlier and overlap, with window: overlap', () => {
    const got = expand(weekly, at('2025-01-14T00:00:00Z'), at('2025-01-15T00:00:00Z'), { window: 'overlap' });
    expect(utc(got)).toEqual(['2025-01-13T08:00:00Z']);
    expect(expand(weekly, at('2025-01-14T00:00:00Z'), at('2025-01-15T00:00:00Z'))).toEqual([]);
  });

  it('is empty for an empty or inverted window', () => {
    expect(expand(weekly, at('2025-02-01T00:00:00Z'), at('2025-02-01T00:00:00Z'))).toEqual([]);
    expect(expand(weekly, at('2025-03-01T00:00:00Z'), at('2025-02-01T00:00:00Z'))).toEqual([]);
  });

  it('gives the same answer far from DTSTART as an iteration from DTSTART', () => {
    const rules = [
      'FREQ=DAILY;INTERVAL=3',
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;WKST=SU',
      'FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SU;WKST=MO',
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2',
      'FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31',
      'FREQ=MONTHLY;BYDAY=-1SU',
      'FREQ=YEARLY;BYWEEKNO=1,52,53;BYDAY=MO',
      'FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29',
      'FREQ=YEARLY;BYDAY=20MO',
      'FREQ=HOURLY;INTERVAL=7;BYHOUR=9,10,11,12,13,14,15,16',
      'FREQ=MINUTELY;INTERVAL=90;BYDAY=SA',
      'FREQ=DAILY;COUNT=5000;BYDAY=MO,FR',
      'FREQ=WEEKLY;UNTIL=20290101T000000Z;BYDAY=TH',
    ];
    for (const rule of rules) {
      const series: Series = {
        dtstart: '2003-01-31T10:30:00',
        tzid: 'Europe/Berlin',
        recurrence: [`RRULE:${rule}`],
      };
      const from = at('2026-03-20T00:00:00Z');
      const to = at('2026-11-10T00:00:00Z');
      // 23 years of an hourly rule are more than a call's default budget.
      const big = { budget: { candidates: 10_000_000, occurrences: 1_000_000 } };
      const fromStart = expand(series, at('2003-01-31T09:30:00Z'), to, big).filter((o) => o.start >= from);
      expect(expand(series, from, to), rule).toEqual(fromStart);
    }
  });
});

describe('the recurrence set: RDATE, EXDATE, EXRULE', () => {
  const base = { dtstart: '2025-09-02T17:00:00', tzid: 'Europe/Berlin', durationMs: HOUR };
  const sept = [at('2025-09-01T00:00:00Z'), at('2025-10-01T00:00:00Z')] as const;

  it('removes EXDATEs given with a TZID, in UTC or as a whole date', () => {
    const series: Series = {
      ...base,
      recurrence: [
        'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=5',
        'EXDATE;TZID=Europe/Berlin:20250916T170000',
        'EXDATE:20250909T150000Z',
        'EXDATE;VALUE=DATE:20250923',
      ],
    };
    expect(local(expand(series, ...sept), 'Europe/Berlin')).toEqual([
      '2025-09-02T17:00:00',
      '2025-09-30T17:00:00',
    ]);
  });

  it('adds RDATEs in any form once, and EXDATE removes them too', () => {
    const series: Series = {
      ...base,
      recurrence: [
        'RRULE:FREQ=WEEKLY;COUNT=2',
        'RDATE;TZID=America/New_York:20250903T090000,20250902T110000',
        'RDATE:20250905T120000Z',
        'RDATE;VALUE=DATE:20250920',
        'RDATE;TZID=Europe/Berlin:20250925T100000',
        'EXDATE;TZID=Europe/Berlin:20250925T100000',
      ],
    };
    expect(local(expand(series, ...sept), 'Europe/Berlin')).toEqual([
      '2025-09-02T17:00:00',
      '2025-09-03T15:00:00',
      '2025-09-05T14:00:00',
      '2025-09-09T17:00:00',
      '2025-09-20T17:00:00',
    ]);
  });

  it('is DTSTART alone, plus RDATEs, without an RRULE', () => {
    const series: Series = { ...base, recurrence: ['RDATE:20250910T100000Z'] };
    expect(utc(expand(series, ...sept))).toEqual(['2025-09-02T15:00:00Z', '2025-09-10T10:00:00Z']);
  });

  it('removes EXRULE occurrences and merges several RRULEs', () => {
    const series: Series = {
      ...base,
      recurrence: [
        'RRULE:FREQ=DAILY;COUNT=10',
        'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3',
        'EXRULE:FREQ=WEEKLY;BYDAY=SA,SU',
      ],
    };
    expect(local(expand(series, ...sept), 'Europe/Berlin').map((t) => t.slice(0, 10))).toEqual([
      '2025-09-02',
      '2025-09-03',
      '2025-09-04',
      '2025-09-05',
      '2025-09-08',
      '2025-09-09',
      '2025-09-10',
      '2025-09-11',
      '2025-09-16',
    ]);
  });
});

describe('all-day series', () => {
  const birthday: Series = {
    dtstart: '2020-02-29',
    recurrence: ['RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', 'EXDATE;VALUE=DATE:20230228'],
  };

  it('stay dates, whatever the zone', () => {
    const got = expand(birthday, at('2020-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'));
    expect(got.map((o) => [o.originalStart, o.startDate, o.endDate])).toEqual([
      ['2020-02-29', '2020-02-29', '2020-03-01'],
      ['2021-02-28', '2021-02-28', '2021-03-01'],
      ['2022-02-28', '2022-02-28', '2022-03-01'],
      ['2024-02-29', '2024-02-29', '2024-03-01'],
      ['2025-02-28', '2025-02-28', '2025-03-01'],
    ]);
    expect(got[0]).toMatchObject({
      allDay: true,
      start: at('2020-02-29T00:00:00Z'),
      end: at('2020-03-01T00:00:00Z'),
    });
  });

  it('become instants at midnight in allDayZone, for the window and start/end', () => {
    const options = { allDayZone: 'America/Los_Angeles' };
    const got = expand(birthday, at('2025-02-28T08:00:00Z'), at('2025-03-01T08:00:00Z'), options);
    expect(got).toEqual([
      expect.objectContaining({ startDate: '2025-02-28', start: at('2025-02-28T08:00:00Z') }),
    ]);
    expect(expand(birthday, at('2025-02-28T00:00:00Z'), at('2025-02-28T08:00:00Z'), options)).toEqual([]);
  });

  it('last whole days, from durationMs or end, with date UNTIL inclusive', () => {
    const trip: Series = {
      dtstart: '2025-07-04',
      end: '2025-07-07',
      recurrence: ['RRULE:FREQ=YEARLY;UNTIL=20270704'],
    };
    const got = expand(trip, at('2025-01-01T00:00:00Z'), at('2030-01-01T00:00:00Z'));
    expect(got.map((o) => `${o.startDate}..${o.endDate}`)).toEqual([
      '2025-07-04..2025-07-07',
      '2026-07-04..2026-07-07',
      '2027-07-04..2027-07-07',
    ]);
    expect(seriesBounds(trip)).toEqual({
      start: at('2025-07-04T00:00:00Z'),
      end: at('2027-07-07T00:00:00Z'),
    });
  });
});

describe('exceptions', () => {
  const standup: Series = {
    dtstart: '2025-09-01T09:00:00',
    tzid: 'Europe/Berlin',
    durationMs: HOUR / 4,
    recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
    exceptions: {
      cancelled: ['2025-09-08T07:00:00Z'],
      overrides: {
        // moved from Monday 15th to Friday 19th 14:00
        '2025-09-15T07:00:00Z': { start: '2025-09-19T14:00:00+02:00', summary: 'Standup (moved)' },
        // moved from 22nd (inside September) out to 2 October, key given with an offset
        '2025-09-22T09:00:00+02:00': { start: '2025-10-02T09:00:00', end: '2025-10-02T10:00:00' },
        // retitled only
        '2025-09-29T07:00:00.000Z': { summary: 'Retro' },
        // moved from 6 October back into September
        '2025-10-06T07:00:00Z': { start: '2025-09-26T07:00:00Z' },
      },
    },
  };

  it('drop cancelled starts and show overrides at their new times, moved in or out of the window', () => {
    const got = expand(standup, at('2025-09-01T00:00:00Z'), at('2025-10-01T00:00:00Z'));
    expect(
      got.map((o) => [o.originalStart, o.start.toISOString(), o.isException, o.overrides?.summary]),
    ).toEqual([
      ['2025-09-01T07:00:00Z', '2025-09-01T07:00:00.000Z', false, undefined],
      ['2025-09-15T07:00:00Z', '2025-09-19T12:00:00.000Z', true, 'Standup (moved)'],
      ['2025-10-06T07:00:00Z', '2025-09-26T07:00:00.000Z', true, undefined],
      ['2025-09-29T07:00:00Z', '2025-09-29T07:00:00.000Z', true, 'Retro'],
    ]);
    expect(got[1]!.end).toEqual(at('2025-09-19T12:15:00Z'));
  });

  it('show a moved-out occurrence in the window it moved to', () => {
    const got = expand(standup, at('2025-10-01T00:00:00Z'), at('2025-10-08T00:00:00Z'));
    expect(got.map((o) => [o.originalStart, o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2025-09-22T07:00:00Z', '2025-10-02T07:00:00.000Z', '2025-10-02T08:00:00.000Z'],
    ]);
  });

  it('let a cancellation win over an override of the same occurrence', () => {
    const series: Series = {
      ...standup,
      exceptions: {
        cancelled: ['2025-09-08T07:00:00Z'],
        overrides: { '2025-09-08T07:00:00Z': { summary: 'x' } },
      },
    };
    const got = expand(series, at('2025-09-08T00:00:00Z'), at('2025-09-09T00:00:00Z'));
    expect(got).toEqual([]);
  });

  it('extend the series bounds when an override moves past the end', () => {
    const series: Series = {
      ...standup,
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3'],
      exceptions: { overrides: { '2025-09-15T07:00:00Z': { start: '2025-12-24T10:00:00Z' } } },
    };
    expect(seriesBounds(series)).toEqual({
      start: at('2025-09-01T07:00:00Z'),
      end: at('2025-12-24T10:15:00Z'),
    });
  });
});

describe('series bounds', () => {
  it('end at the last occurrence of COUNT/UNTIL rules, and are open for unbounded ones', () => {
    const base = { dtstart: '2025-01-06T09:00:00', tzid: 'America/New_York', durationMs: HOUR };
    expect(seriesBounds({ ...base, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] })).toEqual({
      start: at('2025-01-06T14:00:00Z'),
      end: at('2025-01-20T15:00:00Z'),
    });
    expect(
      seriesBounds({ ...base, recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=1MO;UNTIL=20351231T235959Z'] }).end,
    ).toEqual(at('2035-12-03T15:00:00Z'));
    expect(seriesBounds({ ...base, recurrence: ['RRULE:FREQ=WEEKLY'] }).end).toBeNull();
  });
});

describe('invalid input', () => {
  const ok: Series = {
    dtstart: '2025-01-06T09:00:00',
    tzid: 'Europe/Berlin',
    recurrence: ['RRULE:FREQ=WEEKLY'],
  };
  const cases: [string, Partial<Series>, string, RegExp][] = [
    ['bad FREQ', { recurrence: ['RRULE:FREQ=FORTNIGHTLY'] }, 'invalid_rrule', /FREQ=FORTNIGHTLY/],
    ['no FREQ', { recurrence: ['RRULE:COUNT=3'] }, 'invalid_rrule', /FREQ is required/],
    ['bad BYDAY', { recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,XX'] }, 'invalid_rrule', /'XX'/],
    ['bad ordinal', { recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=0MO'] }, 'invalid_rrule', /ordinal/],
    ['BYSETPOS alone', { recurrence: ['RRULE:FREQ=MONTHLY;BYSETPOS=1'] }, 'invalid_rrule', /BYSETPOS/],
    ['BYHOUR range', { recurrence: ['RRULE:FREQ=DAILY;BYHOUR=24'] }, 'invalid_rrule', /BYHOUR value 24/],
    ['INTERVAL=0', { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=0'] }, 'invalid_rrule', /INTERVAL/],
    [
      'COUNT and UNTIL',
      { recurrence: ['RRULE:FREQ=DAILY;COUNT=2;UNTIL=20250101T000000Z'] },
      'invalid_rrule',
      /COUNT and UNTIL/,
    ],
    ['unknown part', { recurrence: ['RRULE:FREQ=DAILY;FOO=1'] }, 'invalid_rrule', /unknown rule part FOO/],
    ['garbage', { recurrence: ['garbage'] }, 'invalid_rrule', /without a name/],
    ['unknown line', { recurrence: ['DTSTART:20250101T000000Z'] }, 'invalid_rrule', /DTSTART/],
    ['BYEASTER', { recurrence: ['RRULE:FREQ=YEARLY;BYEASTER=0'] }, 'unsupported_rrule', /BYEASTER/],
    [
      'RDATE period',
      { recurrence: ['RDATE;VALUE=PERIOD:20250101T000000Z/PT1H'] },
      'unsupported_rrule',
      /PERIOD/,
    ],
    ['bad EXDATE', { recurrence: ['RRULE:FREQ=DAILY', 'EXDATE:2025-01-01'] }, 'invalid_date', /2025-01-01/],
    ['unknown zone', { tzid: 'Mars/Olympus' }, 'unknown_zone', /Mars\/Olympus/],
    [
      'unknown EXDATE zone',
      { recurrence: ['EXDATE;TZID=Nowhere:20250101T090000'] },
      'unknown_zone',
      /Nowhere/,
    ],
    ['bad dtstart', { dtstart: '2025-02-30T09:00:00' }, 'invalid_series', /dtstart/],
    [
      'bad override',
      { exceptions: { overrides: { '2025-01-13T08:00:00Z': { start: 'soon' } } } },
      'invalid_series',
      /soon/,
    ],
    ['bad cancelled key', { exceptions: { cancelled: ['last monday'] } }, 'invalid_series', /last monday/],
  ];

  it.each(cases)('%s → %s', (_name, change, code, reason) => {
    const series = { ...ok, ...change };
    const result = compileSeries(series);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.reason).toMatch(reason);
    }
    expect(() => expand(series, at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z'))).toThrow(
      RecurrenceError,
    );
  });

  it('still shows the first occurrence, with a warning', () => {
    const broken: Series = { ...ok, durationMs: HOUR, recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=XX'] };
    expect(expandOrFallback(broken, at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z'))).toEqual({
      occurrences: [
        {
          start: at('2025-01-06T08:00:00Z'),
          end: at('2025-01-06T09:00:00Z'),
          originalStart: '2025-01-06T08:00:00Z',
          isException: false,
          allDay: false,
        },
      ],
      warning: { code: 'invalid_rrule', reason: expect.stringContaining("'XX'") },
    });
    expect(
      expandOrFallback(broken, at('2025-02-01T00:00:00Z'), at('2025-03-01T00:00:00Z')).occurrences,
    ).toEqual([]);
    expect(firstOccurrenceFallback({ ...ok, tzid: 'Mars/Olympus' })?.start).toEqual(
      at('2025-01-06T09:00:00Z'),
    );
    expect(firstOccurrenceFallback({ ...ok, dtstart: 'soon' })).toBeUndefined();
  });

  it('accepts what Google sends: lower case, trailing semicolons, quoted TZID', () => {
    const series: Series = {
      ...ok,
      recurrence: ['rrule:freq=weekly;byday=mo;count=2;', 'EXDATE;TZID="Europe/Berlin":20250106T090000'],
    };
    expect(utc(expand(series, at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z')))).toEqual([
      '2025-01-13T08:00:00Z',
    ]);
  });
});
