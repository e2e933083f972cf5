import fc from 'fast-check';
import * as rruleModule from 'rrule';
import { describe, expect, it } from 'vitest';
import { fastOccurrences } from '../src/fast-iterator.ts';
import { parseRule } from '../src/rule-grammar.ts';
import { compileRule, occurrencesBetween } from '../src/rule-iterator.ts';

const { RRule } =
  (rruleModule as { RRule?: unknown }).RRule !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default;

const DAY = 86_400_000;
// rrule, the oracle here, is slow (~7 µs a period): fewer runs than the engine's own properties.
const RUNS = 300;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const list = (arb: fc.Arbitrary<number | string>, max = 3) =>
  fc.option(fc.uniqueArray(arb, { minLength: 1, maxLength: max }), { nil: undefined });

/** Rules of the shapes the fast iterator takes over from rrule. */
const fastRule = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
    interval: fc.integer({ min: 1, max: 4 }),
    bymonth: list(fc.integer({ min: 1, max: 12 })),
    // Days 29-31 only with others: a rule that can never match sends the rrule oracle scanning to year 9999.
    bymonthday: list(fc.oneof(fc.integer({ min: 1, max: 28 }), fc.integer({ min: -28, max: -1 }))),
    lateDay: fc.option(fc.constantFrom(29, 30, 31, -29, -31), { nil: undefined }),
    byday: list(fc.constantFrom(...WEEKDAYS), 4),
    ordinal: fc.option(fc.tuple(fc.constantFrom(1, 2, 3, 4, 5, -1, -2, -5), fc.constantFrom(...WEEKDAYS)), {
      nil: undefined,
    }),
    byhour: list(fc.integer({ min: 0, max: 23 }), 2),
    byminute: list(fc.constantFrom(0, 15, 30, 59), 2),
    wkst: fc.constantFrom(...WEEKDAYS),
  })
  .map((r) => {
    const parts = [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`, `WKST=${r.wkst}`];
    // All three day filters at once make rules so sparse that the rrule oracle crawls: two at most.
    if (r.bymonth && r.bymonthday && (r.byday || r.ordinal)) r.bymonth = undefined;
    if (r.bymonth) parts.push(`BYMONTH=${r.bymonth.join(',')}`);
    if (r.bymonthday && (r.freq === 'MONTHLY' || r.freq === 'YEARLY'))
      parts.push(`BYMONTHDAY=${[...r.bymonthday, ...(r.lateDay ? [r.lateDay] : [])].join(',')}`);
    if (r.freq !== 'YEARLY') {
      const days = [...(r.byday ?? [])];
      if (r.ordinal && r.freq === 'MONTHLY') days.push(`${r.ordinal[0]}${r.ordinal[1]}`);
      if (days.length > 0) parts.push(`BYDAY=${days.join(',')}`);
    }
    if (r.byhour) parts.push(`BYHOUR=${r.byhour.join(',')}`);
    if (r.byminute) parts.push(`BYMINUTE=${r.byminute.join(',')}`);
    return parts.join(';');
  });

const dtstart = fc
  .record({ day: fc.integer({ min: 0, max: 3000 }), minutes: fc.integer({ min: 0, max: 24 * 60 - 1 }) })
  .map(({ day, minutes }) => Date.UTC(2015, 0, 1) + day * DAY + minutes * 60_000);

describe('fast iterator', () => {
  it('yields exactly what rrule yields from DTSTART, for any window', () => {
    fc.assert(
      fc.property(
        fastRule,
        dtstart,
        fc.integer({ min: -30, max: 700 }),
        fc.integer({ min: 1, max: 200 }),
        (text, start, offsetDays, spanDays) => {
          const rule = compileRule(parseRule(text), text, start, null);
          const from = start + offsetDays * DAY;
          const to = from + spanDays * DAY;
          if (rule.empty) {
            expect(occurrencesBetween(rule, from, to)).toEqual([]);
            return;
          }
          if (!rule.fast) return; // plain and ordinal BYDAY mixed: rrule iterates it itself
          const oracle = new RRule({ ...rule.base, dtstart: new Date(start) }, true)
            .between(new Date(from), new Date(to), true)
            .map((d) => d.getTime());
          expect(fastOccurrences(rule.fast, start, from, to), text).toEqual(oracle);
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
  });

  it('resolves COUNT to the same last occurrence as rrule', () => {
    fc.assert(
      fc.property(fastRule, dtstart, fc.integer({ min: 1, max: 30 }), (text, start, count) => {
        const counted = `${text};COUNT=${count}`;
        const rule = compileRule(parseRule(counted), counted, start, null);
        const horizon = start + 10 * 366 * DAY;
        if (rule.empty) {
          expect(occurrencesBetween(rule, start, horizon)).toEqual([]);
          return;
        }
        if (!rule.fast) return;
        const oracle = new RRule({ ...rule.base, dtstart: new Date(start), count }, true)
          .between(new Date(start), new Date(horizon), true)
          .map((d) => d.getTime());
        expect(occurrencesBetween(rule, start, horizon), counted).toEqual(oracle);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});
