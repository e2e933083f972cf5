import type { CalendarEventDto } from '@firstlight/contracts';

/**
 * Why an occurrence is shown with a mark:
 * - `unreadable`: the rule did not compile, only the first occurrence is shown (packages/recurrence's fallback);
 * - `too_frequent`: the series repeats more often than the view shows (more than SERIES_DAY_LIMIT on a day, or
 *   past the work budget): the first ones of each day are shown, then a "+ more" marker.
 */
export interface OccurrenceWarning {
  kind: 'unreadable' | 'too_frequent';
  reason: string;
}

/** One thing on screen: a single event, or one occurrence of a series expanded in the browser. */
export interface CalendarOccurrence {
  /** Stable across re-expansions: event id + original start. */
  key: string;
  event: CalendarEventDto;
  title: string;
  start: Date;
  end: Date;
  allDay: boolean;
  /** First and last civil day it covers in the viewer's zone (inclusive), for placing it in day cells. */
  firstDay: string;
  lastDay: string;
  /** Series only: the occurrence's identity for the edit routes. */
  originalStart: string | null;
  isException: boolean;
  warning: OccurrenceWarning | null;
  /** Rule parts RFC 5545 forbids, expanded as python-dateutil does (`nonstandard_rrule`): shown discreetly. */
  notes: readonly string[];
}

/** A series' occurrences on `day` that are not drawn: `hidden` of them, or null when not counted (budget). */
export interface MoreMarker {
  key: string;
  event: CalendarEventDto;
  title: string;
  day: string;
  hidden: number | null;
}

export interface ViewOccurrences {
  occurrences: CalendarOccurrence[];
  more: MoreMarker[];
}

/**
 * How a sub-daily (or any very dense) series shows (README § Calendar): at most SERIES_DAY_LIMIT occurrences
 * of one series per day, the first ones of the day, then a "+ more" marker. 12 keeps an hourly series over a
 * working day (9 a day) or a half-hourly morning whole, while a SECONDLY rule draws 12 chips a day, not 86,400.
 */
export const SERIES_DAY_LIMIT = 12;
