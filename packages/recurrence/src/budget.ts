/**
 * The work budget every expansion runs under. A rule is data from anyone who can send an invitation, and some
 * rules are cheap to write and expensive to expand (`FREQ=SECONDLY;COUNT=10000000`, a BYSETPOS that never
 * selects anything, a day filter that matches once in 28 years): the engine counts what it examines and what
 * it produces, and stops with a typed answer instead of blocking its caller.
 */

export interface BudgetLimits {
  /** Days, periods and candidate times examined, summed over the rules of one call. */
  candidates: number;
  /** Rule occurrences produced in the window of one call (before EXDATEs are removed). */
  occurrences: number;
}

/**
 * Chosen so that a call that exhausts it stays well under the issue's ~50 ms of event-loop time on a busy
 * 2-core machine (a candidate costs ~0.1-0.3 µs, an occurrence produced ~1-2 µs with its mapping and
 * object), while every view a calendar shows fits: a month of an hourly series is 744 occurrences, a week of
 * a 5-minute one 2,016, ten years of a daily one 3,653; a year of YEARLY periods examines 366 days. Rules
 * that need more (a MINUTELY series over a month) answer `budget_exceeded` with what was found. See README
 * "Work budget".
 */
export const DEFAULT_BUDGET: BudgetLimits = { candidates: 100_000, occurrences: 10_000 };

/** Internal: thrown from the iteration's inner loops, caught at the package boundary and returned as a value. */
export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
  constructor(readonly what: 'candidates' | 'occurrences') {
    super(`work budget exceeded (${what})`);
  }
}

/**
 * What is left of a budget. Pass one instance as `options.budget` to several calls to bound them together;
 * once it is spent, every further call answers `budget_exceeded` (or widened bounds) at once.
 */
export class Budget {
  candidates: number;
  occurrences: number;

  constructor(readonly limits: BudgetLimits = DEFAULT_BUDGET) {
    // Validated here: the budget comes from callers' configuration.
    if (!(limits.candidates >= 0 && limits.occurrences >= 0))
      throw new RangeError('budget limits must be ≥ 0');
    this.candidates = limits.candidates;
    this.occurrences = limits.occurrences;
  }

  /** Counts `n` candidates examined; throws BudgetExceeded past the limit. */
  spend(n: number): void {
    this.candidates -= n;
    if (this.candidates < 0) throw new BudgetExceeded('candidates');
  }

  /** Counts one occurrence produced. */
  produce(): void {
    this.occurrences -= 1;
    if (this.occurrences < 0) throw new BudgetExceeded('occurrences');
  }
}

/**
 * The budget of a call: `options.budget` limits for this call alone, or a `Budget` the caller shares across
 * the calls of one request (a sync page, a free/busy query) so that the request as a whole is bounded.
 */
export function budgetOf(limits: Partial<BudgetLimits> | Budget | undefined): Budget {
  if (limits instanceof Budget) return limits;
  return new Budget({ ...DEFAULT_BUDGET, ...limits });
}
