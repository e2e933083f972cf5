/**
 * Expansion figures: `npx tsx packages/recurrence/bench/expand.ts`. Prints ms; asserts nothing.
 * 50 realistic series (weekly/daily meetings, monthly by nth weekday, BYSETPOS, birthdays, COUNT/UNTIL,
 * EXDATEs, overrides) in six zones, expanded over ten years and over a month (a month grid); window
 * queries far from DTSTART; HOURLY/MINUTELY series against `rrule` used directly; hostile rules.
 */
import * as rruleModule from 'rrule';
import * as recurrence from '../src/index.ts';
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
/** On a shared machine the minimum is the steadiest figure: it is what the work costs without waiting. */
const median = (runs: number[]) => runs.sort((a, b) => a - b)[0]!;
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
console.log(`  warm, compile + expand (min of 21):            ${fmt(warm)}`);
console.log(`  warm, expand of compiled series (min of 21):   ${fmt(precompiled)}`);

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
console.log('10-year-old daily series, one month queried (min of 51)');
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
console.log(`  later queries (min of 51):      ${fmt(againCount)}`);

// A month grid: every series of the set over the 6 weeks a month view shows.
const grid = [new Date('2027-02-22T00:00:00Z'), new Date('2027-04-05T00:00:00Z')] as const;
const monthGrid = median(
  Array.from(
    { length: 51 },
    () => time(() => compiled.reduce((n, s) => n + expand(s, ...grid).length, 0)).ms,
  ),
);
console.log(`month grid (6 weeks) of the 50 compiled series (min of 51): ${fmt(monthGrid)}`);

// Sub-daily series against rrule itself (floating, as rrule would be used without our zone mapping).
const subDaily: [string, string, Date, Date, Partial<ConstructorParameters<typeof RRule>[0]>][] = [
  [
    'HOURLY;BYMINUTE=0,30, one month',
    'FREQ=HOURLY;BYMINUTE=0,30',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-04-01T00:00:00Z'),
    { freq: RRule.HOURLY, byminute: [0, 30], bysecond: [0] },
  ],
  [
    'MINUTELY;INTERVAL=15;BYHOUR=9..17, one month',
    'FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,11,12,13,14,15,16,17',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-04-01T00:00:00Z'),
    { freq: RRule.MINUTELY, interval: 15, byhour: [9, 10, 11, 12, 13, 14, 15, 16, 17], bysecond: [0] },
  ],
  [
    'MINUTELY;INTERVAL=7;BYHOUR=14, one week',
    'FREQ=MINUTELY;INTERVAL=7;BYHOUR=14',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-03-08T00:00:00Z'),
    { freq: RRule.MINUTELY, interval: 7, byhour: [14], bysecond: [0] },
  ],
];
console.log('sub-daily series from 2026-01-05, window queried (min of 21): engine / rrule between()');
for (const [name, rule, a, b, options] of subDaily) {
  const series: Series = { dtstart: '2026-01-05T09:00:00', tzid: 'UTC', recurrence: [`RRULE:${rule}`] };
  const c = compileSeries(series);
  if (!c.ok) throw new Error(c.error.reason);
  const ours = median(Array.from({ length: 21 }, () => time(() => expand(c.series, a, b).length).ms));
  const theirs = new RRule({ ...options, dtstart: new Date(Date.UTC(2026, 0, 5, 9)) }, true);
  const direct = median(Array.from({ length: 21 }, () => time(() => theirs.between(a, b, true).length).ms));
  console.log(`  ${name} (${expand(c.series, a, b).length} occurrences): ${fmt(ours)} / ${fmt(direct)}`);
}

// Hostile rules: what anyone who can send an invitation can make the engine expand.
const within = (recurrence as { expandWithin?: typeof recurrence.expandWithin }).expandWithin;
if (!within) {
  console.log('hostile rules: skipped (this engine has no work budget)');
} else {
  const hostile: [string, Series][] = [
    [
      'FREQ=SECONDLY;COUNT=10000000, a month',
      {
        dtstart: '2026-01-01T00:00:00',
        tzid: 'Europe/Berlin',
        recurrence: ['RRULE:FREQ=SECONDLY;COUNT=10000000'],
      },
    ],
    [
      'FREQ=SECONDLY;BYHOUR=1,3,5;COUNT=10000000, a month',
      {
        dtstart: '2026-01-01T00:00:00',
        tzid: 'Europe/Berlin',
        recurrence: ['RRULE:FREQ=SECONDLY;BYHOUR=1,3,5;COUNT=10000000'],
      },
    ],
    [
      'FREQ=MONTHLY;BYSETPOS=3;BYDAY=3WE, ten years',
      {
        dtstart: '2026-01-01T09:00:00',
        tzid: 'UTC',
        recurrence: ['RRULE:FREQ=MONTHLY;BYSETPOS=3;BYDAY=3WE'],
      },
    ],
    [
      'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO, ten years',
      {
        dtstart: '2026-01-01T09:00:00',
        tzid: 'UTC',
        recurrence: ['RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO'],
      },
    ],
    [
      'FREQ=MINUTELY;BYYEARDAY=335;BYHOUR=7;COUNT=1, ten years',
      {
        dtstart: '2024-12-29T09:00:00',
        tzid: 'UTC',
        recurrence: ['RRULE:FREQ=MINUTELY;BYYEARDAY=335;BYHOUR=7;COUNT=1'],
      },
    ],
  ];
  console.log('hostile rules, first call in this process (compile + expandWithin, then seriesBounds):');
  for (const [name, series] of hostile) {
    const long = name.endsWith('ten years');
    const a = new Date('2026-01-01T00:00:00Z');
    const b = new Date(long ? '2036-01-01T00:00:00Z' : '2026-02-01T00:00:00Z');
    const cpu0 = process.cpuUsage();
    const expanded = time(() => {
      const r = within(series, a, b);
      return r.ok ? r.occurrences.length : -r.occurrences.length;
    });
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const bounds = time(() => (recurrence.seriesBounds(series).end === null ? 0 : 1));
    const answer =
      expanded.result < 0 ? `budget_exceeded after ${-expanded.result}` : `${expanded.result} occurrences`;
    console.log(`  ${name}: ${fmt(expanded.ms)}, cpu ${fmt(cpuMs)} (${answer}); bounds ${fmt(bounds.ms)}`);
  }
}
