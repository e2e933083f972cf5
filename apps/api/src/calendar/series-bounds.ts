import { seriesBounds as engineBounds } from '@firstlight/recurrence';

/**
 * A series' time range for "which series touch this window" (series_start/series_end): the engine computes the
 * end from COUNT/UNTIL (null when unbounded). A rule the engine refuses still gets stored — unbounded, so every
 * window returns it and the browser shows its first occurrence with a warning instead of losing it.
 */
export function seriesBounds(
  series: { dtstart: string; tzid: string | null; durationMs: number; recurrence: string[] },
  fallbackStart: Date,
): { start: Date; end: Date | null } {
  try {
    return engineBounds({
      dtstart: series.dtstart,
      ...(series.tzid ? { tzid: series.tzid } : {}),
      durationMs: series.durationMs,
      recurrence: series.recurrence,
    });
  } catch {
    return { start: fallbackStart, end: null };
  }
}
