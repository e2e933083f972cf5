/**
 * Expansion: packages/recurrence expanding 50 generated series over 10 years and over one month (the month
 * view), against `rrule` used directly (its own TZID handling: the naive and DST-incorrect baseline); HOURLY and
 * MINUTELY series against rrule; a hostile SECONDLY series answering its budget error; the web calendar's month
 * render with hostile series in it — in Node and — when Chromium is installed — in Chromium, the same code
 * bundled for the browser.
 *   npm run bench -- expansion
 */
import { expansionInChromium } from './expansion-in-chromium.ts';
import { type ExpansionTimings, runExpansionWorkload } from './expansion-workload.ts';
import { printTable, writeResult } from './support.ts';

const round = (ms: number) => Math.round(ms * 100) / 100;

function figuresOf(t: ExpansionTimings, prefix = '') {
  const ours: Record<string, number> = {
    [`${prefix}ms_10y_50series`]: round(t.ours10y.ms),
    [`${prefix}ms_10y_50series_compiled`]: round(t.ours10yCompiled.ms),
    [`${prefix}ms_month_view`]: round(t.oursMonth.ms),
    [`${prefix}occurrences_per_s`]: Math.round(t.ours10y.count / (t.ours10y.ms / 1000)),
    [`${prefix}occurrences_10y`]: t.ours10y.count,
    [`${prefix}ms_hostile_secondly_first`]: round(t.hostileFirst.ms),
    [`${prefix}ms_hostile_secondly_warm`]: round(t.hostileWarm.ms),
    [`${prefix}hostile_secondly_budget_exceeded`]: t.hostileFirst.answer === 'budget_exceeded' ? 1 : 0,
    [`${prefix}hostile_secondly_occurrences`]: t.hostileFirst.count,
    [`${prefix}ms_web_grid`]: round(t.webGrid.ms),
    [`${prefix}ms_web_grid_hostile_first`]: round(t.webGridHostileFirst.ms),
    [`${prefix}ms_web_grid_hostile`]: round(t.webGridHostile.ms),
  };
  const naive: Record<string, number> = {
    [`${prefix}ms_10y_50series`]: round(t.rrule10y.ms),
    [`${prefix}ms_month_view`]: round(t.rruleMonth.ms),
    [`${prefix}occurrences_per_s`]: Math.round(t.rrule10y.count / (t.rrule10y.ms / 1000)),
    [`${prefix}occurrences_10y`]: t.rrule10y.count,
  };
  for (const [i, rule] of t.subDaily.entries()) {
    ours[`${prefix}ms_subdaily_${i + 1}`] = round(rule.ours.ms);
    naive[`${prefix}ms_subdaily_${i + 1}`] = round(rule.rrule.ms);
  }
  return { ours, naive };
}

function rows(t: ExpansionTimings): [string, string | number][] {
  return [
    ['50 series × 10 years, compile + expand (ms)', round(t.ours10y.ms)],
    ['50 series × 10 years, compiled series (ms)', round(t.ours10yCompiled.ms)],
    ['50 series × 10 years, rrule directly (ms)', round(t.rrule10y.ms)],
    ['6-week month grid, compiled series (ms)', round(t.oursMonth.ms)],
    ['6-week month grid, rrule directly (ms)', round(t.rruleMonth.ms)],
    ...t.subDaily.map((rule): [string, string] => [
      `${rule.name} (${rule.ours.count}): ours / rrule (ms)`,
      `${round(rule.ours.ms)} / ${round(rule.rrule.ms)}`,
    ]),
    [
      'SECONDLY;COUNT=10000000, a month: first call / warm (ms)',
      `${round(t.hostileFirst.ms)} / ${round(t.hostileWarm.ms)} → ${t.hostileFirst.answer}, ${t.hostileFirst.count} occurrences`,
    ],
    ['web month grid (occurrencesIn), 50 series (ms)', round(t.webGrid.ms)],
    [
      'web month grid + SECONDLY + MINUTELY: first render / warm (ms)',
      `${round(t.webGridHostileFirst.ms)} / ${round(t.webGridHostile.ms)} (${t.webGridHostile.count} drawn, ${t.webGridHostile.markers} "+ more")`,
    ],
    [
      'occurrences in 10 years (ours / rrule: EXDATEs, overrides and DST differ)',
      `${t.ours10y.count} / ${t.rrule10y.count}`,
    ],
  ];
}

const node = runExpansionWorkload();
printTable('expansion — Node (median of warm runs)', rows(node));
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
