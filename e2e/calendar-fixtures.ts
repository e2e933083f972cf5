import type { CalendarRangeResponse, SeriesEvent } from '@firstlight/contracts';
import { expand, toLocalDateTime } from '@firstlight/recurrence';

/** The calendar browser tests' fixed data: the emulator's calendar at a fixed "now", and what to look for in it. */

// A fixed "now" for the emulator's generated calendar, so the same series exist on every run.
export const ANCHOR = Date.UTC(2026, 0, 15);
export const DST_ZONES = ['America/New_York', 'Europe/Berlin', 'Europe/London'];
// Months holding a DST change in those zones, around the anchor.
export const DST_MONTHS = ['2026-03', '2026-10', '2026-11', '2025-03', '2025-10', '2025-11'];

// The week the edit and week-view tests use (Monday 19 – Sunday 25 January 2026), seen from Berlin.
export const WEEK = { monday: '2026-01-19', zone: 'Europe/Berlin' };
export const EMAIL = 'calendar@example.com';

/** A timed occurrence of a series inside one day of WEEK, with its wall-clock start there. */
export interface WeekOccurrence {
  series: SeriesEvent;
  originalStart: string;
  start: Date;
  end: Date;
  /** `YYYY-MM-DD` and minutes since midnight in WEEK.zone. */
  day: string;
  minute: number;
}

/**
 * Occurrences of confirmed timed series in WEEK (the engine's expansion of what the API returns), unchanged
 * so far, starting 08:00–15:59 and ending the same day: room to move one two hours later on the same day.
 */
export function weekOccurrences(
  events: CalendarRangeResponse['events'],
  from: Date,
  to: Date,
): WeekOccurrence[] {
  const out: WeekOccurrence[] = [];
  for (const series of events) {
    if (series.kind !== 'series' || series.allDay || series.status !== 'confirmed') continue;
    const occurrences = expand(
      {
        dtstart: series.dtstart,
        ...(series.tzid ? { tzid: series.tzid } : {}),
        durationMs: series.durationMs,
        recurrence: series.recurrence,
        exceptions: series.exceptions,
      },
      from,
      to,
    );
    for (const occurrence of occurrences) {
      if (occurrence.isException) continue;
      const local = toLocalDateTime(occurrence.start, WEEK.zone);
      const hour = Number(local.slice(11, 13));
      const endLocal = toLocalDateTime(occurrence.end, WEEK.zone);
      const duration = occurrence.end.getTime() - occurrence.start.getTime();
      if (hour < 8 || hour > 15 || endLocal.slice(0, 10) !== local.slice(0, 10) || duration < 30 * 60_000)
        continue;
      out.push({
        series,
        originalStart: occurrence.originalStart,
        start: occurrence.start,
        end: occurrence.end,
        day: local.slice(0, 10),
        minute: hour * 60 + Number(local.slice(14, 16)),
      });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.series.id.localeCompare(b.series.id));
}

export interface DstPair {
  series: SeriesEvent;
  month: string;
  before: { originalStart: string; start: Date };
  after: { originalStart: string; start: Date };
}

/** A weekly series whose consecutive occurrences keep their wall-clock time while the UTC offset changes. */
export function findDstPair(events: SeriesEvent[], month: string): DstPair | undefined {
  const from = new Date(`${month}-01T00:00:00Z`);
  const to = new Date(from.getTime() + 31 * 86_400_000);
  for (const series of events) {
    if (!series.tzid) continue;
    const occurrences = expand(
      {
        dtstart: series.dtstart,
        tzid: series.tzid,
        durationMs: series.durationMs,
        recurrence: series.recurrence,
        exceptions: series.exceptions,
      },
      from,
      to,
    ).filter((o) => !o.isException);
    for (let i = 1; i < occurrences.length; i++) {
      const a = occurrences[i - 1]!;
      const b = occurrences[i]!;
      const sameWallClock =
        toLocalDateTime(a.start, series.tzid).slice(11) === toLocalDateTime(b.start, series.tzid).slice(11);
      const offsetChanged = a.start.toISOString().slice(11, 19) !== b.start.toISOString().slice(11, 19);
      // Both inside the month itself, so they are in the grid whatever the weekday of the 1st.
      if (sameWallClock && offsetChanged && b.start < to) return { series, month, before: a, after: b };
    }
  }
  return undefined;
}
