import type { Budget, BudgetLimits } from './budget.ts';

/**
 * The plain data the engine works on: a series as the API stores it (one row per series master) and the
 * occurrences it expands to. JSON-friendly on the way in (strings), Dates on the way out.
 */

/** Changed fields of one occurrence, keyed in `SeriesExceptions.overrides` by its original start. */
export interface OccurrenceOverride {
  /**
   * New start: an RFC 3339 date-time with `Z` or an offset (`2025-09-16T18:00:00+02:00`), or a local
   * `YYYY-MM-DDTHH:mm:ss` read in the series' zone; `YYYY-MM-DD` for an all-day series.
   */
  start?: string;
  /** New end, same forms as `start`. Without it the occurrence keeps the series' duration. */
  end?: string;
  summary?: string;
  /** Any other changed field (description, location, ...): carried through untouched. */
  [field: string]: unknown;
}

export interface SeriesExceptions {
  /** Original starts (keys, see original-start.ts) of cancelled occurrences. */
  cancelled?: readonly string[];
  /** Original start key → the fields that changed. */
  overrides?: Readonly<Record<string, OccurrenceOverride>>;
}

export interface Series {
  /**
   * DTSTART. Timed: local wall-clock `YYYY-MM-DDTHH:mm:ss` in `tzid`. All-day: a date `YYYY-MM-DD`
   * (the series is all-day exactly when DTSTART is a date).
   */
  dtstart: string;
  /** IANA zone the rule expands in. Required for a timed series; ignored for an all-day one. */
  tzid?: string;
  /**
   * Exact duration of every occurrence (RFC 5545 §3.8.5.3: a duration given by DTEND "is the same exact
   * duration" for every instance). All-day: a whole number of days in ms. Defaults to 0 (timed) / 1 day.
   */
  durationMs?: number;
  /** Alternative to `durationMs`: DTEND in the same form as `dtstart` (in `tzid`). */
  end?: string;
  /**
   * Google's `recurrence` lines: `RRULE:...`, `EXRULE:...`, `RDATE[;TZID=..|;VALUE=DATE]:v1,v2`,
   * `EXDATE[;TZID=..|;VALUE=DATE]:v1,v2`; values local (with TZID or the series' zone), UTC (`...Z`) or dates.
   */
  recurrence: readonly string[];
  exceptions?: SeriesExceptions;
}

export interface Occurrence {
  /** Start instant. All-day: midnight of `startDate` in `ExpandOptions.allDayZone`. */
  start: Date;
  /** End instant (exclusive). */
  end: Date;
  /** Identity of the occurrence in the series: `YYYY-MM-DDTHH:mm:ssZ`, or `YYYY-MM-DD` when all-day. */
  originalStart: string;
  /** True when an override moved or changed it. */
  isException: boolean;
  allDay: boolean;
  /** All-day only: the dates, end exclusive (`2025-01-01` → `2025-01-02` for one day). */
  startDate?: string;
  endDate?: string;
  /** The override applied, as stored (only the changed fields). */
  overrides?: OccurrenceOverride;
}

export interface ExpandOptions {
  /**
   * `start` (default): an occurrence is in [from, to) when its start is. `overlap`: when it overlaps the
   * window (start < to and end > from), what a calendar view wants for long events.
   */
  window?: 'start' | 'overlap';
  /**
   * Zone in which all-day dates become instants (midnight) for the window test and `start`/`end`: the
   * viewer's or the calendar's zone. Default UTC. The dates themselves never shift.
   */
  allDayZone?: string;
  /**
   * Work budget of the call (candidates examined, occurrences produced); defaults in budget.ts
   * (`DEFAULT_BUDGET`). Past it the answer is `budget_exceeded` with the occurrences found so far. A `Budget`
   * instance is shared: pass the same one to every call of a request to bound the request as a whole.
   */
  budget?: Partial<BudgetLimits> | Budget;
}
