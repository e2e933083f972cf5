/**
 * The expansion workload, the same in Node and in Chromium (bundled by esbuild for the page): 50 generated series
 * over 10 years and over a 6-week month grid, with `packages/recurrence` and with `rrule` used directly (its own
 * TZID handling: the naive and DST-incorrect baseline); HOURLY/MINUTELY series against rrule; the hostile
 * `FREQ=SECONDLY;COUNT=10000000` answering its budget error; and the web calendar's own expansion of a month
 * grid holding the 50 series plus two hostile ones (apps/web occurrences.ts, what one render does).
 * Medians of warm runs; first calls reported apart where the first call is what matters (hostile rules).
 */
import type { SeriesEvent } from '@firstlight/contracts';
import { compileSeries, expand, expandWithin, type Series } from '@firstlight/recurrence';
import * as rruleModule from 'rrule';
import { occurrencesIn } from '../apps/web/src/features/calendar/occurrences.ts';
import { seriesSet } from '../packages/recurrence/bench/series-set.ts';

export interface Timing {
  ms: number;
  count: number;
}

export interface ExpansionTimings {
  ours10y: Timing;
  ours10yCompiled: Timing;
  oursMonth: Timing;
  rrule10y: Timing;
  rruleMonth: Timing;
  /** Per sub-daily rule: ours / rrule `between()` over the same window. */
  subDaily: { name: string; ours: Timing; rrule: Timing }[];
  /** `FREQ=SECONDLY;COUNT=10000000` over a month: the first call (cold) and warm; `answer` the result's code. */
  hostileFirst: Timing & { answer: string };
  hostileWarm: Timing;
  /** apps/web's occurrencesIn over a 6-week grid: 50 series + SECONDLY + MINUTELY, fresh DTOs (compile included). */
  webGridHostileFirst: Timing & { markers: number };
  webGridHostile: Timing & { markers: number };
  webGrid: Timing;
}

const { RRule, rrulestr } = (
  (rruleModule as { rrulestr?: unknown }).rrulestr !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: typeof rruleModule }).default
) as typeof rruleModule;

const tenYears = [new Date('2025-01-01T00:00:00Z'), new Date('2035-01-01T00:00:00Z')] as const;
const month = [new Date('2030-03-01T00:00:00Z'), new Date('2030-04-12T00:00:00Z')] as const; // a 6-week grid
// The web grid: March 2030 seen from Berlin (spring forward on 31 March is inside it).
const webGrid = [new Date('2030-02-24T23:00:00Z'), new Date('2030-04-07T22:00:00Z')] as const;

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

function once<T>(run: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = run();
  return { ms: performance.now() - t0, value };
}

const subDailyRules: [string, string, Date, Date, Partial<ConstructorParameters<typeof RRule>[0]>][] = [
  [
    'HOURLY;BYMINUTE=0,30, a month',
    'FREQ=HOURLY;BYMINUTE=0,30',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-04-01T00:00:00Z'),
    { freq: RRule.HOURLY, byminute: [0, 30], bysecond: [0] },
  ],
  [
    'MINUTELY;INTERVAL=15;BYHOUR=9..17, a month',
    'FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,11,12,13,14,15,16,17',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-04-01T00:00:00Z'),
    { freq: RRule.MINUTELY, interval: 15, byhour: [9, 10, 11, 12, 13, 14, 15, 16, 17], bysecond: [0] },
  ],
  [
    'MINUTELY;INTERVAL=7;BYHOUR=14, a week',
    'FREQ=MINUTELY;INTERVAL=7;BYHOUR=14',
    new Date('2026-03-01T00:00:00Z'),
    new Date('2026-03-08T00:00:00Z'),
    { freq: RRule.MINUTELY, interval: 7, byhour: [14], bysecond: [0] },
  ],
];

let dtoIds = 0;
/** The 50 series (and the hostile ones) as the range API sends them to the browser. Fresh objects: not compiled yet. */
function seriesDtos(all: Series[]): SeriesEvent[] {
  return all.map((s) => {
    dtoIds += 1;
    return {
      kind: 'series',
      id: `00000000-0000-4000-8000-${String(dtoIds).padStart(12, '0')}`,
      calendarId: 'primary',
      googleEventId: `g${dtoIds}`,
      summary: 'bench',
      location: null,
      status: 'confirmed',
      allDay: s.dtstart.length === 10,
      dtstart: s.dtstart,
      tzid: s.tzid ?? null,
      durationMs: s.durationMs ?? 0,
      recurrence: [...s.recurrence],
      exceptions: {
        cancelled: [...(s.exceptions?.cancelled ?? [])],
        overrides: (s.exceptions?.overrides ?? {}) as SeriesEvent['exceptions']['overrides'],
      },
      seriesStart: '2000-01-01T00:00:00Z',
      seriesEnd: null,
    };
  });
}

/** `rruleRuns`: rrule takes seconds per run, so its medians come from fewer runs. */
export function runExpansionWorkload(rruleRuns = { tenYears: 5, month: 5 }): ExpansionTimings {
  const all = seriesSet();
  const hostileSeries: Series = {
    dtstart: '2030-03-04T00:00:00',
    tzid: 'Europe/Berlin',
    durationMs: 1_000,
    recurrence: ['RRULE:FREQ=SECONDLY;COUNT=10000000'],
  };
  // First: a cold call is what an invitation costs the first time it is seen.
  const hostileMonth = [new Date('2030-03-01T00:00:00Z'), new Date('2030-04-01T00:00:00Z')] as const;
  const cold = once(() => expandWithin(hostileSeries, ...hostileMonth));
  const hostileFirst = {
    ms: cold.ms,
    count: cold.value.occurrences.length,
    answer: cold.value.ok ? 'ok' : cold.value.error.code,
  };
  const withHostile = [
    ...all,
    hostileSeries,
    { ...hostileSeries, dtstart: '2030-03-11T08:00:00', recurrence: ['RRULE:FREQ=MINUTELY;INTERVAL=1'] },
  ];
  const webCold = once(() => occurrencesIn(seriesDtos(withHostile), ...webGrid, 'Europe/Berlin'));

  // rrule directly: DTSTART;TZID + the rule, between() — what a naive client would do.
  const rules = all.map((s) => {
    const start = s.dtstart.length === 10 ? s.dtstart.replaceAll('-', '') : s.dtstart.replace(/[-:]/g, '');
    const dtstart = s.tzid ? `DTSTART;TZID=${s.tzid}:${start}` : `DTSTART;VALUE=DATE:${start}`;
    return rrulestr([dtstart, ...s.recurrence.filter((line) => line.startsWith('RRULE'))].join('\n'), {
      forceset: true,
    });
  });
  const compiled = all.map((s) => {
    const c = compileSeries(s);
    if (!c.ok) throw new Error(c.error.reason);
    return c.series;
  });
  const subDaily = subDailyRules.map(([name, rule, a, b, options]) => {
    const c = compileSeries({ dtstart: '2026-01-05T09:00:00', tzid: 'UTC', recurrence: [`RRULE:${rule}`] });
    if (!c.ok) throw new Error(c.error.reason);
    const theirs = new RRule({ ...options, dtstart: new Date(Date.UTC(2026, 0, 5, 9)) }, true);
    return {
      name,
      ours: measure(() => expand(c.series, a, b).length, 21),
      rrule: measure(() => theirs.between(a, b, true).length, 11),
    };
  });
  let markers = 0;
  const webGridHostile = measure(() => {
    const view = occurrencesIn(seriesDtos(withHostile), ...webGrid, 'Europe/Berlin');
    markers = view.more.length;
    return view.occurrences.length;
  }, 11);
  return {
    ours10y: measure(() => all.reduce((n, s) => n + expand(s, ...tenYears).length, 0), 21),
    ours10yCompiled: measure(() => compiled.reduce((n, s) => n + expand(s, ...tenYears).length, 0), 21),
    oursMonth: measure(() => compiled.reduce((n, s) => n + expand(s, ...month).length, 0), 51),
    rrule10y: measure(
      () => rules.reduce((n, r) => n + r.between(...tenYears, true).length, 0),
      rruleRuns.tenYears,
    ),
    rruleMonth: measure(
      () => rules.reduce((n, r) => n + r.between(...month, true).length, 0),
      rruleRuns.month,
    ),
    subDaily,
    hostileFirst,
    hostileWarm: measure(() => expandWithin(hostileSeries, ...hostileMonth).occurrences.length, 11),
    webGridHostileFirst: {
      ms: webCold.ms,
      count: webCold.value.occurrences.length,
      markers: webCold.value.more.length,
    },
    webGridHostile: { ...webGridHostile, markers },
    webGrid: measure(
      () => occurrencesIn(seriesDtos(all), ...webGrid, 'Europe/Berlin').occurrences.length,
      11,
    ),
  };
}
