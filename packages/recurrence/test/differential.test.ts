/**
 * Differential test against the reference implementation: random rules over every FREQ and rule part, in
 * zones with DST gaps and folds, expanded by the engine and by python-dateutil (test/dateutil-oracle.py, one
 * python process per run fed every rule on stdin). dateutil's wall times are mapped to our documented
 * semantics by zoneinfo (fold=0: a nonexistent local time uses the offset before the gap, i.e. moves forward
 * by it; an ambiguous one is the first), and UNTIL is an aware UTC instant there too. Both sides are compared
 * as sets of instants in the same window.
 *
 * Seeded: RECURRENCE_DIFF_SEED=<n> reruns a failing seed (printed on failure), RECURRENCE_DIFF_RULES=<n>
 * changes the number of rules (default 500), RECURRENCE_DIFF_DEBUG=1 lists the rules dateutil could not
 * answer. Each rule is compared from DTSTART and again from a later window on its own (restart, COUNT).
 * Needs python3 with python-dateutil (Debian: python3-dateutil, and tzdata for zoneinfo) and fails, not
 * skips, without it; the interpreter is RECURRENCE_PYTHON, else the first of python3 and /usr/bin/python3 that
 * can import dateutil (python-oracle.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSeries, expandWithin, type Series } from '../src/index.ts';
import { findPython } from './python-oracle.ts';

const SEED = Number(process.env.RECURRENCE_DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RULES = Number(process.env.RECURRENCE_DIFF_RULES ?? 500);
const ORACLE = fileURLToPath(new URL('./dateutil-oracle.py', import.meta.url));
const CAP = 400;

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe', // 30-minute DST
  'America/Sao_Paulo', // DST gaps at midnight until 2019
  'America/Santiago',
  'Pacific/Chatham', // +12:45 / +13:45
  'UTC',
];
const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'] as const;
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** mulberry32: small, seedable, good enough for picking rule parts. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)]!;
  const chance = (p: number) => next() < p;
  const some = (n: number, make: () => number | string) => {
    const out = new Set<number | string>();
    const k = int(1, n);
    for (let i = 0; i < k; i++) out.add(make());
    return [...out].join(',');
  };
  const signed = (max: number) => (chance(0.3) ? -1 : 1) * int(1, max);
  return { int, pick, chance, some, signed };
}

const isoLocal = (ms: number) => new Date(ms).toISOString().slice(0, 19);

const formats = new Map<string, Intl.DateTimeFormat>();

/** Intl's offset of a zone at an instant (independent of the engine's tables). */
function offsetOf(zone: string, instant: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return (
    Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
    Math.floor(instant / 1000) * 1000
  );
}

/** The local dates of the zone's offset changes in a year (Intl, daily samples). */
function transitionDays(zone: string, year: number): number[] {
  const out: number[] = [];
  let previous = offsetOf(zone, Date.UTC(year, 0, 1, 12));
  for (let day = Date.UTC(year, 0, 2, 12); day < Date.UTC(year + 1, 0, 1); day += DAY) {
    const offset = offsetOf(zone, day);
    if (offset !== previous) out.push(day - 12 * 3_600_000 - DAY); // the day before the noon that changed
    previous = offset;
  }
  return out;
}

interface Case {
  dtstart: string;
  tzid: string;
  rrule: string;
  /** Local end of the compared window. */
  end: string;
  cap: number;
}

const HORIZON: Record<(typeof FREQS)[number], number> = {
  YEARLY: 12 * 366 * DAY,
  MONTHLY: 6 * 366 * DAY,
  WEEKLY: 3 * 366 * DAY,
  DAILY: 400 * DAY,
  HOURLY: 40 * DAY,
  MINUTELY: 3 * DAY,
  SECONDLY: 4 * 3_600_000,
};

function makeCase(r: ReturnType<typeof random>): Case {
  const tzid = r.pick(ZONES);
  const year = r.int(2016, 2030);
  const transitions = transitionDays(tzid, year);
  let day: number;
  let hour: number;
  if (transitions.length > 0 && r.chance(0.5)) {
    day = r.pick(transitions) + r.int(0, 1) * DAY;
    hour = r.pick([0, 1, 2, 3, 23]);
  } else {
    day = Date.UTC(year, 0, 1) + r.int(0, 364) * DAY;
    hour = r.int(0, 23);
  }
  const minute = r.pick([0, 0, 15, 30, 45, r.int(0, 59)]);
  const second = r.chance(0.8) ? 0 : r.int(0, 59);
  const dtstartMs = day + ((hour * 60 + minute) * 60 + second) * 1000;
  const freqIndex = r.int(0, 6);
  const freq = FREQS[freqIndex]!;
  const parts = [`FREQ=${freq}`];
  const subDaily = freqIndex >= 4;
  if (r.chance(0.5)) {
    const interval = subDaily ? r.pick([2, 3, 5, 7, 13, 25, 90, 120]) : r.int(2, 4);
    parts.push(`INTERVAL=${interval}`);
  }
  const add = (p: number, part: string) => {
    if (r.chance(p)) parts.push(part);
  };
  // A list of up to n values, holding DTSTART's own value half the time (so that day filters often meet).
  const list = (n: number, own: number | string, make: () => number | string) =>
    r.chance(0.5) ? [...new Set([own, ...r.some(n - 1 || 1, make).split(',')])].join(',') : r.some(n, make);
  const d = new Date(dtstartMs);
  const yearDay = Math.floor((dtstartMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
  const weekday = DAYS[(d.getUTCDay() + 6) % 7]!;
  // At most two day-level filters: more of them rarely meet, and dateutil then searches until year 9999.
  const dayParts = [
    () => `BYMONTH=${list(3, d.getUTCMonth() + 1, () => r.int(1, 12))}`,
    () => `BYWEEKNO=${r.some(3, () => r.signed(53))}`,
    () => `BYYEARDAY=${list(4, yearDay, () => r.signed(366))}`,
    () => `BYMONTHDAY=${list(4, d.getUTCDate(), () => r.signed(31))}`,
    () => {
      const ordinals = (freq === 'MONTHLY' || freq === 'YEARLY') && r.chance(0.5);
      const hasMonth = parts.some((p) => p.startsWith('BYMONTH='));
      const max = freq === 'YEARLY' && !hasMonth ? 53 : 5;
      return `BYDAY=${ordinals ? r.some(3, () => `${r.signed(max)}${r.pick(DAYS)}`) : list(3, weekday, () => r.pick(DAYS))}`;
    },
  ];
  const weights = [0.3, freq === 'YEARLY' ? 0.25 : 0.08, 0.12, 0.25, 0.45];
  let dayFilters = 0;
  dayParts.forEach((make, i) => {
    if (dayFilters < 2 && r.chance(weights[i]!)) {
      parts.push(make());
      dayFilters++;
    }
  });
  // Sub-daily rules get a limiting part more often, so that the window holds a few periods that match.
  add(subDaily ? 0.6 : 0.3, `BYHOUR=${r.some(3, () => r.int(0, 23))}`);
  add(freq === 'SECONDLY' || freq === 'MINUTELY' ? 0.5 : 0.25, `BYMINUTE=${r.some(3, () => r.int(0, 59))}`);
  add(freq === 'SECONDLY' ? 0.5 : 0.15, `BYSECOND=${r.some(3, () => r.int(0, 59))}`);
  if (parts.length > 1 && !parts[parts.length - 1]!.startsWith('INTERVAL') && r.chance(0.25))
    // Mostly positions inside the set: dateutil searches until year 9999 for a set that is always empty.
    parts.push(`BYSETPOS=${r.some(2, () => (r.chance(0.8) ? r.signed(3) : r.signed(12)))}`);
  add(0.15, `WKST=${r.pick(DAYS)}`);
  const horizon = HORIZON[freq];
  const ending = r.int(0, 2);
  if (ending === 0) parts.push(`COUNT=${r.int(1, 60)}`);
  else if (ending === 1) {
    const until = new Date(
      dtstartMs + Math.floor((r.int(0, 1000) / 1000) * horizon) - offsetOf(tzid, dtstartMs),
    );
    parts.push(`UNTIL=${until.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`);
  }
  return {
    dtstart: isoLocal(dtstartMs),
    tzid,
    rrule: parts.join(';'),
    end: isoLocal(dtstartMs + horizon),
    cap: CAP,
  };
}

interface Answer {
  occurrences?: [string, string][];
  capped?: boolean;
  error?: string;
}

function oracle(cases: Case[]): Answer[] {
  const python = findPython();
  const run = spawnSync(python, [ORACLE], { input: JSON.stringify(cases), maxBuffer: 1 << 28 });
  if (run.error || run.status !== 0) {
    throw new Error(
      `the dateutil oracle (${python}) did not run (python-dateutil is required; Debian: apt-get install ` +
        `python3-dateutil tzdata): ${run.error?.message ?? run.stderr.toString()}`,
    );
  }
  return JSON.parse(run.stdout.toString()) as Answer[];
}

/** Instant of a local time in the zone, by Intl (first reading; a gap moves forward by its length). */
function instantOf(local: string, zone: string): number {
  const floating = Date.parse(`${local}Z`);
  const before = offsetOf(zone, floating - DAY);
  const after = offsetOf(zone, floating + DAY);
  const early = floating - before;
  if (offsetOf(zone, early) === before) return early;
  const late = floating - after;
  return offsetOf(zone, late) === after ? late : early;
}

describe(`differential test against python-dateutil (seed ${SEED}, ${RULES} rules)`, () => {
  it('gives the same occurrences for every rule', { timeout: 120_000 }, () => {
    const r = random(SEED);
    const cases = Array.from({ length: RULES }, () => makeCase(r));
    const t0 = performance.now();
    const answers = oracle(cases);
    const oracleMs = performance.now() - t0;
    const errors = new Map<string, number>();
    const mismatches: string[] = [];
    let compared = 0;
    let occurrences = 0;
    let skipped = 0;
    cases.forEach((c, i) => {
      const answer = answers[i]!;
      const series: Series = { dtstart: c.dtstart, tzid: c.tzid, recurrence: [`RRULE:${c.rrule}`] };
      const compiled = compileSeries(series);
      const describeCase = () => `DTSTART;TZID=${c.tzid}:${c.dtstart} RRULE:${c.rrule}`;
      if (!compiled.ok) {
        mismatches.push(
          `${describeCase()}: we reject it (${compiled.error.reason}), dateutil ${answer.error ?? 'expands it'}`,
        );
        return;
      }
      let expected: string[];
      if (answer.error) {
        // dateutil refuses rules its INTERVAL can never reach ("empty set"/"empty rule"): we expand nothing.
        if (!/empty/.test(answer.error)) {
          errors.set(answer.error.slice(0, 40), (errors.get(answer.error.slice(0, 40)) ?? 0) + 1);
          if (process.env.RECURRENCE_DIFF_DEBUG) console.log(describeCase(), answer.error);
          skipped++;
          return;
        }
        expected = [];
      } else expected = answer.occurrences!.map(([, utc]) => utc);
      const from = instantOf(c.dtstart, c.tzid) - 2 * DAY;
      let to = instantOf(c.end, c.tzid);
      if (answer.capped) {
        // Compare up to the last instant dateutil listed, less a margin: a gap can put a later local time at an
        // earlier instant (local 03:00 after the gap is before 02:30 in it, read with the offset before the gap),
        // so near a transition the margin is a whole (at most two-hour) offset change, however short the span.
        const last = Date.parse(expected[expected.length - 1]!);
        const first = Date.parse(expected[0]!);
        const nearTransition = offsetOf(c.tzid, first - 2 * HOUR) !== offsetOf(c.tzid, last + 2 * HOUR);
        to = last - (nearTransition ? 2 * HOUR : Math.min(2 * HOUR, Math.floor((last - first) / 2)));
      } else {
        // dateutil stops at the local `end`: compare up to a margin before its instant.
        to -= DAY;
      }
      const want = [...new Set(expected)].filter((u) => Date.parse(u) >= from && Date.parse(u) < to).sort();
      const result = expandWithin(compiled.series, new Date(from), new Date(Math.max(from + 1, to)), {
        budget: { candidates: 5_000_000, occurrences: 100_000 },
      });
      if (!result.ok) {
        mismatches.push(`${describeCase()}: ${result.error.reason}`);
        return;
      }
      const got = result.occurrences.map((o) => o.start.toISOString().replace('.000', ''));
      compared++;
      occurrences += want.length;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        const at = want.findIndex((w, j) => got[j] !== w);
        const j = at < 0 ? want.length : at;
        mismatches.push(
          `${describeCase()}: ${want.length} expected, ${got.length} got; first difference at #${j + 1}: ` +
            `expected ${want[j] ?? 'nothing'}, got ${got[j] ?? 'nothing'}`,
        );
        return;
      }
      // A later window on its own (the engine restarts near it instead of iterating from DTSTART, and
      // resolves COUNT first): the same occurrences from there on.
      if (want.length < 2) return;
      const mid = Date.parse(want[Math.floor(want.length / 2)]!);
      const later = expandWithin(compiled.series, new Date(mid), new Date(to), {
        budget: { candidates: 5_000_000, occurrences: 100_000 },
      });
      const laterGot = later.occurrences.map((o) => o.start.toISOString().replace('.000', ''));
      const laterWant = want.filter((u) => Date.parse(u) >= mid);
      if (JSON.stringify(laterGot) !== JSON.stringify(laterWant)) {
        mismatches.push(
          `${describeCase()}: from ${new Date(mid).toISOString()} on: ${laterWant.length} expected, ` +
            `${laterGot.length} got (${laterGot[0] ?? 'nothing'} vs ${laterWant[0] ?? 'nothing'})`,
        );
      }
    });
    console.log(
      `differential seed ${SEED}: ${compared} rules compared (${occurrences} occurrences), ${skipped} skipped ` +
        `(dateutil errors or its 0.1 s limit), ${mismatches.length} mismatches; oracle ${Math.round(oracleMs)} ms, ` +
        `engine ${Math.round(performance.now() - t0 - oracleMs)} ms`,
      errors,
    );
    expect(
      mismatches,
      `seed ${SEED} (rerun with RECURRENCE_DIFF_SEED=${SEED}):\n${mismatches.slice(0, 20).join('\n')}`,
    ).toEqual([]);
    // The test must compare something: a broken generator or oracle must not pass silently.
    expect(compared).toBeGreaterThan(RULES * 0.75);
  });
});
