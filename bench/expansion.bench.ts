/**
 * Expansion: packages/recurrence expanding 50 generated series over 10 years and over one month (the month
 * view), against `rrule` used directly (its own TZID handling: the naive and DST-incorrect baseline), in Node
 * and — when Chromium is installed — in Chromium, the same code bundled for the browser.
 *   npm run bench -- expansion
 */
import { expansionInChromium } from './expansion-in-chromium.ts';
import { type ExpansionTimings, runExpansionWorkload } from './expansion-workload.ts';
import { printTable, writeResult } from './support.ts';

const round = (ms: number) => Math.round(ms * 100) / 100;

function figuresOf(timings: ExpansionTimings, prefix = '') {
  const ours = {
    [`${prefix}ms_10y_50series`]: round(timings.ours10y.ms),
    [`${prefix}ms_month_view`]: round(timings.oursMonth.ms),
    [`${prefix}occurrences_per_s`]: Math.round(timings.ours10y.count / (timings.ours10y.ms / 1000)),
    [`${prefix}occurrences_10y`]: timings.ours10y.count,
  };
  const naive = {
    [`${prefix}ms_10y_50series`]: round(timings.rrule10y.ms),
    [`${prefix}ms_month_view`]: round(timings.rruleMonth.ms),
    [`${prefix}occurrences_per_s`]: Math.round(timings.rrule10y.count / (timings.rrule10y.ms / 1000)),
    [`${prefix}occurrences_10y`]: timings.rrule10y.count,
  };
  return { ours, naive };
}

function rows(timings: ExpansionTimings): [string, string | number][] {
  return [
    ['10 years, ours (ms)', round(timings.ours10y.ms)],
    ['10 years, rrule directly (ms)', round(timings.rrule10y.ms)],
    ['6-week month grid, ours (ms)', round(timings.oursMonth.ms)],
    ['6-week month grid, rrule directly (ms)', round(timings.rruleMonth.ms)],
    ['occurrences/s, ours', Math.round(timings.ours10y.count / (timings.ours10y.ms / 1000))],
    ['occurrences/s, rrule', Math.round(timings.rrule10y.count / (timings.rrule10y.ms / 1000))],
    [
      'occurrences in 10 years (ours / rrule: EXDATEs, overrides and DST differ)',
      `${timings.ours10y.count} / ${timings.rrule10y.count}`,
    ],
  ];
}

const node = runExpansionWorkload();
printTable('expansion — 50 series, Node (median of warm runs)', rows(node));
const chromium = await expansionInChromium();
if (chromium) printTable('expansion — the same, Chromium (bundled by esbuild)', rows(chromium));
else console.log('\n(no Chromium at /usr/bin/chromium: the browser figures are left out)');

const inNode = figuresOf(node);
const inChromium = chromium ? figuresOf(chromium, 'chromium_') : { ours: {}, naive: {} };
await writeResult(
  'expansion',
  { ...inNode.ours, ...inChromium.ours },
  { ...inNode.naive, ...inChromium.naive },
);
