/**
 * The expansion workload, the same in Node and in Chromium (bundled by esbuild for the page): 50 generated series
 * over 10 years and over a 6-week month grid, with `packages/recurrence` and with `rrule` used directly (its own
 * TZID handling: the naive and DST-incorrect baseline). Medians of warm runs.
 */
import { expand } from '@firstlight/recurrence';
import * as rruleModule from 'rrule';
import { seriesSet } from '../packages/recurrence/bench/series-set.ts';

export interface Timing {
  ms: number;
  count: number;
}

export interface ExpansionTimings {
  ours10y: Timing;
  oursMonth: Timing;
  rrule10y: Timing;
  rruleMonth: Timing;
}

const { rrulestr } = (
  (rruleModule as { rrulestr?: unknown }).rrulestr !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default
) as typeof rruleModule;

const tenYears = [new Date('2025-01-01T00:00:00Z'), new Date('2035-01-01T00:00:00Z')] as const;
const month = [new Date('2030-03-01T00:00:00Z'), new Date('2030-04-12T00:00:00Z')] as const; // a 6-week grid

const median = (runs: number[]) => runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;

/** The median of `times` runs after one untimed warm-up run (JIT, Intl caches), so the figure is the steady state. */
function measure(run: () => number, times: number): Timing {
  let count = run();
  const ms = median(
    Array.from({ length: times }, () => {
      const t0 = performance.now();
      count = run();
      return performance.now() - t0;
    }),
  );
  return { ms, count };
}

/** `rruleRuns`: rrule takes seconds per run, so its medians come from fewer runs. */
export function runExpansionWorkload(rruleRuns = { tenYears: 5, month: 5 }): ExpansionTimings {
  const all = seriesSet();
  // rrule directly: DTSTART;TZID + the rule, between() — what a naive client would do.
  const rules = all.map((s) => {
    const start = s.dtstart.length === 10 ? s.dtstart.replaceAll('-', '') : s.dtstart.replace(/[-:]/g, '');
    const dtstart = s.tzid ? `DTSTART;TZID=${s.tzid}:${start}` : `DTSTART;VALUE=DATE:${start}`;
    return rrulestr([dtstart, ...s.recurrence.filter((line) => line.startsWith('RRULE'))].join('\n'), {
      forceset: true,
    });
  });
  return {
    ours10y: measure(() => all.reduce((n, s) => n + expand(s, ...tenYears).length, 0), 21),
    oursMonth: measure(() => all.reduce((n, s) => n + expand(s, ...month).length, 0), 21),
    rrule10y: measure(
      () => rules.reduce((n, r) => n + r.between(...tenYears, true).length, 0),
      rruleRuns.tenYears,
    ),
    rruleMonth: measure(
      () => rules.reduce((n, r) => n + r.between(...month, true).length, 0),
      rruleRuns.month,
    ),
  };
}
