/**
 * Expansion of a series over a window (its bounds: series-bounds.ts; the fallback for broken series:
 * expand-fallback.ts).
 *
 * The recurrence set is RFC 5545 §3.8.5: occurrences of every RRULE, plus RDATEs (plus DTSTART when there is
 * no RRULE), minus EXDATEs and EXRULE occurrences, deduplicated by start. Then the exceptions Google keeps
 * beside the rule: cancelled original starts are dropped, and an overridden occurrence appears at its new
 * time, wherever that is, with `isException` and the changed fields.
 */
import { type Budget, BudgetExceeded, budgetOf } from './budget.ts';
import type { CompiledSeries } from './compile.ts';
import type { CompiledRule } from './compile-rule.ts';
import { RecurrenceError, type RecurrenceIssue } from './errors.ts';
import {
  DAY,
  formatLocalDate,
  formatUtc,
  instantToLocal,
  localToInstant,
  offsetAt,
  offsetsNear,
  startOfDay,
} from './local-time.ts';
import { occurrencesBetween } from './rule-iterator.ts';
import { compiled, type Frame, frameOf } from './series-frame.ts';
import type { ExpandOptions, Occurrence, Series } from './types.ts';

/** All-day floating bounds get this slack; exact bounds are applied on instants. */
const SLACK = 2 * DAY;

/** Floating [from, to] holding the local reading of every instant in [lo, hi] (timed series). */
function localRange(series: CompiledSeries, lo: number, hi: number): [number, number] {
  const zone = series.zone!;
  return [lo + offsetsNear(zone, lo).min, hi + offsetsNear(zone, hi).max];
}

/** Is an occurrence [start, end) in the window [lo, hi) (by start, or overlapping)? */
function inWindow(frame: Frame, start: number, end: number, lo: number, hi: number, overlap: boolean) {
  const a = frame.toInstant(start);
  if (a >= hi) return false;
  return a >= lo || (overlap && frame.toInstant(end) > lo);
}

/** Where the budget stopped the rules of one call (floating), if it did. */
interface Coverage {
  covered: number;
  exceeded: BudgetExceeded | undefined;
}

/** Start values of every rule's occurrences in floating [from, to]; a rule stopped by the budget is noted. */
function startsOf(
  series: CompiledSeries,
  rules: readonly CompiledRule[],
  from: number,
  to: number,
  budget: Budget,
  coverage: Coverage,
  out: number[],
): void {
  for (const rule of rules) {
    try {
      ruleStarts(series, rule, from, to, budget, out);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      coverage.exceeded = error;
      coverage.covered = Math.min(coverage.covered, rule.iter.reached);
    }
  }
}

const ascending = (a: number, b: number) => a - b;

/**
 * Start values of one rule's occurrences within floating [from, to] (appended to `out`). When the budget
 * runs out, `out` holds those found and the BudgetExceeded carries on; `rule.iter.reached` says how far.
 */
function ruleStarts(
  series: CompiledSeries,
  rule: CompiledRule,
  from: number,
  to: number,
  budget: Budget,
  out: number[],
): void {
  // Floating values are appended to `out`, then mapped in place (also when the budget stopped the rule).
  const first = out.length;
  try {
    occurrencesBetween(rule, from, to, budget, out);
  } finally {
    const zone = series.zone;
    if (series.allDay) for (let i = first; i < out.length; i++) out[i] = startOfDay(out[i]!);
    else for (let i = first; i < out.length; i++) out[i] = localToInstant(out[i]!, zone!);
  }
}

/**
 * The instant before which every occurrence was found, when the iteration stopped at floating `local`:
 * earlier by the zone's largest offset change nearby (a gap maps later locals to earlier instants).
 */
function coveredInstant(series: CompiledSeries, frame: Frame, local: number): number {
  if (series.allDay) return frame.toInstant(startOfDay(local));
  const zone = series.zone!;
  const offsets = [offsetAt(zone, local - 2 * DAY), offsetAt(zone, local), offsetAt(zone, local + 2 * DAY)];
  return local - Math.max(...offsets);
}

const keyOf = (series: CompiledSeries, start: number): string =>
  series.allDay ? formatLocalDate(start) : formatUtc(start);

function occurrence(
  series: CompiledSeries,
  frame: Frame,
  key: string,
  start: number,
  end: number,
  override?: CompiledSeries['overrides'][number],
): Occurrence {
  const out: Occurrence = {
    start: new Date(frame.toInstant(start)),
    end: new Date(frame.toInstant(end)),
    originalStart: key,
    isException: override !== undefined,
    allDay: series.allDay,
  };
  if (series.allDay) {
    out.startDate = formatLocalDate(start);
    out.endDate = formatLocalDate(end);
  }
  if (override) out.overrides = override.fields;
  return out;
}

/** What `expandWithin` answers: the occurrences, or those found before the budget ran out. */
export type ExpandResult =
  | { ok: true; occurrences: Occurrence[] }
  | {
      ok: false;
      /** `budget_exceeded`. */
      error: RecurrenceIssue;
      /** Every occurrence starting in [from, coveredUntil) — and only those — is in `occurrences`. */
      occurrences: Occurrence[];
      coveredUntil: Date;
    };

/**
 * Occurrences of `series` in the window [from, to), sorted by start, under the work budget
 * (`options.budget`, default budget.ts). With `window: 'start'` (default) an occurrence belongs to the window
 * when its start does; with `'overlap'` when any part of it does. Never throws for the budget: past it the
 * answer is `{ ok: false, error: budget_exceeded, occurrences (a correct prefix), coveredUntil }`. Throws
 * `RecurrenceError` for an invalid series: use `compileSeries` first to get that error as a value.
 */
export function expandWithin(
  series: Series | CompiledSeries,
  from: Date,
  to: Date,
  options?: ExpandOptions,
): ExpandResult {
  const s = compiled(series);
  const frame = frameOf(s, options);
  const lo = from.getTime();
  const hi = to.getTime();
  if (!(hi > lo)) return { ok: true, occurrences: [] };
  const budget = budgetOf(options?.budget);
  const overlap = options?.window === 'overlap';
  // Floating range that holds every candidate start: an overlapping occurrence starts ≤ duration earlier.
  const earliest = lo - (overlap ? s.durationMs : 0);
  let fromLocal: number;
  let toLocal: number;
  if (s.allDay) {
    fromLocal = frame.toLocal(earliest) - SLACK;
    toLocal = frame.toLocal(hi) + SLACK;
  } else [fromLocal, toLocal] = localRange(s, earliest, hi);

  const coverage: Coverage = { covered: Number.POSITIVE_INFINITY, exceeded: undefined };
  const starts: number[] = [];
  startsOf(s, s.rules, fromLocal, toLocal, budget, coverage, starts);
  if (s.includesDtstart) starts.push(s.allDay ? s.dtstart : localToInstant(s.dtstart, s.zone!));
  for (const rdate of s.rdates) starts.push(rdate);
  // Nearly sorted already (one rule, ascending); a gap shift or a second rule can reorder or repeat.
  if (s.rules.length > 1 || s.rdates.length > 0 || !s.allDay) starts.sort(ascending);
  let excluded: Set<number> | undefined;
  if (s.exrules.length > 0) {
    const excludedStarts: number[] = [];
    startsOf(s, s.exrules, fromLocal, toLocal, budget, coverage, excludedStarts);
    excluded = new Set(excludedStarts);
  }
  const exceeded = coverage.exceeded;
  const coveredUntil = exceeded ? coveredInstant(s, frame, coverage.covered) : Number.POSITIVE_INFINITY;
  const exdates = s.exdates.size > 0 || excluded !== undefined;
  const exceptions = s.cancelled.size > 0 || s.overridden.size > 0;

  const out: Occurrence[] = [];
  let previous = Number.NaN;
  for (const start of starts) {
    if (start === previous) continue;
    previous = start;
    const end = start + s.durationMs;
    if (!inWindow(frame, start, end, lo, hi, overlap)) continue;
    if (exceeded && frame.toInstant(start) >= coveredUntil) continue;
    if (exdates && (s.exdates.has(start) || excluded?.has(start))) continue;
    if (s.exdateDays.size > 0 && s.exdateDays.has(startOfDay(instantToLocal(start, s.zone!)))) continue;
    const key = keyOf(s, start);
    if (exceptions && (s.cancelled.has(key) || s.overridden.has(key))) continue;
    out.push(occurrence(s, frame, key, start, end));
  }
  // An override shows at its new time, even when its original start is outside the window.
  let moved = false;
  for (const override of s.overrides) {
    if (!inWindow(frame, override.start, override.end, lo, hi, overlap)) continue;
    if (frame.toInstant(override.start) >= coveredUntil) continue;
    out.push(occurrence(s, frame, override.key, override.start, override.end, override));
    moved = true;
  }
  if (moved) {
    out.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.originalStart < b.originalStart ? -1 : 1));
  }
  if (!exceeded) return { ok: true, occurrences: out };
  const until = new Date(Math.max(lo, Math.min(hi, coveredUntil)));
  return {
    ok: false,
    error: {
      code: 'budget_exceeded',
      reason: `expanding needs more than the work budget (${exceeded.what}); occurrences are complete before ${until.toISOString()}`,
    },
    occurrences: out,
    coveredUntil: until,
  };
}

/**
 * Occurrences of `series` in the window [from, to), sorted by start (see `expandWithin`). Throws
 * `RecurrenceError` for an invalid series, and with code `budget_exceeded` when the expansion needs more
 * than its work budget: callers that must answer anyway use `expandWithin` or `expandOrFallback`.
 */
export function expand(
  series: Series | CompiledSeries,
  from: Date,
  to: Date,
  options?: ExpandOptions,
): Occurrence[] {
  const result = expandWithin(series, from, to, options);
  if (!result.ok) throw new RecurrenceError(result.error);
  return result.occurrences;
}
