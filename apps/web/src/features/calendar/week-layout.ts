import { toLocalDateTime } from '@firstlight/recurrence';
import { addDays } from './calendar-dates.ts';

/**
 * Where things go in the week's time grid, as plain numbers (no DOM): each day is a 24-hour column measured in
 * wall-clock minutes in the viewer's zone, so the hour labels are true on a 23- or 25-hour DST day too (a
 * 01:30–03:30 event on a spring-forward day spans two rows although it lasts one hour, as on a wall clock).
 */

export const DAY_MINUTES = 1440;
/**
 * A zero-length or very short occurrence is still drawn tall enough to read and to click: WCAG 2.2 SC 2.5.8
 * (target size, minimum) asks for 24 CSS px, and an hour row is at least 48 px at every width (`--cal-hour` in
 * styles.css), so half an hour draws at 24 px or more.
 */
export const MIN_BLOCK_MINUTES = 30;

/** What the layout needs of an occurrence (CalendarOccurrence has all of it). */
export interface Placeable {
  key: string;
  start: Date;
  end: Date;
  allDay: boolean;
  /** First and last civil day it covers in the zone (inclusive). */
  firstDay: string;
  lastDay: string;
}

/** One timed occurrence's part of one day. Minutes run from the day's midnight, wall clock, 0–1440. */
export interface TimedBlock<T extends Placeable> {
  occurrence: T;
  day: string;
  startMinute: number;
  endMinute: number;
  /** The drawn extent: at least MIN_BLOCK_MINUTES, inside the day. Packing uses this, so blocks never overlap. */
  top: number;
  bottom: number;
  /** Clipped at midnight: it started on an earlier day / goes on into a later one. */
  continuesBefore: boolean;
  continuesAfter: boolean;
  /** Side-by-side position among the occurrences it overlaps: `column` of `columns`. */
  column: number;
  columns: number;
}

/** An all-day occurrence as a bar over the days it covers in this week (columns 0–6), in lane `lane`. */
export interface AllDayBar<T extends Placeable> {
  occurrence: T;
  firstColumn: number;
  span: number;
  lane: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

export interface WeekLayout<T extends Placeable> {
  allDay: AllDayBar<T>[];
  lanes: number;
  /** Per shown day (same order as `days`), the timed blocks in time order (which is also the tab order). */
  timed: TimedBlock<T>[][];
  /** The earliest start minute of any timed block in the week, for the initial scroll; null when none. */
  earliestMinute: number | null;
}

/** The civil date and wall-clock minute of the day of an instant in `zone` (seconds dropped). */
export function wallClock(instant: Date, zone: string): { date: string; minute: number } {
  const local = toLocalDateTime(instant, zone);
  return { date: local.slice(0, 10), minute: Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16)) };
}

/**
 * The part of a timed occurrence that falls on `day`, clipped at the day's midnights; null if none. The end
 * is exclusive: an occurrence ending at 00:00 does not touch the next day (but a zero-length one at 00:00 does
 * sit on its own day).
 */
export function daySegment(
  occurrence: Pick<Placeable, 'start' | 'end'>,
  day: string,
  zone: string,
): Pick<TimedBlock<Placeable>, 'startMinute' | 'endMinute' | 'continuesBefore' | 'continuesAfter'> | null {
  const start = wallClock(occurrence.start, zone);
  const end = occurrence.end > occurrence.start ? wallClock(occurrence.end, zone) : start;
  if (start.date > day || end.date < day) return null;
  if (end.date === day && end.minute === 0 && start.date < day) return null;
  const startMinute = start.date === day ? start.minute : 0;
  // On a fall-back day the wall clock runs backwards for an hour: an occurrence can end "before" it started.
  const endMinute = end.date === day ? Math.max(end.minute, startMinute) : DAY_MINUTES;
  const endsAtNextMidnight = end.date === addDays(day, 1) && end.minute === 0;
  return {
    startMinute,
    endMinute,
    continuesBefore: start.date < day,
    continuesAfter: end.date > day && !endsAtNextMidnight,
  };
}

/** The drawn extent of a segment: at least MIN_BLOCK_MINUTES tall, kept inside the day. */
export function drawnExtent(startMinute: number, endMinute: number): { top: number; bottom: number } {
  const bottom = Math.min(DAY_MINUTES, Math.max(endMinute, startMinute + MIN_BLOCK_MINUTES));
  return { top: Math.min(startMinute, bottom - MIN_BLOCK_MINUTES), bottom };
}

/**
 * Greedy column packing, as calendar apps do: blocks sorted by top (longer first on a tie) fall into clusters
 * of transitively overlapping blocks; each block takes the leftmost column free at its top, and every block of
 * a cluster is as wide as the cluster has columns. Mutates `column`/`columns` and returns the blocks in that
 * order.
 */
export function packColumns<T extends Placeable>(blocks: TimedBlock<T>[]): TimedBlock<T>[] {
  const sorted = [...blocks].sort(
    (a, b) => a.top - b.top || b.bottom - a.bottom || a.occurrence.key.localeCompare(b.occurrence.key),
  );
  let cluster: TimedBlock<T>[] = [];
  let columnEnds: number[] = [];
  let clusterEnd = Number.NEGATIVE_INFINITY;
  const closeCluster = () => {
    for (const block of cluster) block.columns = columnEnds.length;
    cluster = [];
    columnEnds = [];
  };
  for (const block of sorted) {
    if (block.top >= clusterEnd) closeCluster();
    let column = columnEnds.findIndex((end) => end <= block.top);
    if (column < 0) column = columnEnds.length;
    columnEnds[column] = block.bottom;
    block.column = column;
    cluster.push(block);
    clusterEnd = cluster.length === 1 ? block.bottom : Math.max(clusterEnd, block.bottom);
  }
  closeCluster();
  return sorted;
}

/** All-day bars in lanes: each bar takes the first lane free over its columns (sorted by first day, longest first). */
export function packAllDay<T extends Placeable>(
  occurrences: readonly T[],
  days: readonly string[],
): { bars: AllDayBar<T>[]; lanes: number } {
  const first = days[0] ?? '';
  const last = days[days.length - 1] ?? '';
  const bars = occurrences
    .filter((occurrence) => occurrence.firstDay <= last && occurrence.lastDay >= first)
    .map((occurrence) => {
      // Civil dates compare as strings (YYYY-MM-DD), so no Math.min/max here.
      let from = occurrence.firstDay;
      if (from < first) from = first;
      let to = occurrence.lastDay;
      if (to > last) to = last;
      const firstColumn = days.indexOf(from);
      return {
        occurrence,
        firstColumn,
        span: days.indexOf(to) - firstColumn + 1,
        lane: 0,
        continuesBefore: occurrence.firstDay < first,
        continuesAfter: occurrence.lastDay > last,
      };
    })
    .sort(
      (a, b) =>
        a.firstColumn - b.firstColumn || b.span - a.span || a.occurrence.key.localeCompare(b.occurrence.key),
    );
  const laneEnds: number[] = [];
  for (const bar of bars) {
    let lane = laneEnds.findIndex((end) => end < bar.firstColumn);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = bar.firstColumn + bar.span - 1;
    bar.lane = lane;
  }
  return { bars, lanes: laneEnds.length };
}

/** The whole week: all-day bars and, per day, its timed blocks clipped, sized and packed. */
export function layoutWeek<T extends Placeable>(
  days: readonly string[],
  occurrencesByDay: ReadonlyMap<string, readonly T[]>,
  zone: string,
): WeekLayout<T> {
  const allDayByKey = new Map<string, T>();
  let earliestMinute: number | null = null;
  const timed = days.map((day) => {
    const blocks: TimedBlock<T>[] = [];
    for (const occurrence of occurrencesByDay.get(day) ?? []) {
      if (occurrence.allDay) {
        allDayByKey.set(occurrence.key, occurrence);
        continue;
      }
      const segment = daySegment(occurrence, day, zone);
      if (!segment) continue;
      const extent = drawnExtent(segment.startMinute, segment.endMinute);
      blocks.push({ occurrence, day, ...segment, ...extent, column: 0, columns: 1 });
      if (earliestMinute === null || extent.top < earliestMinute) earliestMinute = extent.top;
    }
    return packColumns(blocks);
  });
  const { bars, lanes } = packAllDay([...allDayByKey.values()], days);
  return { allDay: bars, lanes, timed, earliestMinute };
}
