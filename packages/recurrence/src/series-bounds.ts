/** The span a series' occurrences cover, for storing and querying series by window. */
import { BudgetExceeded, budgetOf } from './budget.ts';
import type { CompiledSeries } from './compile.ts';
import type { RecurrenceIssue } from './errors.ts';
import { DAY, localToInstant, offsetsNear, startOfDay } from './local-time.ts';
import { firstOccurrence, lastOccurrence, occurrencesBetween } from './rule-iterator.ts';
import { compiled, frameOf } from './series-frame.ts';
import type { ExpandOptions, Series } from './types.ts';

export interface SeriesBounds {
  /** The first occurrence's start: no occurrence starts earlier. */
  start: Date;
  /**
   * The last occurrence's end: no occurrence ends later. Null when the series is unbounded (an RRULE
   * without COUNT or UNTIL) or when its COUNT-th occurrence is not found within the work budget.
   */
  end: Date | null;
  /** `budget_exceeded`: a bound could not be made exact within the budget and was widened (start earlier, end open). */
  warning?: RecurrenceIssue;
}

/**
 * The span the series' occurrences cover (what the API stores as series_start/series_end, so that "which
 * series touch this window" is one index range scan): from the first occurrence's start to the last one's
 * end — exact, also when DTSTART lies in a DST gap (its first occurrence can be earlier than DTSTART's
 * instant). EXDATEs and cancellations are not looked at (the span may be wider then, never narrower); moved
 * overrides and RDATEs widen it. All-day dates are read in `allDayZone`. Runs under the work budget
 * (`options.budget`): past it, the bound that could not be found is widened and `warning` says so.
 */
export function seriesBounds(series: Series | CompiledSeries, options?: ExpandOptions): SeriesBounds {
  const s = compiled(series);
  const frame = frameOf(s, options);
  const budget = budgetOf(options?.budget);
  const toStart = (local: number) => (s.allDay ? startOfDay(local) : localToInstant(local, s.zone!));
  const dtstart = toStart(s.dtstart);
  const spread = (local: number) => {
    const { min, max } = offsetsNear(s.zone!, local);
    return max - min;
  };
  let widened = false;
  const starts = [...s.rdates, ...s.overrides.map((o) => o.start)];
  if (s.includesDtstart) starts.push(dtstart);
  const ends = [...s.rdates.map((rdate) => rdate + s.durationMs), ...s.overrides.map((o) => o.end)];
  if (s.includesDtstart) ends.push(dtstart + s.durationMs);
  let open = false;
  for (const rule of s.rules) {
    // The local → instant mapping is monotonic except across a gap (02:59 in the gap is later than 03:00
    // after it): the extreme instants are among the occurrences within a day or two of the first/last.
    try {
      const first = firstOccurrence(rule, budget);
      if (first === undefined) continue; // no occurrence at all
      const jump = s.allDay ? 0 : spread(first);
      for (const local of occurrencesBetween(rule, first, first + jump, budget)) starts.push(toStart(local));
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      widened = true;
      starts.push(dtstart - (s.allDay ? 0 : DAY));
    }
    if (rule.spec.count === undefined && rule.spec.until === undefined) {
      open = true;
      continue;
    }
    try {
      const last = lastOccurrence(rule, budget);
      if (last === null) {
        widened = true;
        open = true;
      } else if (last !== undefined) {
        for (const local of occurrencesBetween(rule, last - (s.allDay ? 0 : spread(last)), last, budget))
          ends.push(toStart(local) + s.durationMs);
      }
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      widened = true;
      // UNTIL still bounds the series; an unresolved COUNT leaves it open.
      if (rule.untilInstant !== undefined) ends.push(rule.untilInstant + s.durationMs);
      else if (rule.untilLocal !== undefined) ends.push(toStart(rule.untilLocal) + s.durationMs);
      else open = true;
    }
  }
  const least = (list: number[], fallback: number) =>
    list.reduce((a, b) => Math.min(a, b), list[0] ?? fallback);
  const most = (list: number[], fallback: number) =>
    list.reduce((a, b) => Math.max(a, b), list[0] ?? fallback);
  const start = least(starts, dtstart);
  const end = open ? null : new Date(frame.toInstant(most(ends, start)));
  const bounds: SeriesBounds = { start: new Date(frame.toInstant(start)), end };
  if (widened) {
    bounds.warning = {
      code: 'budget_exceeded',
      reason: 'the first or last occurrence is not found within the work budget: bounds widened',
    };
  }
  return bounds;
}
