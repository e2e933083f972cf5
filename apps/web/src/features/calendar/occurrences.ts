import type { CalendarEventDto, SeriesEvent } from '@firstlight/contracts';
import {
  Budget,
  type BudgetLimits,
  type CompiledSeries,
  type CompileResult,
  compileSeries,
  expandWithin,
  firstOccurrenceFallback,
  type Occurrence,
  type Series,
} from '@firstlight/recurrence';
import { addDays, dateInZone, dayStart } from './calendar-dates.ts';

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

/**
 * Each series is first expanded over the whole view on a budget of its own, so a hostile series can never
 * starve the ordinary ones (a shared budget would let the first SECONDLY rule use it all up): enough
 * occurrences for an hourly series (counted exactly: "+12 more"), and far more candidates than any calendar-like rule needs for a
 * few weeks (a YEARLY period examines 366 days; sub-daily filters are skipped arithmetically by the engine).
 * ~2–6 ms at worst on a busy 2-core machine.
 */
const FIRST_PASS_CANDIDATES = 20_000;
/** 25: an hourly series on a fall-back day. */
const FIRST_PASS_PER_DAY = 25;
/**
 * A series past its first pass is expanded again day by day (SERIES_DAY_LIMIT + 1 occurrences each), all such
 * series of one render sharing this budget: 1.5–2× the engine's default, for the days next to a DST change
 * (below); ~30–50 ms at worst for the whole render.
 * Measured in bench/expansion (hostile month grid), which is why expansion stays on the main thread.
 */
const RENDER_BUDGET: BudgetLimits = { candidates: 150_000, occurrences: 20_000 };
/** What one day of one series may spend of the shared budget (a day of a SECONDLY rule needs ~13). */
const DAY_CANDIDATES = 5_000;
/** An hour of a SECONDLY rule (a 2-hour DST change, Antarctica/Troll, is not worth twice that). */
const DST_SLACK_OCCURRENCES = 3_600;
const TOO_FREQUENT = 'repeats too often to show every occurrence';

// Compiling parses the rule lines once; a series object is replaced (never mutated) on every edit, so a
// WeakMap keyed by it is invalidated exactly when the series changes.
const compiled = new WeakMap<SeriesEvent, CompileResult>();

function seriesOf(event: SeriesEvent): Series {
  return {
    dtstart: event.dtstart,
    ...(event.tzid ? { tzid: event.tzid } : {}),
    durationMs: event.durationMs,
    recurrence: event.recurrence,
    exceptions: event.exceptions,
  };
}

function compiledOf(event: SeriesEvent): CompileResult {
  let result = compiled.get(event);
  if (!result) {
    result = compileSeries(seriesOf(event));
    compiled.set(event, result);
  }
  return result;
}

function lastDayOf(start: Date, end: Date, zone: string): string {
  // The end is exclusive: an event ending at midnight does not touch the next day.
  return dateInZone(new Date(Math.max(start.getTime(), end.getTime() - 1)), zone);
}

/** One day of a dense series on (and charged to) the render's shared budget. */
function dayExpansion(
  series: CompiledSeries,
  [from, to]: readonly [Date, Date],
  zone: string,
  shared: Budget,
  occurrences: number,
) {
  // ~2 candidates per occurrence for a SECONDLY rule; DAY_CANDIDATES covers a day's sparse filters.
  const candidates = Math.max(DAY_CANDIDATES, 3 * occurrences);
  const budget = new Budget({
    candidates: Math.max(0, Math.min(shared.candidates, candidates)),
    occurrences: Math.max(0, Math.min(shared.occurrences, occurrences)),
  });
  const result = expandWithin(series, from, to, { allDayZone: zone, budget });
  shared.candidates -= budget.limits.candidates - Math.max(0, budget.candidates);
  shared.occurrences -= budget.limits.occurrences - Math.max(0, budget.occurrences);
  return result;
}

/** The civil days of [from, to) in `zone`. */
function daysOf(from: Date, to: Date, zone: string): string[] {
  const days: string[] = [];
  const last = dateInZone(new Date(to.getTime() - 1), zone);
  for (let day = dateInZone(from, zone); day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * Every occurrence overlapping [from, to) in `zone`, sorted all-day first, then by start, and the markers of
 * what is not drawn. Bounded work: see the budgets above; nothing here can freeze the tab.
 */
export function occurrencesIn(
  events: readonly CalendarEventDto[],
  from: Date,
  to: Date,
  zone: string,
): ViewOccurrences {
  const out: CalendarOccurrence[] = [];
  const more: MoreMarker[] = [];
  const shared = new Budget(RENDER_BUDGET);
  const days = daysOf(from, to, zone);
  for (const event of events) {
    if (event.status === 'cancelled') continue;
    const fallbackTitle = event.summary ?? '(no title)';
    if (event.kind === 'single') {
      const start = new Date(event.start);
      const end = new Date(event.end);
      if (!(start < to && end > from)) continue;
      const allDay = event.allDay && event.startDate !== null && event.endDate !== null;
      out.push({
        key: event.id,
        event,
        title: fallbackTitle,
        start,
        end,
        allDay,
        firstDay: allDay ? event.startDate! : dateInZone(start, zone),
        lastDay: allDay ? addDays(event.endDate!, -1) : lastDayOf(start, end, zone),
        originalStart: null,
        isException: false,
        warning: null,
        notes: [],
      });
      continue;
    }
    const toView = (occurrence: Occurrence, warning: OccurrenceWarning | null, notes: readonly string[]) => {
      const summary = occurrence.overrides?.summary;
      return {
        key: `${event.id}/${occurrence.originalStart}`,
        event,
        title: typeof summary === 'string' ? summary : fallbackTitle,
        start: occurrence.start,
        end: occurrence.end,
        allDay: occurrence.allDay,
        firstDay: occurrence.startDate ?? dateInZone(occurrence.start, zone),
        lastDay: occurrence.endDate
          ? addDays(occurrence.endDate, -1)
          : lastDayOf(occurrence.start, occurrence.end, zone),
        originalStart: occurrence.originalStart,
        isException: occurrence.isException,
        warning,
        notes,
      };
    };
    const compileResult = compiledOf(event);
    if (!compileResult.ok) {
      const first = firstOccurrenceFallback(seriesOf(event), { allDayZone: zone });
      const { code, reason } = compileResult.error;
      if (first && first.start < to && first.end > from)
        out.push(toView(first, { kind: 'unreadable', reason: `${code}: ${reason}` }, []));
      continue;
    }
    const series = compileResult.series;
    const notes = series.warnings.map((warning) => warning.reason);
    const firstPass = expandWithin(series, from, to, {
      window: 'overlap',
      allDayZone: zone,
      budget: { candidates: FIRST_PASS_CANDIDATES, occurrences: days.length * FIRST_PASS_PER_DAY },
    });
    const marker = (day: string, hidden: number | null) =>
      more.push({ key: `${event.id}/more/${day}`, event, title: fallbackTitle, day, hidden });
    if (firstPass.ok) {
      // Complete: cap each day at SERIES_DAY_LIMIT (counted on the day an occurrence starts).
      const perDay = new Map<string, Occurrence[]>();
      for (const occurrence of firstPass.occurrences) {
        const day = occurrence.startDate ?? dateInZone(occurrence.start, zone);
        const list = perDay.get(day);
        if (list) list.push(occurrence);
        else perDay.set(day, [occurrence]);
      }
      const capped = [...perDay.values()].some((list) => list.length > SERIES_DAY_LIMIT);
      const warning = capped ? { kind: 'too_frequent' as const, reason: TOO_FREQUENT } : null;
      for (const [day, list] of perDay) {
        for (const occurrence of list.slice(0, SERIES_DAY_LIMIT))
          out.push(toView(occurrence, warning, notes));
        if (list.length > SERIES_DAY_LIMIT) marker(day, list.length - SERIES_DAY_LIMIT);
      }
      continue;
    }
    // Past its own budget: day by day, the first SERIES_DAY_LIMIT + 1 of each day, on the render's budget.
    const warning = { kind: 'too_frequent' as const, reason: TOO_FREQUENT };
    // Days outside the series' exact bounds (the API's seriesBounds) get no marker.
    const seriesStart = Date.parse(event.seriesStart);
    const seriesEnd = event.seriesEnd === null ? Number.POSITIVE_INFINITY : Date.parse(event.seriesEnd);
    for (const day of days) {
      if (
        dayStart(addDays(day, 1), zone).getTime() <= seriesStart ||
        dayStart(day, zone).getTime() >= seriesEnd
      )
        continue;
      if (shared.candidates <= 0 || shared.occurrences <= 0) {
        marker(day, null);
        continue;
      }
      const window = [dayStart(day, zone), dayStart(addDays(day, 1), zone)] as const;
      // Near a DST change the engine widens its floating range by the offset change and counts what it
      // produces there (up to an hour of the rule before the window: 60 of a MINUTELY rule, 3,600 of a
      // SECONDLY one), so a day that found too few is tried again with 8× the room, up to that hour.
      let room = SERIES_DAY_LIMIT + 1;
      let result = dayExpansion(series, window, zone, shared, room);
      while (
        !result.ok &&
        result.occurrences.length <= SERIES_DAY_LIMIT &&
        result.coveredUntil < window[1] &&
        room < SERIES_DAY_LIMIT + 1 + DST_SLACK_OCCURRENCES
      ) {
        room = Math.min(room * 8, SERIES_DAY_LIMIT + 1 + DST_SLACK_OCCURRENCES);
        result = dayExpansion(series, window, zone, shared, room);
      }
      for (const occurrence of result.occurrences.slice(0, SERIES_DAY_LIMIT))
        out.push(toView(occurrence, warning, notes));
      const found = result.occurrences.length;
      if (!result.ok) marker(day, null);
      else if (found > SERIES_DAY_LIMIT) marker(day, found - SERIES_DAY_LIMIT);
    }
  }
  out.sort(
    (a, b) =>
      Number(b.allDay) - Number(a.allDay) ||
      a.start.getTime() - b.start.getTime() ||
      a.key.localeCompare(b.key),
  );
  return { occurrences: out, more };
}

/** Occurrences per civil day for the given days (a multi-day event appears on each day it covers). */
export function byDay(occurrences: readonly CalendarOccurrence[], days: readonly string[]) {
  const map = new Map<string, CalendarOccurrence[]>(days.map((day) => [day, []]));
  const first = days[0] ?? '';
  const last = days[days.length - 1] ?? '';
  for (const occurrence of occurrences) {
    // Civil dates compare as strings (YYYY-MM-DD), so no Math.min/max here.
    let day = occurrence.firstDay;
    if (day < first) day = first;
    let until = occurrence.lastDay;
    if (until > last) until = last;
    while (day <= until) {
      map.get(day)?.push(occurrence);
      day = addDays(day, 1);
    }
  }
  return map;
}

/** The markers per civil day. */
export function moreByDay(markers: readonly MoreMarker[]): Map<string, MoreMarker[]> {
  const map = new Map<string, MoreMarker[]>();
  for (const marker of markers) {
    const list = map.get(marker.day);
    if (list) list.push(marker);
    else map.set(marker.day, [marker]);
  }
  return map;
}

/** "+3 more", or "+ more" when some were not counted. */
export function moreLabel(hidden: number, uncounted: boolean): string {
  return uncounted ? `+${hidden > 0 ? hidden : ''} more` : `+${hidden} more`;
}
