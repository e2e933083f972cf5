/**
 * Expansion figures: `npx tsx packages/recurrence/bench/expand.ts`. Prints ms; asserts nothing.
 * 50 realistic series (weekly/daily meetings, monthly by nth weekday, BYSETPOS, birthdays, COUNT/UNTIL,
 * EXDATEs, overrides) in six zones, expanded over ten years; plus window queries far from DTSTART.
 */
import * as rruleModule from 'rrule';
import { compileSeries, expand, type Series } from '../src/index.ts';
import { HOUR, seriesSet } from './series-set.ts';

const { RRule } =
  (rruleModule as { RRule?: unknown }).RRule !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default;

const from = new Date('2025-01-01T00:00:00Z');
const to = new Date('2035-01-01T00:00:00Z');

function time(fn: () => number): { ms: number; result: number } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}
const median = (runs: number[]) => runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const all = seriesSet();
const expandAll = () => all.reduce((n, s) => n + expand(s, from, to).length, 0);
const cold = time(expandAll);
const warm = median(Array.from({ length: 21 }, () => time(expandAll).ms));
const compiled = all.map((s) => {
  const c = compileSeries(s);
  if (!c.ok) throw new Error(c.error.reason);
  return c.series;
});
const precompiled = median(
  Array.from(
    { length: 21 },
    () => time(() => compiled.reduce((n, s) => n + expand(s, from, to).length, 0)).ms,
  ),
);
console.log(`50 series × 10 years (${cold.result} occurrences)`);
console.log(`  cold (first call: zone tables, COUNT resolution): ${fmt(cold.ms)}`);
console.log(`  warm, compile + expand (median of 21):            ${fmt(warm)}`);
console.log(`  warm, expand of compiled series (median of 21):   ${fmt(precompiled)}`);

// A daily standup created ten years ago, queried for one month.
const old: Series = {
  dtstart: '2015-03-02T09:30:00',
  tzid: 'Europe/Berlin',
  durationMs: HOUR,
  recurrence: ['RRULE:FREQ=DAILY'],
};
const month = [new Date('2025-03-01T00:00:00Z'), new Date('2025-04-01T00:00:00Z')] as const;
const engine = median(Array.from({ length: 51 }, () => time(() => expand(old, ...month).length).ms));
const naiveRule = new RRule({ freq: RRule.DAILY, dtstart: new Date(Date.UTC(2015, 2, 2, 9, 30)) }, true);
const naive = median(
  Array.from({ length: 51 }, () => time(() => naiveRule.between(...month, true).length).ms),
);
console.log('10-year-old daily series, one month queried (median of 51)');
console.log(`  engine (restarts near the window): ${fmt(engine)}`);
console.log(`  rrule between() from DTSTART:      ${fmt(naive)}`);

const counted: Series = {
  ...old,
  dtstart: '2012-01-02T09:30:00',
  recurrence: ['RRULE:FREQ=DAILY;COUNT=5000'],
};
const firstCount = time(() => expand(counted, ...month).length);
const againCount = median(Array.from({ length: 51 }, () => time(() => expand(counted, ...month).length).ms));
console.log('COUNT=5000 daily series from 2012, one month queried');
console.log(`  first query (resolves COUNT once): ${fmt(firstCount.ms)}`);
console.log(`  later queries (median of 51):      ${fmt(againCount)}`);
