import { describe, expect, it } from 'vitest';
import {
  Budget,
  compileSeries,
  DEFAULT_BUDGET,
  expand,
  expandOrFallback,
  expandWithin,
  type Occurrence,
  RecurrenceError,
  type Series,
  seriesBounds,
} from '../src/index.ts';

const at = (iso: string) => new Date(iso);
const utc = (list: Occurrence[]) => list.map((o) => o.start.toISOString().replace('.000', ''));
const series = (dtstart: string, rule: string, tzid = 'UTC'): Series => ({
  dtstart,
  tzid,
  recurrence: [`RRULE:${rule}`],
});
/** Every occurrence, from a window wide enough for these cases. */
const all = (s: Series) => utc(expand(s, at('1990-01-01T00:00:00Z'), at('2100-01-01T00:00:00Z')));

// issue 15's mismatches against python-dateutil (each failed before the engine replaced rrule).
describe('the cases the rrule package got wrong', () => {
  it('selects nothing for a BYSETPOS beyond the set, also a negative one', () => {
    expect(all(series('2025-01-01T09:00:00', 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-6;COUNT=3'))).toEqual([]);
    expect(all(series('2025-01-01T09:00:00', 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=3'))).toEqual([]);
  });

  it('counts an instant picked by two BYSETPOS positions once', () => {
    expect(all(series('2025-01-01T09:00:00', 'FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=1,-1;COUNT=3'))).toEqual([
      '2025-01-01T09:00:00Z',
      '2025-02-01T09:00:00Z',
      '2025-03-01T09:00:00Z',
    ]);
  });

  it('does not skip matching days of a MINUTELY rule with BYHOUR and a day filter', () => {
    expect(all(series('2016-06-09T02:00:00', 'FREQ=MINUTELY;BYHOUR=2;BYMONTHDAY=8;COUNT=2'))).toEqual([
      '2016-07-08T02:00:00Z',
      '2016-07-08T02:01:00Z',
    ]);
  });

  it('keeps the phase of INTERVAL across skipped hours', () => {
    expect(all(series('2028-01-07T09:00:00', 'FREQ=MINUTELY;INTERVAL=7;BYHOUR=14;COUNT=2'))).toEqual([
      '2028-01-07T14:01:00Z',
      '2028-01-07T14:08:00Z',
    ]);
    // 1440 minutes a day ≡ 5 (mod 7): the grid's minute within the hour moves by 5 a day (14:01 → 14:03).
    const next = utc(
      expand(
        series('2028-01-07T09:00:00', 'FREQ=MINUTELY;INTERVAL=7;BYHOUR=14'),
        at('2028-01-08T00:00:00Z'),
        at('2028-01-09T00:00:00Z'),
      ),
    );
    expect(next[0]).toBe('2028-01-08T14:03:00Z');
    expect(next).toHaveLength(9);
  });

  it('finds a MINUTELY BYYEARDAY occurrence a year away (it hung)', () => {
    expect(all(series('2024-12-29T09:00:00', 'FREQ=MINUTELY;BYYEARDAY=335;BYHOUR=7;COUNT=1'))).toEqual([
      '2025-12-01T07:00:00Z',
    ]);
  });
});

describe('rules that can never produce an occurrence', () => {
  it.each([
    'FREQ=MONTHLY;BYSETPOS=3;BYDAY=3WE',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31',
    'FREQ=MONTHLY;INTERVAL=2;BYMONTH=2', // from January, every other month is odd
    'FREQ=HOURLY;INTERVAL=2;BYHOUR=3', // from 09:00 every two hours: odd hours, so this one is not empty
    'FREQ=HOURLY;INTERVAL=2;BYHOUR=4',
    'FREQ=MINUTELY;INTERVAL=60;BYMINUTE=30',
    'FREQ=DAILY;INTERVAL=7;BYDAY=TU', // every 7 days from a Wednesday
    'FREQ=YEARLY;BYMONTH=1;BYDAY=MO;BYSETPOS=6',
  ])('%s is empty when compiled, or expands', (rule) => {
    const s = series('2025-01-01T09:00:00', rule);
    const compiled = compileSeries(s);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const empty = compiled.series.rules[0]!.empty;
    // HOURLY;INTERVAL=2 from 09:00 reaches 03:00 (odd hours): the one rule here that is not empty.
    expect(empty).toBe(rule !== 'FREQ=HOURLY;INTERVAL=2;BYHOUR=3');
    const bounds = seriesBounds(s);
    expect(bounds.end).toEqual(empty ? bounds.start : null);
    const result = expandWithin(s, at('2025-01-01T00:00:00Z'), at('2035-01-01T00:00:00Z'));
    expect(result.ok).toBe(true);
  });
});

describe('exact bounds', () => {
  it('start at the first occurrence when DTSTART is in a DST gap (earlier than its instant)', () => {
    const s = series('2030-03-10T02:30:00', 'FREQ=HOURLY;BYMINUTE=0,5,59;COUNT=4', 'America/New_York');
    const occurrences = expand(s, at('2030-03-01T00:00:00Z'), at('2030-04-01T00:00:00Z'));
    // 02:59 (in the gap) → 03:59 EDT; 03:00, 03:05, 03:59 EDT: two local times, one instant.
    expect(utc(occurrences)).toEqual([
      '2030-03-10T07:00:00Z',
      '2030-03-10T07:05:00Z',
      '2030-03-10T07:59:00Z',
    ]);
    expect(seriesBounds(s)).toEqual({ start: at('2030-03-10T07:00:00Z'), end: at('2030-03-10T07:59:00Z') });
  });

  it('start at the first occurrence, not DTSTART, when DTSTART does not match the rule', () => {
    const s = { ...series('2025-01-01T09:00:00', 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=2'), durationMs: 3_600_000 };
    expect(seriesBounds(s)).toEqual({ start: at('2025-01-31T09:00:00Z'), end: at('2025-02-28T10:00:00Z') });
  });
});

describe('compatibility with python-dateutil', () => {
  it.each([
    ['FREQ=WEEKLY;COUNT=3;BYWEEKNO=20', /BYWEEKNO with FREQ=WEEKLY/],
    ['FREQ=DAILY;COUNT=4;BYYEARDAY=1,100,200,365', /BYYEARDAY with FREQ=DAILY/],
    ['FREQ=WEEKLY;COUNT=3;BYMONTHDAY=1,3', /BYMONTHDAY with FREQ=WEEKLY/],
    ['FREQ=YEARLY;COUNT=3;BYWEEKDAY=TH', /BYWEEKDAY/],
    ['FREQ=WEEKLY;COUNT=3;BYDAY=2MO', /ordinal/],
  ])('expands %s with a warning', (rule, why) => {
    const s = series('1997-09-02T09:00:00', rule);
    const compiled = compileSeries(s);
    expect(compiled.ok && compiled.series.warnings).toEqual([
      { code: 'nonstandard_rrule', reason: expect.stringMatching(why) },
    ]);
    const view = expandOrFallback(s, at('1997-01-01T00:00:00Z'), at('2000-01-01T00:00:00Z'));
    expect(view.warning).toBeUndefined();
    expect(view.notices).toEqual([{ code: 'nonstandard_rrule', reason: expect.stringMatching(why) }]);
    expect(view.occurrences.length).toBeGreaterThan(1);
  });

  it('reads an ordinal BYDAY above MONTHLY as the plain weekday, as dateutil does', () => {
    expect(all(series('2025-01-01T09:00:00', 'FREQ=WEEKLY;BYDAY=2MO;COUNT=2'))).toEqual([
      '2025-01-06T09:00:00Z',
      '2025-01-13T09:00:00Z',
    ]);
  });

  it('counts BYSETPOS in the first WEEKLY period from DTSTART, as dateutil does', () => {
    // Wednesday DTSTART: the first week's set is {Fri}, not {Mon, Fri}.
    expect(all(series('2025-01-01T09:00:00', 'FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=1;COUNT=2'))).toEqual([
      '2025-01-03T09:00:00Z',
      '2025-01-06T09:00:00Z',
    ]);
  });
});

describe('work budget', () => {
  const hostile = series('2025-01-01T00:00:00', 'FREQ=SECONDLY;COUNT=10000000');

  it('answers a SECONDLY series over a month with budget_exceeded and the occurrences before coveredUntil', () => {
    const result = expandWithin(hostile, at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('budget_exceeded');
    const covered = result.coveredUntil.getTime();
    expect(covered).toBeGreaterThan(at('2025-01-01T00:00:00Z').getTime());
    // Exactly one occurrence a second before coveredUntil: a correct prefix, nothing after it.
    expect(result.occurrences).toHaveLength((covered - at('2025-01-01T00:00:00Z').getTime()) / 1000);
    expect(result.occurrences.at(-1)!.start.getTime()).toBe(covered - 1000);
    expect(result.occurrences.length).toBeLessThanOrEqual(DEFAULT_BUDGET.occurrences);
  });

  it('throws it typed from expand, and gives it as a warning from expandOrFallback', () => {
    const window = [at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z')] as const;
    expect(() => expand(hostile, ...window)).toThrow(RecurrenceError);
    try {
      expand(hostile, ...window);
    } catch (error) {
      expect((error as RecurrenceError).code).toBe('budget_exceeded');
    }
    const view = expandOrFallback(hostile, ...window);
    expect(view.warning?.code).toBe('budget_exceeded');
    expect(view.coveredUntil).toBeInstanceOf(Date);
  });

  it('expands a small window of it fully, and finds its end without iterating', () => {
    const minute = expand(hostile, at('2025-03-01T00:00:00Z'), at('2025-03-01T00:01:00Z'));
    expect(minute).toHaveLength(60);
    expect(seriesBounds(hostile)).toEqual({
      start: at('2025-01-01T00:00:00Z'),
      end: at(new Date(Date.UTC(2025, 0, 1) + 9_999_999_000).toISOString()),
    });
    // Past the end: nothing.
    expect(expand(hostile, at('2025-04-26T17:46:30Z'), at('2025-04-28T00:00:00Z'))).toHaveLength(10);
  });

  it('leaves the end of a COUNT series open when it is not found within the budget', () => {
    const s = series('2025-01-01T00:00:00', 'FREQ=SECONDLY;BYHOUR=1,3,5;COUNT=10000000');
    const bounds = seriesBounds(s);
    expect(bounds.end).toBeNull();
    expect(bounds.warning?.code).toBe('budget_exceeded');
    expect(bounds.start).toEqual(at('2025-01-01T01:00:00Z'));
    // A window near DTSTART still expands (counting from DTSTART), within the budget.
    expect(expand(s, at('2025-01-02T03:00:00Z'), at('2025-01-02T03:00:10Z'))).toHaveLength(10);
  });

  it('is a parameter of the call', () => {
    const s = series('2025-01-01T09:00:00', 'FREQ=DAILY');
    const year = [at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z')] as const;
    expect(expandWithin(s, ...year).ok).toBe(true);
    const small = expandWithin(s, ...year, { budget: { occurrences: 100 } });
    expect(small.ok).toBe(false);
    expect(small.occurrences.length).toBeLessThanOrEqual(100);
  });

  it('can be shared by the calls of one request, which then answer at once', () => {
    const shared = new Budget({ candidates: 100_000, occurrences: 1_000 });
    const window = [at('2025-01-01T00:00:00Z'), at('2025-02-01T00:00:00Z')] as const;
    expect(expandWithin(hostile, ...window, { budget: shared }).ok).toBe(false);
    // Spent: an ordinary series now gets the typed answer too, with nothing covered.
    const daily = series('2025-01-01T09:00:00', 'FREQ=DAILY;BYDAY=MO;COUNT=5');
    const after = expandWithin(daily, ...window, { budget: shared });
    // Its first occurrence (Monday Jan 6) would be one too many: covered up to there, nothing listed.
    expect(after).toMatchObject({ ok: false, occurrences: [], coveredUntil: at('2025-01-06T00:00:00Z') });
    const bounds = seriesBounds(daily, { budget: shared });
    expect(bounds.end).toBeNull();
    expect(bounds.warning?.code).toBe('budget_exceeded');
    // ...and a spent budget does not poison the COUNT memo: with budget left the end is exact.
    expect(seriesBounds(daily).end).toEqual(at('2025-02-03T09:00:00Z'));
  });
});
