import { toInstant } from '@firstlight/recurrence';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { weekDays } from './calendar-dates.ts';
import { byDay } from './occurrences.ts';
import {
  DAY_MINUTES,
  daySegment,
  layoutWeek,
  MIN_BLOCK_MINUTES,
  type Placeable,
  packAllDay,
  wallClock,
} from './week-layout.ts';

const ZONE = 'Europe/Berlin';

/** A timed occurrence from wall-clock times in `zone` (first/last day as occurrencesIn computes them). */
function timed(key: string, from: string, to: string, zone = ZONE): Placeable {
  const start = toInstant(from, zone);
  const end = toInstant(to, zone);
  const lastInstant = new Date(Math.max(start.getTime(), end.getTime() - 1));
  return {
    key,
    start,
    end,
    allDay: false,
    firstDay: wallClock(start, zone).date,
    lastDay: wallClock(lastInstant, zone).date,
  };
}

function allDay(key: string, firstDay: string, lastDay: string): Placeable {
  const start = new Date(`${firstDay}T00:00:00Z`);
  return { key, start, end: new Date(`${lastDay}T23:59:59Z`), allDay: true, firstDay, lastDay };
}

function layout(days: string[], occurrences: Placeable[], zone = ZONE) {
  return layoutWeek(days, byDay(occurrences as never, days) as Map<string, Placeable[]>, zone);
}

const WEEK = weekDays('2026-01-14'); // Monday 12 … Sunday 18 January 2026

describe('week layout', () => {
  it('places a timed occurrence by its wall-clock minutes in the zone', () => {
    const { timed: days } = layout(WEEK, [timed('a', '2026-01-14T09:00:00', '2026-01-14T10:30:00')]);
    expect(days[2]).toMatchObject([
      { day: '2026-01-14', startMinute: 540, endMinute: 630, top: 540, bottom: 630, column: 0, columns: 1 },
    ]);
    expect(days.filter((blocks) => blocks.length > 0)).toHaveLength(1);
    // The same instant viewed from New York is six hours earlier on the wall clock.
    const inNewYork = layout(
      WEEK,
      [timed('a', '2026-01-14T09:00:00', '2026-01-14T10:30:00')],
      'America/New_York',
    );
    expect(inNewYork.timed[2]?.[0]).toMatchObject({ startMinute: 180, endMinute: 270 });
  });

  it('packs overlapping occurrences side by side, greedily, per cluster', () => {
    const { timed: days } = layout(WEEK, [
      timed('a', '2026-01-12T09:00:00', '2026-01-12T11:00:00'),
      timed('b', '2026-01-12T09:30:00', '2026-01-12T10:00:00'),
      // Starts when b ends: reuses b's column.
      timed('c', '2026-01-12T10:00:00', '2026-01-12T10:45:00'),
      timed('d', '2026-01-12T10:30:00', '2026-01-12T12:00:00'),
      // After the cluster: full width again.
      timed('e', '2026-01-12T12:00:00', '2026-01-12T13:00:00'),
    ]);
    const monday = days[0]!;
    expect(monday.map((block) => [block.occurrence.key, block.column, block.columns])).toEqual([
      ['a', 0, 3],
      ['b', 1, 3],
      ['c', 1, 3],
      ['d', 2, 3],
      ['e', 0, 1],
    ]);
  });

  it('puts the longer of two occurrences starting together in the first column', () => {
    const { timed: days } = layout(WEEK, [
      timed('short', '2026-01-13T14:00:00', '2026-01-13T14:30:00'),
      timed('long', '2026-01-13T14:00:00', '2026-01-13T16:00:00'),
    ]);
    expect(days[1]!.map((block) => [block.occurrence.key, block.column, block.columns])).toEqual([
      ['long', 0, 2],
      ['short', 1, 2],
    ]);
  });

  it('clips an occurrence crossing midnight to each day it touches', () => {
    const { timed: days } = layout(WEEK, [timed('night', '2026-01-15T22:00:00', '2026-01-16T02:30:00')]);
    expect(days[3]).toMatchObject([
      {
        day: '2026-01-15',
        startMinute: 1320,
        endMinute: DAY_MINUTES,
        continuesBefore: false,
        continuesAfter: true,
      },
    ]);
    expect(days[4]).toMatchObject([
      { day: '2026-01-16', startMinute: 0, endMinute: 150, continuesBefore: true, continuesAfter: false },
    ]);
  });

  it('does not put an occurrence ending at midnight on the next day', () => {
    const { timed: days } = layout(WEEK, [timed('late', '2026-01-15T23:00:00', '2026-01-16T00:00:00')]);
    expect(days[3]).toMatchObject([{ startMinute: 1380, endMinute: DAY_MINUTES, continuesAfter: false }]);
    expect(days[4]).toEqual([]);
  });

  it('clips a three-day occurrence to a full middle day', () => {
    const { timed: days } = layout(WEEK, [timed('trip', '2026-01-16T18:00:00', '2026-01-18T09:00:00')]);
    expect(days.slice(4).map((blocks) => blocks.map((b) => [b.startMinute, b.endMinute]))).toEqual([
      [[1080, DAY_MINUTES]],
      [[0, DAY_MINUTES]],
      [[0, 540]],
    ]);
  });

  it('positions by wall clock on a 23-hour day (spring forward)', () => {
    // Europe/Berlin, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
    const week = weekDays('2026-03-29');
    const occurrence = timed('dst', '2026-03-29T01:30:00', '2026-03-29T03:30:00');
    expect(occurrence.end.getTime() - occurrence.start.getTime()).toBe(3_600_000); // one real hour
    const after = timed('after', '2026-03-29T09:00:00', '2026-03-29T10:00:00');
    const { timed: days } = layout(week, [occurrence, after]);
    expect(days[6]!.map((b) => [b.occurrence.key, b.startMinute, b.endMinute])).toEqual([
      ['dst', 90, 210],
      ['after', 540, 600],
    ]);
  });

  it('positions by wall clock on a 25-hour day (fall back), never ending above its start', () => {
    // America/New_York, Sunday 1 November 2026: 02:00 EDT becomes 01:00 EST.
    const zone = 'America/New_York';
    const week = weekDays('2026-11-01');
    const start = toInstant('2026-11-01T01:30:00', zone); // the first (EDT) 01:30
    const occurrence: Placeable = {
      key: 'dst',
      start,
      end: new Date(start.getTime() + 45 * 60_000), // 01:15 EST on the wall clock
      allDay: false,
      firstDay: '2026-11-01',
      lastDay: '2026-11-01',
    };
    const evening = timed('evening', '2026-11-01T21:00:00', '2026-11-01T22:00:00', zone);
    const { timed: days } = layout(week, [occurrence, evening], zone);
    expect(days[6]!.map((b) => [b.occurrence.key, b.startMinute, b.endMinute, b.bottom])).toEqual([
      ['dst', 90, 90, 90 + MIN_BLOCK_MINUTES],
      ['evening', 1260, 1320, 1320],
    ]);
  });

  it('draws zero-length occurrences at a minimum height, packed as if that tall', () => {
    const { timed: days } = layout(WEEK, [
      timed('reminder', '2026-01-14T08:00:00', '2026-01-14T08:00:00'),
      timed('right-after', '2026-01-14T08:10:00', '2026-01-14T09:00:00'),
      timed('midnight', '2026-01-14T00:00:00', '2026-01-14T00:00:00'),
      timed('last-minute', '2026-01-14T23:55:00', '2026-01-14T23:55:00'),
    ]);
    expect(
      days[2]!.map((b) => [
        b.occurrence.key,
        b.startMinute,
        b.endMinute,
        b.top,
        b.bottom,
        b.column,
        b.columns,
      ]),
    ).toEqual([
      ['midnight', 0, 0, 0, MIN_BLOCK_MINUTES, 0, 1],
      ['reminder', 480, 480, 480, 480 + MIN_BLOCK_MINUTES, 0, 2],
      ['right-after', 490, 540, 490, 540, 1, 2],
      // Kept inside the day.
      ['last-minute', 1435, 1435, DAY_MINUTES - MIN_BLOCK_MINUTES, DAY_MINUTES, 0, 1],
    ]);
  });

  it('reports the earliest start for the initial scroll', () => {
    expect(layout(WEEK, []).earliestMinute).toBeNull();
    const week = layout(WEEK, [
      timed('b', '2026-01-16T06:15:00', '2026-01-16T07:00:00'),
      timed('a', '2026-01-13T08:00:00', '2026-01-13T09:00:00'),
    ]);
    expect(week.earliestMinute).toBe(375);
  });

  it('lays all-day occurrences as bars in lanes, clipped to the week', () => {
    const { allDay: bars, lanes } = layout(WEEK, [
      allDay('holiday', '2026-01-10', '2026-01-13'), // from the week before
      allDay('trip', '2026-01-13', '2026-01-15'),
      allDay('birthday', '2026-01-14', '2026-01-14'),
      allDay('conference', '2026-01-16', '2026-01-20'), // into the next week
      timed('meeting', '2026-01-14T09:00:00', '2026-01-14T10:00:00'),
    ]);
    expect(lanes).toBe(2);
    expect(
      bars.map((b) => [b.occurrence.key, b.firstColumn, b.span, b.lane, b.continuesBefore, b.continuesAfter]),
    ).toEqual([
      ['holiday', 0, 2, 0, true, false],
      ['trip', 1, 3, 1, false, false],
      ['birthday', 2, 1, 0, false, false],
      ['conference', 4, 3, 0, false, true],
    ]);
  });

  it('finds no segment on a day the occurrence does not touch', () => {
    const occurrence = timed('a', '2026-01-14T09:00:00', '2026-01-14T10:00:00');
    expect(daySegment(occurrence, '2026-01-13', ZONE)).toBeNull();
    expect(daySegment(occurrence, '2026-01-15', ZONE)).toBeNull();
    expect(packAllDay([], WEEK)).toEqual({ bars: [], lanes: 0 });
  });
});

describe('week layout properties', () => {
  // Occurrences anywhere in one day (zero-length, minutes long, or running past midnight into the next day),
  // laid out through the whole pipeline: clipped, drawn at the minimum height, packed.
  const occurrences = fc.array(
    fc.record({
      start: fc.integer({ min: 0, max: DAY_MINUTES - 1 }),
      length: fc.oneof(fc.integer({ min: 0, max: MIN_BLOCK_MINUTES }), fc.integer({ min: 0, max: 600 })),
    }),
    { maxLength: 25 },
  );
  const at = (minute: number) =>
    new Date(Date.parse('2026-01-14T00:00:00Z') + minute * 60_000).toISOString().slice(0, 19);

  it('week layout blocks in one day never overlap horizontally when their drawn intervals overlap', () => {
    fc.assert(
      fc.property(occurrences, (specs) => {
        const placed = specs.map((spec, i) =>
          timed(`o${i}`, at(spec.start), at(spec.start + spec.length), 'UTC'),
        );
        for (const blocks of layout(WEEK, placed, 'UTC').timed) {
          for (const [i, a] of blocks.entries()) {
            expect(a.bottom - a.top).toBeGreaterThanOrEqual(MIN_BLOCK_MINUTES);
            expect(a.column).toBeLessThan(a.columns);
            for (const b of blocks.slice(i + 1)) {
              if (a.top >= b.bottom || b.top >= a.bottom) continue;
              // Drawn over the same minutes: their spans [column, column + 1) / columns must not meet.
              const aSpan = [a.column / a.columns, (a.column + 1) / a.columns] as const;
              const bSpan = [b.column / b.columns, (b.column + 1) / b.columns] as const;
              expect(aSpan[1] <= bSpan[0] + 1e-9 || bSpan[1] <= aSpan[0] + 1e-9).toBe(true);
            }
          }
        }
      }),
    );
  });
});
