import type { BusyResponse, CalendarRangeResponse, WritebackDto } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { eventsInRange } from './calendar-repository.ts';
import { toDto, toSeries } from './event-dto.ts';
import { LoopSlice } from './loop-slice.ts';
import { seriesBusy } from './series-busy.ts';
import { listOutbox, toWritebackDto } from './writeback-repository.ts';

/** The calendar's reads: a window of every account's events, free/busy, the write-backs' states. */

export async function eventsForRange(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<CalendarRangeResponse> {
  const rows = await eventsInRange(db, userId, from, to);
  const calendars = [...new Set(rows.map((row) => row.calendar_id))].map((id) => ({
    id,
    timeZone: rows.find((row) => row.calendar_id === id && row.tzid)?.tzid ?? null,
    synced: true,
  }));
  return { from: from.toISOString(), to: to.toISOString(), events: rows.map(toDto), calendars };
}

/** The user's latest write-backs, newest first. */
export async function listWritebacks(db: Kysely<Database>, userId: string): Promise<WritebackDto[]> {
  return (await listOutbox(db, userId)).map(toWritebackDto);
}

/**
 * Free/busy on the server with the same engine as the browser: singles plus every series expanded over the
 * window (nothing expanded is stored), merged into busy intervals.
 */
export async function busy(
  db: Kysely<Database>,
  userId: string,
  from: Date,
  to: Date,
): Promise<BusyResponse> {
  const rows = await eventsInRange(db, userId, from, to);
  const intervals: [number, number][] = [];
  const slice = new LoopSlice();
  for (const row of rows) {
    await slice.pause();
    if (row.status === 'cancelled') continue;
    if (row.kind === 'single') {
      intervals.push([row.start_at.getTime(), row.end_at.getTime()]);
      continue;
    }
    try {
      // Each series under the engine's work budget, so a hostile rule (FREQ=SECONDLY...) costs a bounded
      // slice of the event loop. Past the budget the rest of the window counts as busy until the series'
      // own end (series_end: its last occurrence's end, exact): it was still producing occurrences there,
      // and reporting time as free that may not be is the worse error.
      const { intervals: found, coveredUntil } = await seriesBusy(toSeries(row), from, to, slice);
      intervals.push(...found);
      const until = Math.min(to.getTime(), row.series_end?.getTime() ?? Number.POSITIVE_INFINITY);
      if ((row.duration_ms ?? 0) > 0 && coveredUntil < until) intervals.push([coveredUntil, until]);
    } catch {
      // An unreadable rule blocks its first occurrence only; the browser shows the warning.
      intervals.push([row.start_at.getTime(), row.end_at.getTime()]);
    }
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    busy: mergeIntervals(intervals, from, to).map(([start, end]) => ({
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    })),
  };
}

/** Clipped to [from, to), sorted, overlapping and touching intervals merged. */
function mergeIntervals(intervals: [number, number][], from: Date, to: Date): [number, number][] {
  const clipped = intervals
    .map(([start, end]) => [Math.max(start, from.getTime()), Math.min(end, to.getTime())] as [number, number])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const interval of clipped) {
    const last = merged.at(-1);
    if (last && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push([...interval]);
  }
  return merged;
}
