/**
 * One RRULE/EXRULE: COUNT, UNTIL and window queries around the period iterator (period-iterator.ts), in
 * floating local time.
 *
 * - A window query far from DTSTART restarts the iteration a period before the window (periods are counted
 *   from DTSTART's, so the phase of INTERVAL is kept) instead of iterating from DTSTART.
 * - COUNT is turned into a bound once (the COUNT-th occurrence, memoised): arithmetically for rules whose
 *   every period yields the same candidates (DAILY and finer without day or same-level filters, so
 *   `FREQ=SECONDLY;COUNT=10000000` costs nothing), else by iterating under a budget. When the budget runs
 *   out first, the end stays unknown and windows iterate from DTSTART under the caller's budget.
 * - UNTIL: a UTC UNTIL on a timed series bounds by instant (RFC 5545 §3.3.10), the way dateutil compares an
 *   aware UNTIL: the iteration stops at the first candidate whose instant is past it (the local reading of
 *   UNTIL moves across DST edges, so the floating bound is widened by the zone's offset change there, in
 *   compile-rule.ts).
 */
import { Budget, BudgetExceeded } from './budget.ts';
import type { CompiledRule } from './compile-rule.ts';
import { DAILY, MAX_LOCAL } from './iter-rule.ts';
import { localToInstant } from './local-time.ts';
import type { Sink } from './period-candidates.ts';
import { iterate, PERIOD_SPAN, periodOf, periodStart } from './period-iterator.ts';

/**
 * Takes the rule's occurrences from the iterator's candidates: drops those before DTSTART, stops past `hi`,
 * past UNTIL (as an instant) and after COUNT when counting, and collects those from `lo` on (at most
 * `limit`, each counted against the budget when `produce`).
 */
class Taker implements Sink {
  seen = 0;
  last = Number.NaN;
  taken = 0;

  constructor(
    readonly rule: CompiledRule,
    readonly hi: number,
    readonly count: number,
    readonly lo: number,
    readonly limit: number,
    readonly out: number[] | null,
    readonly budget: Budget | null,
  ) {}

  visit(local: number): boolean {
    const rule = this.rule;
    if (local < rule.dtstart) return true;
    if (local > this.hi) return false;
    if (
      local >= rule.nearUntil &&
      rule.untilInstant !== undefined &&
      localToInstant(local, rule.zone!) > rule.untilInstant
    )
      return false;
    this.seen++;
    if (this.seen > this.count) return false;
    if (local < this.lo) return true;
    this.budget?.produce();
    this.out?.push(local);
    this.last = local;
    this.taken++;
    return this.taken < this.limit;
  }
}

/** Runs the rule from period `k` up to `hi` (and UNTIL); `counting`: from DTSTART, counting COUNT. */
function run(
  rule: CompiledRule,
  k: number,
  hi: number,
  budget: Budget,
  counting: boolean,
  take: { lo: number; limit: number; out: number[] | null; produce: boolean },
): Taker {
  const count = counting ? (rule.spec.count ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
  const bound = rule.untilLocal === undefined ? hi : Math.min(hi, rule.untilLocal);
  const taker = new Taker(rule, bound, count, take.lo, take.limit, take.out, take.produce ? budget : null);
  iterate(rule.iter, k, bound, budget, taker);
  return taker;
}

/** Period to restart from for a window starting at `local`: one before the window's (0 at the latest). */
const restartFor = (rule: CompiledRule, local: number) => Math.max(0, periodOf(rule.iter, local) - 1);

const lastByRule = new Map<string, number | null>();

/**
 * COUNT rules: the COUNT-th occurrence (floating), dtstart − 1 when there is none, null when not found within
 * the budget. The work is charged to `budget` (shared by a caller's whole request when it passes one).
 */
export function lastOfCount(rule: CompiledRule, budget: Budget): number | null {
  if (rule.lastLocal !== undefined) return rule.lastLocal;
  const count = rule.spec.count!;
  const key = `${rule.dtstart}|${rule.text}`;
  let last = lastByRule.get(key);
  if (last === undefined) {
    let final = true;
    if (rule.empty) last = rule.dtstart - 1;
    else {
      last = regularLast(rule, count);
      if (last === undefined) {
        const counted = countedLast(rule, budget);
        last = counted.last;
        final = counted.final;
      }
    }
    if (!final) return last; // a later call with more budget left may resolve it
    if (lastByRule.size >= 2000) lastByRule.clear();
    lastByRule.set(key, last);
  }
  rule.lastLocal = last;
  return last;
}

/**
 * Iterates COUNT from DTSTART under at most a quarter of the caller's budget limit (a COUNT that is not
 * resolved leaves the rest for the window itself, counted from DTSTART). `final`: the answer holds for any
 * later call too.
 */
function countedLast(rule: CompiledRule, budget: Budget): { last: number | null; final: boolean } {
  const share = budget.limits.candidates / 4;
  const allowed = Math.max(0, Math.min(share, budget.candidates));
  const own = new Budget({ candidates: allowed, occurrences: Number.POSITIVE_INFINITY });
  try {
    const taker = run(rule, 0, MAX_LOCAL, own, true, ALL);
    budget.spend(allowed - own.candidates);
    return { last: taker.taken > 0 ? taker.last : rule.dtstart - 1, final: true };
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    budget.candidates -= allowed; // all of it was used (never below zero: allowed ≤ what was left)
    return { last: null, final: allowed >= share };
  }
}

const ALL = { lo: Number.NEGATIVE_INFINITY, limit: Number.POSITIVE_INFINITY, out: null, produce: false };

/**
 * The COUNT-th occurrence in closed form, for rules whose every period yields the same candidates at the
 * same offsets (DAILY and finer, no day filter, no filter at or above FREQ's level): undefined otherwise.
 */
function regularLast(rule: CompiledRule, count: number): number | undefined {
  const r = rule.iter;
  const filtersDays =
    r.bymonth || r.byweekno || r.byweekday || r.monthdayPos || r.byyeardayPos || r.bynweekday;
  if (r.freq < DAILY || filtersDays || r.hourFilter || r.minuteFilter || r.secondFilter) return undefined;
  if (rule.untilLocal !== undefined) return undefined;
  // Offsets of one period's set within the period (times of the day, or within the hour/minute/second).
  let offsets = r.times.slice();
  if (r.bysetpos) {
    const n = offsets.length;
    const picked = new Set<number>();
    for (const pos of r.bysetpos) {
      const index = pos < 0 ? n + pos : pos - 1;
      if (index >= 0 && index < n) picked.add(offsets[index]!);
    }
    offsets = [...picked].sort((a, b) => a - b);
  }
  const m = offsets.length;
  if (m === 0) return rule.dtstart - 1;
  const start0 = periodStart(r, 0);
  const n0 = offsets.filter((o) => start0 + o >= rule.dtstart).length;
  let last: number;
  if (count <= n0) last = start0 + offsets[m - n0 + count - 1]!;
  else {
    const rest = count - n0 - 1;
    last = periodStart(r, 1 + Math.floor(rest / m)) + offsets[rest % m]!;
  }
  return Math.min(last, MAX_LOCAL);
}

/** Inclusive floating upper bound of the rule: UNTIL (with slack), the COUNT-th occurrence, or none/null. */
export function upperBound(rule: CompiledRule, budget: Budget): number | null | undefined {
  if (rule.spec.count !== undefined) return lastOfCount(rule, budget);
  return rule.untilLocal;
}

/**
 * Floating occurrences of the rule in [from, to] (both inclusive), ascending, counted against `budget`
 * (BudgetExceeded propagates; `rule.iter.reached` then says how far the iteration got).
 */
export function occurrencesBetween(
  rule: CompiledRule,
  from: number,
  to: number,
  budget: Budget,
  out: number[] = [],
): number[] {
  if (rule.empty) return out;
  const lo = Math.max(from, rule.dtstart);
  const take = { lo, limit: Number.POSITIVE_INFINITY, out, produce: true };
  if (rule.spec.count !== undefined) {
    const last = lastOfCount(rule, budget);
    if (last === null) {
      run(rule, 0, to, budget, true, take); // end unknown: count from DTSTART
      return out;
    }
    const hi = Math.min(to, last);
    if (hi < lo) return out;
    run(rule, restartFor(rule, lo), hi, budget, false, take);
    return out;
  }
  if (rule.untilLocal !== undefined && rule.untilLocal < lo) return out;
  run(rule, restartFor(rule, lo), to, budget, false, take);
  return out;
}

/** The first occurrence (floating), or undefined when there is none. */
export function firstOccurrence(rule: CompiledRule, budget: Budget): number | undefined {
  if (rule.empty) return undefined;
  const last = rule.spec.count !== undefined ? lastOfCount(rule, budget) : undefined;
  const taker = run(rule, 0, last ?? MAX_LOCAL, budget, last === null, { ...ALL, limit: 1 });
  return taker.taken > 0 ? taker.last : undefined;
}

/**
 * The last occurrence of a bounded rule (floating); undefined when the rule is unbounded or empty, null when
 * its end is not known within the budget. Searches backwards from the bound in growing windows, so a far
 * UNTIL costs a few periods, not the series.
 */
export function lastOccurrence(rule: CompiledRule, budget: Budget): number | null | undefined {
  const bound = upperBound(rule, budget);
  if (bound === undefined || bound === null) return bound;
  if (rule.empty || bound < rule.dtstart) return undefined;
  const { interval } = rule.spec;
  for (let span = 4 * interval * PERIOD_SPAN[rule.iter.freq]!; ; span *= 8) {
    const from = Math.max(rule.dtstart, bound - span);
    const found = occurrencesBetween(rule, from, bound, budget);
    if (found.length > 0) return found[found.length - 1];
    if (from === rule.dtstart) return undefined;
  }
}
