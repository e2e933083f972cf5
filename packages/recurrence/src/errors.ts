/**
 * Why a series cannot be expanded. Data from Google is parsed, not trusted (STYLE.md "errors are values at
 * boundaries"): `compileSeries` returns one of these as a value; `expand` throws it wrapped in a
 * `RecurrenceError` for callers that hold already-validated series.
 */
export type RecurrenceErrorCode =
  /** DTSTART, duration or the exceptions object is malformed. */
  | 'invalid_series'
  /** An RRULE/EXRULE value breaks RFC 5545 §3.3.10 (bad FREQ, BYDAY, ranges, COUNT with UNTIL...). */
  | 'invalid_rrule'
  /** Valid iCalendar but outside what we expand (RFC 7529 RSCALE/SKIP, rrule's BYEASTER, RDATE PERIOD). */
  | 'unsupported_rrule'
  /** An RDATE/EXDATE line or value is malformed, or a recurrence line has an unknown name. */
  | 'invalid_date'
  /** The series' TZID, or a TZID parameter of a line, is not an IANA zone this runtime knows. */
  | 'unknown_zone'
  /**
   * Not an error of the data: the expansion needed more work than its budget (budget.ts), e.g.
   * `FREQ=SECONDLY` over a month. The answer holds the occurrences found before `coveredUntil`.
   */
  | 'budget_exceeded'
  /**
   * A warning, not an error: a combination RFC 5545 forbids but python-dateutil (and rrule.js) expand
   * (BYWEEKNO without YEARLY, BYYEARDAY with DAILY/WEEKLY/MONTHLY, BYMONTHDAY with WEEKLY, `BYWEEKDAY=`):
   * expanded as they do. In `CompiledSeries.warnings` and `expandOrFallback`'s `notices`.
   */
  | 'nonstandard_rrule';

export interface RecurrenceIssue {
  code: RecurrenceErrorCode;
  /** Human-readable, names the offending line or part. */
  reason: string;
}

export class RecurrenceError extends Error {
  override readonly name = 'RecurrenceError';
  readonly code: RecurrenceErrorCode;
  readonly reason: string;

  constructor(issue: RecurrenceIssue) {
    super(`${issue.code}: ${issue.reason}`);
    this.code = issue.code;
    this.reason = issue.reason;
  }
}

/** Internal: thrown while compiling, caught by `compileSeries` and returned as a value. */
export const fail = (code: RecurrenceErrorCode, reason: string): never => {
  throw new RecurrenceError({ code, reason });
};
