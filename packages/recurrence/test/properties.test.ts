import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileSeries,
  expand,
  type Occurrence,
  type Series,
  seriesBounds,
  toInstant,
} from '../src/index.ts';

const DAY = 86_400_000;
const NUM_RUNS = 1000;
const DST_ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Santiago',
];
const ZONES = [...DST_ZONES, 'Asia/Tokyo', 'UTC'];

const pad = (n: number) => String(n).padStart(2, '0');
const compact = (iso: string) => iso.replace(/[-:]/g, '').replace('.000', '');

/** Wall clock of an instant straight from Intl: independent of the engine's offset tables. */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlLocal(instant: number, tz: string): string {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(tz, format);
  }
  return format.format(instant).replace(' ', 'T');
}
const offsetAt = (instant: number, tz: string) => Date.parse(`${intlLocal(instant, tz)}Z`) - instant;

/** DTSTART between 2020 and 2027, with times near the 02:00 transitions over-represented. */
const dtstart = fc
  .record({
    day: fc.integer({ min: 0, max: 8 * 365 }),
    hour: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
    minute: fc.constantFrom(0, 15, 30, 45),
  })
  .map(({ day, hour, minute }) => {
    const date = new Date(Date.UTC(2020, 0, 1) + day * DAY).toISOString().slice(0, 10);
    return `${date}T${pad(hour)}:${pad(minute)}:00`;
  });

const rule = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY'),
    interval: fc.integer({ min: 1, max: 3 }),
    byday: fc.option(fc.subarray(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], { minLength: 1 }), {
      nil: undefined,
    }),
    end: fc.oneof(
      fc.constant(''),
      fc.integer({ min: 1, max: 80 }).map((n) => `;COUNT=${n}`),
      fc
        .integer({ min: 0, max: 500 })
        .map(
          (d) =>
            `;UNTIL=${compact(new Date(Date.UTC(2020, 0, 1) + d * 7 * DAY + 3_600_000 * (d % 24)).toISOString())}`,
        ),
    ),
  })
  .map(({ freq, interval, byday, end }) => {
    const days = byday && freq !== 'DAILY' ? `;BYDAY=${byday.join(',')}` : '';
    return `FREQ=${freq};INTERVAL=${interval}${days}${end}`;
  });

/** A series plus picks (fractions) for which of its occurrences to EXDATE / cancel / window over. */
const scenario = fc.record({
  tzid: fc.constantFrom(...ZONES),
  dtstart,
  rule,
  durationMs: fc.constantFrom(0, 1_800_000, 3_600_000, DAY),
  exdatePicks: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 4 }),
  cancelPicks: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 3 }),
  localExdates: fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 3 }),
  window: fc.tuple(
    fc.integer({ min: -40, max: 500 }),
    fc.integer({ min: 0, max: 120 }),
    fc.integer({ min: 0, max: 120 }),
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Builds the series: EXDATEs and cancellations picked among real occurrences, plus local EXDATEs. */
function build(s: Scenario) {
  const plain: Series = {
    dtstart: s.dtstart,
    tzid: s.tzid,
    durationMs: s.durationMs,
    recurrence: [`RRULE:${s.rule}`],
  };
  const start = toInstant(s.dtstart, s.tzid).getTime();
  const window = windowOf(s, start);
  const all = expand(plain, window[0], window[2]);
  const pick = (f: number) => all[Math.floor(f * all.length)];
  const exdated = new Set<number>();
  const recurrence = [...plain.recurrence];
  for (const f of s.exdatePicks) {
    const o = pick(f);
    if (!o) continue;
    exdated.add(o.start.getTime());
    recurrence.push(`EXDATE:${compact(o.start.toISOString())}`);
  }
  for (const days of s.localExdates) {
    // Same local time-of-day, some days later, given in the zone (maybe a gap or overlap time).
    const local = new Date(Date.parse(`${s.dtstart}Z`) + days * DAY).toISOString().slice(0, 19);
    exdated.add(toInstant(local, s.tzid).getTime());
    recurrence.push(`EXDATE;TZID=${s.tzid}:${compact(local)}`);
  }
  const cancelled = new Set(s.cancelPicks.map(pick).flatMap((o) => (o ? [o.originalStart] : [])));
  const series: Series = { ...plain, recurrence, exceptions: { cancelled: [...cancelled] } };
  return { series, window, exdated, cancelled };
}

function windowOf(s: Scenario, start: number): [Date, Date, Date] {
  const [offset, ab, bc] = s.window;
  const a = start + offset * DAY + (offset % 7) * 3_600_000;
  return [new Date(a), new Date(a + ab * DAY), new Date(a + (ab + bc) * DAY)];
}

const ids = (list: Occurrence[]) => list.map((o) => `${o.originalStart}@${o.start.toISOString()}`);

describe('expansion properties (fast-check)', () => {
  it('never yields an EXDATE or a cancelled start', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { series, window, exdated, cancelled } = build(s);
        const [a, , c] = window;
        for (const o of expand(series, a, c)) {
          expect(exdated.has(o.start.getTime())).toBe(false);
          expect(cancelled.has(o.originalStart)).toBe(false);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('yields only occurrences starting in [from, to)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { series, window } = build(s);
        const [a, , c] = window;
        for (const o of expand(series, a, c)) {
          expect(o.start >= a && o.start < c).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('expands [a, c) as [a, b) followed by [b, c)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { series, window } = build(s);
        const compiled = compileSeries(series);
        if (!compiled.ok) throw new Error(compiled.error.reason);
        const [a, b, c] = window;
        const whole = expand(compiled.series, a, c);
        expect(ids(whole)).toEqual([
          ...ids(expand(compiled.series, a, b)),
          ...ids(expand(compiled.series, b, c)),
        ]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps the wall-clock time across DST for DAILY/WEEKLY rules, shifting only nonexistent times by the gap', () => {
    const daily = fc.record({
      tzid: fc.constantFrom(...DST_ZONES),
      dtstart,
      freq: fc.constantFrom('DAILY', 'WEEKLY'),
      interval: fc.integer({ min: 1, max: 2 }),
      from: fc.integer({ min: 0, max: 2000 }),
    });
    fc.assert(
      fc.property(daily, ({ tzid, dtstart: start, freq, interval, from }) => {
        const series: Series = {
          dtstart: start,
          tzid,
          recurrence: [`RRULE:FREQ=${freq};INTERVAL=${interval}`],
        };
        const t0 = toInstant(start, tzid).getTime();
        const got = expand(series, new Date(t0 + from * DAY), new Date(t0 + (from + 120) * DAY));
        const time = start.slice(11);
        const step = (freq === 'DAILY' ? 1 : 7) * interval * DAY;
        let previousDate: number | undefined;
        for (const o of got) {
          const instant = o.start.getTime();
          const local = intlLocal(instant, tzid);
          const before = offsetAt(instant - DAY, tzid);
          const after = offsetAt(instant + DAY, tzid);
          const reading = Date.parse(`${local}Z`);
          let wall = reading; // the wall-clock time the rule asked for
          if (local.slice(11) !== time) {
            // Nonexistent: moved forward by the gap; neither reading of the asked-for time exists.
            const gap = after - before;
            expect(gap).toBeGreaterThan(0);
            wall = reading - gap;
            const asked = new Date(wall).toISOString().slice(0, 19);
            expect(asked.slice(11)).toBe(time);
            expect(intlLocal(wall - before, tzid)).not.toBe(asked);
            expect(intlLocal(wall - after, tzid)).not.toBe(asked);
            expect(instant).toBe(wall - before);
          } else if (before !== after) {
            // Possibly ambiguous: the earlier reading was taken.
            expect(intlLocal(instant - Math.abs(after - before), tzid)).not.toBe(local);
          }
          const date = Math.floor(wall / DAY) * DAY;
          if (previousDate !== undefined) expect(date - previousDate).toBe(step);
          previousDate = date;
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('series bounds (fast-check)', () => {
  /** Bounded rules of every FREQ, small enough to expand whole; DTSTART near 02:00 is often in a gap/fold. */
  const bounded = fc.record({
    tzid: fc.constantFrom(...ZONES),
    dtstart,
    freq: fc.constantFrom('YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'),
    interval: fc.integer({ min: 1, max: 5 }),
    parts: fc.subarray([
      'BYMINUTE=0,5,59',
      'BYHOUR=1,2,3',
      'BYSECOND=0,30',
      'BYDAY=MO,SU',
      'BYMONTHDAY=1,-1,10',
      'BYMONTH=3,10,11',
      'BYSETPOS=1,-1',
    ]),
    count: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
    untilDays: fc.integer({ min: 0, max: 400 }),
  });

  it('start at the first occurrence and end with the last one: none falls outside', () => {
    fc.assert(
      fc.property(bounded, ({ tzid, dtstart: start, freq, interval, parts, count, untilDays }) => {
        const subDaily = ['HOURLY', 'MINUTELY', 'SECONDLY'].includes(freq);
        const t0 = toInstant(start, tzid).getTime();
        // Sub-daily rules end soon (a COUNT, or an UNTIL minutes to days away): expanding them whole stays small.
        const span = { HOURLY: DAY, MINUTELY: 6 * 3_600_000, SECONDLY: 600_000 }[freq as 'HOURLY'] ?? 7 * DAY;
        const until = t0 + (subDaily ? untilDays % 5 : untilDays) * span;
        const end =
          count !== undefined ? `COUNT=${count}` : `UNTIL=${compact(new Date(until).toISOString())}`;
        const usable = parts.filter((p) => !p.startsWith('BYSETPOS') || parts.length > 1);
        const rule = [`FREQ=${freq}`, `INTERVAL=${interval}`, ...usable, end].join(';');
        const series: Series = { dtstart: start, tzid, durationMs: 1_800_000, recurrence: [`RRULE:${rule}`] };
        const bounds = seriesBounds(series);
        const all = expand(series, new Date(t0 - 30 * DAY), new Date('2300-01-01T00:00:00Z'), {
          budget: { candidates: 50_000_000, occurrences: 1_000_000 },
        });
        if (all.length === 0) return; // nothing to bound
        expect(all[0]!.start, rule).toEqual(bounds.start);
        // A COUNT whose last occurrence lies beyond the work budget (e.g. MONTHLY;INTERVAL=5;BYMONTH=3,10,11;
        // COUNT=34 runs 55 years) is left open, as documented, and says so; the start is still exact.
        if (bounds.end === null) {
          expect(bounds.warning?.code, `${rule}: open end without a budget warning`).toBe('budget_exceeded');
          return;
        }
        for (const o of all) {
          expect(o.start >= bounds.start, `${rule}: ${o.start.toISOString()} before the bounds`).toBe(true);
          expect(o.end <= bounds.end, `${rule}: ${o.end.toISOString()} after the bounds`).toBe(true);
        }
        // Exact: without EXDATEs the first and last occurrences are the bounds.
        const lastEnd = all.reduce((max, o) => Math.max(max, o.end.getTime()), Number.NEGATIVE_INFINITY);
        expect(new Date(lastEnd), rule).toEqual(bounds.end);
      }),
      { numRuns: 500 },
    );
  });
});
