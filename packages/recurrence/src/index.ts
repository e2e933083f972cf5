/**
 * @firstlight/recurrence — pure RRULE expansion with TZID/DST and exceptions, for the browser and Node.
 * See README.md for the semantics.
 */

export { Budget, type BudgetLimits, DEFAULT_BUDGET } from './budget.ts';
export { type CompiledSeries, type CompileResult, compileSeries } from './compile.ts';
export { runCase, runConformanceText, seriesOfCase } from './conformance.ts';
export { ConformanceCase, ConformanceFile } from './conformance-case.ts';
export { RecurrenceError, type RecurrenceErrorCode, type RecurrenceIssue } from './errors.ts';
export { type ExpandResult, expand, expandWithin } from './expand.ts';
export { expandOrFallback, firstOccurrenceFallback } from './expand-fallback.ts';
export {
  googleInstanceId,
  normalizeOriginalStart,
  originalStartFromGoogle,
  originalStartKey,
  type ParsedOriginalStart,
  parseOriginalStart,
} from './original-start.ts';
export { type SeriesBounds, seriesBounds } from './series-bounds.ts';
export type { ExpandOptions, Occurrence, OccurrenceOverride, Series, SeriesExceptions } from './types.ts';
export { isKnownZone, toInstant, toLocalDateTime } from './zone-api.ts';
