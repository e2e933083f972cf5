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
import {
  type CalendarOccurrence,
  type MoreMarker,
  type OccurrenceWarning,
  SERIES_DAY_LIMIT,
} from './occurrence-types.ts';

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
export const RENDER_BUDGET: BudgetLimits = { candidates: 150_000, occurrences: 20_000 };
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

export function lastDayOf(start: Date, end: Date, zone: string): string {
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
export function daysOf(from: Date, to: Date, zone: string): string[] {
  const days: string[] = [];
  const last = dateInZone(new Date(to.getTime() - 1), zone);
  for (let day = dateInZone(from, zone); day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Where one render collects what it draws and the markers of what it does not. */
export interface ExpansionTarget {
  out: CalendarOccurrence[];
  more: MoreMarker[];
  /** The render's shared budget for the day-by-day pass. */
  shared: Budget;
  days: readonly string[];
  from: Date;
  to: Date;
  zone: string;
}

/** A series' occurrences overlapping the view, capped per day, with markers; bounded work (budgets above). */
export function expandSeries(event: SeriesEvent, target: ExpansionTarget): void {
  const { from, to, zone, days } = target;
  const view = occurrenceView(event, zone);
  const compileResult = compiledOf(event);
  if (!compileResult.ok) {
    const first = firstOccurrenceFallback(seriesOf(event), { allDayZone: zone });
    const { code, reason } = compileResult.error;
    if (first && first.start < to && first.end > from)
      target.out.push(view(first, { kind: 'unreadable', reason: `${code}: ${reason}` }, []));
    return;
  }
  const series = compileResult.series;
  const notes = series.warnings.map((warning) => warning.reason);
  const firstPass = expandWithin(series, from, to, {
    window: 'overlap',
    allDayZone: zone,
    budget: { candidates: FIRST_PASS_CANDIDATES, occurrences: days.length * FIRST_PASS_PER_DAY },
  });
  const marker = (day: string, hidden: number | null) =>
    target.more.push({ key: `${event.id}/more/${day}`, event, title: titleOf(event), day, hidden });
  const draw = (occurrence: Occurrence, warning: OccurrenceWarning | null) =>
    target.out.push(view(occurrence, warning, notes));
  if (firstPass.ok) capPerDay(firstPass.occurrences, zone, draw, marker);
  else dayByDay(event, series, target, draw, marker);
}

const titleOf = (event: CalendarEventDto) => event.summary ?? '(no title)';

/** A series occurrence as the views draw it. */
function occurrenceView(event: SeriesEvent, zone: string) {
  return (
    occurrence: Occurrence,
    warning: OccurrenceWarning | null,
    notes: readonly string[],
  ): CalendarOccurrence => {
    const summary = occurrence.overrides?.summary;
    return {
      key: `${event.id}/${occurrence.originalStart}`,
      event,
      title: typeof summary === 'string' ? summary : titleOf(event),
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
}

type Draw = (occurrence: Occurrence, warning: OccurrenceWarning | null) => void;
type Mark = (day: string, hidden: number | null) => void;

/** Complete: cap each day at SERIES_DAY_LIMIT (counted on the day an occurrence starts). */
function capPerDay(occurrences: readonly Occurrence[], zone: string, draw: Draw, marker: Mark): void {
  const perDay = new Map<string, Occurrence[]>();
  for (const occurrence of occurrences) {
    const day = occurrence.startDate ?? dateInZone(occurrence.start, zone);
    const list = perDay.get(day);
    if (list) list.push(occurrence);
    else perDay.set(day, [occurrence]);
  }
  const capped = [...perDay.values()].some((list) => list.length > SERIES_DAY_LIMIT);
  const warning = capped ? { kind: 'too_frequent' as const, reason: TOO_FREQUENT } : null;
  for (const [day, list] of perDay) {
    for (const occurrence of list.slice(0, SERIES_DAY_LIMIT)) draw(occurrence, warning);
    if (list.length > SERIES_DAY_LIMIT) marker(day, list.length - SERIES_DAY_LIMIT);
  }
}

/** Past its own budget: day by day, the first SERIES_DAY_LIMIT + 1 of each day, on the render's budget. */
function dayByDay(
  event: SeriesEvent,
  series: CompiledSeries,
  { days, zone, shared }: ExpansionTarget,
  draw: Draw,
  marker: Mark,
): void {
  const warning = { kind: 'too_frequent' as const, reason: TOO_FREQUENT };
  // Days outside the series' exact bounds (the API's seriesBounds) get no marker.
  const seriesStart = Date.parse(event.seriesStart);
  const seriesEnd = event.seriesEnd === null ? Number.POSITIVE_INFINITY : Date.parse(event.seriesEnd);
  for (const day of days) {
    const window = [dayStart(day, zone), dayStart(addDays(day, 1), zone)] as const;
    if (window[1].getTime() <= seriesStart || window[0].getTime() >= seriesEnd) continue;
    if (shared.candidates <= 0 || shared.occurrences <= 0) {
      marker(day, null);
      continue;
    }
    const result = expandDay(series, window, zone, shared);
    for (const occurrence of result.occurrences.slice(0, SERIES_DAY_LIMIT)) draw(occurrence, warning);
    const found = result.occurrences.length;
    if (!result.ok) marker(day, null);
    else if (found > SERIES_DAY_LIMIT) marker(day, found - SERIES_DAY_LIMIT);
  }
}

/**
 * One day of a dense series. Near a DST change the engine widens its floating range by the offset change and
 * counts what it produces there (up to an hour of the rule before the window: 60 of a MINUTELY rule, 3,600 of a
 * SECONDLY one), so a day that found too few is tried again with 8× the room, up to that hour.
 */
function expandDay(series: CompiledSeries, window: readonly [Date, Date], zone: string, shared: Budget) {
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
  return result;
}
