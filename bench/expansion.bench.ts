/**
 * Expansion: packages/recurrence expanding 50 generated series over 10 years and over one month (the month
 * view), against `rrule` used directly (its own TZID handling: the naive and DST-incorrect baseline). Node only;
 * the browser figure is measured by the calendar browser test.
 *   npm run bench -- expansion
 */
import { expand } from '@firstlight/recurrence';
import * as rruleModule from 'rrule';
import { seriesSet } from '../packages/recurrence/bench/series-set.ts';
import { printTable, writeResult } from './support.ts';

const { rrulestr } = (
  (rruleModule as { rrulestr?: unknown }).rrulestr !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default
) as typeof rruleModule;

const all = seriesSet();
const tenYears = [new Date('2025-01-01T00:00:00Z'), new Date('2035-01-01T00:00:00Z')] as const;
const month = [new Date('2030-03-01T00:00:00Z'), new Date('2030-04-12T00:00:00Z')] as const; // a 6-week grid

const median = (runs: number[]) => runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
function measure(run: () => number, times = 21) {
  let count = 0;
  const ms = median(
    Array.from({ length: times }, () => {
      const t0 = performance.now();
      count = run();
      return performance.now() - t0;
    }),
  );
  return { ms, count };
}

const ours10y = measure(() => all.reduce((n, s) => n + expand(s, ...tenYears).length, 0));
const oursMonth = measure(() => all.reduce((n, s) => n + expand(s, ...month).length, 0));

// rrule directly: DTSTART;TZID + the rule, between() — what a naive client would do.
const rules = all.map((s) => {
  const start = s.dtstart.length === 10 ? `${s.dtstart.replaceAll('-', '')}` : s.dtstart.replace(/[-:]/g, '');
  const dtstart = s.tzid ? `DTSTART;TZID=${s.tzid}:${start}` : `DTSTART;VALUE=DATE:${start}`;
  return rrulestr([dtstart, ...s.recurrence.filter((line) => line.startsWith('RRULE'))].join('\n'), {
    forceset: true,
  });
});
const rrule10y = measure(() => rules.reduce((n, r) => n + r.between(...tenYears, true).length, 0), 5);
const rruleMonth = measure(() => rules.reduce((n, r) => n + r.between(...month, true).length, 0), 11);

const figures = {
  ms_10y_50series: Math.round(ours10y.ms * 100) / 100,
  ms_month_view: Math.round(oursMonth.ms * 100) / 100,
  occurrences_per_s: Math.round(ours10y.count / (ours10y.ms / 1000)),
  occurrences_10y: ours10y.count,
};
const baseline = {
  ms_10y_50series: Math.round(rrule10y.ms * 100) / 100,
  ms_month_view: Math.round(rruleMonth.ms * 100) / 100,
  occurrences_per_s: Math.round(rrule10y.count / (rrule10y.ms / 1000)),
  occurrences_10y: rrule10y.count,
};
printTable('expansion — 50 series, Node (median of warm runs)', [
  ['10 years, ours (ms)', figures.ms_10y_50series],
  ['10 years, rrule directly (ms)', baseline.ms_10y_50series],
  ['6-week month grid, ours (ms)', figures.ms_month_view],
  ['6-week month grid, rrule directly (ms)', baseline.ms_month_view],
  ['occurrences/s, ours', figures.occurrences_per_s],
  ['occurrences/s, rrule', baseline.occurrences_per_s],
  [
    'occurrences in 10 years (ours / rrule: EXDATEs, overrides and DST differ)',
    `${ours10y.count} / ${rrule10y.count}`,
  ],
]);
await writeResult('expansion', figures, baseline);
