import {
  Budget,
  type BudgetLimits,
  compileSeries,
  DEFAULT_BUDGET,
  expandWithin,
  RecurrenceError,
  type Series,
} from '@firstlight/recurrence';
import type { LoopSlice } from './loop-slice.ts';

/**
 * One series' busy intervals in [from, to), under the engine's whole work budget but spent in quarters: each
 * quarter is one synchronous expansion (~5–10 ms for a SECONDLY rule), and the loop slice may yield between
 * them, so a hostile rule holds the event loop for a quarter of a budget at a time rather than all of it.
 * The next quarter resumes where the last one stopped (`coveredUntil`); overlapping repeats merge later.
 */
const CHUNKS = 4;
const CHUNK: BudgetLimits = {
  candidates: DEFAULT_BUDGET.candidates / CHUNKS,
  occurrences: DEFAULT_BUDGET.occurrences / CHUNKS,
};

export async function seriesBusy(
  series: Series,
  from: Date,
  to: Date,
  slice: LoopSlice,
): Promise<{ intervals: [number, number][]; coveredUntil: number }> {
  const compiled = compileSeries(series);
  if (!compiled.ok) throw new RecurrenceError(compiled.error);
  const intervals: [number, number][] = [];
  let cursor = from;
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    if (chunk > 0) await slice.pause();
    const result = expandWithin(compiled.series, cursor, to, {
      window: 'overlap',
      budget: new Budget(CHUNK),
    });
    for (const occurrence of result.occurrences) {
      intervals.push([occurrence.start.getTime(), occurrence.end.getTime()]);
    }
    if (result.ok) return { intervals, coveredUntil: Number.POSITIVE_INFINITY };
    // No progress within a whole chunk: more chunks would not make any either.
    if (result.coveredUntil.getTime() <= cursor.getTime()) break;
    cursor = result.coveredUntil;
  }
  return { intervals, coveredUntil: cursor.getTime() };
}
