/**
 * Runs conformance cases (format: conformance/README.md) through the engine. Used by the CLI
 * (`npm run conformance -- file.json`) and by the package's tests.
 */
import { compileSeries } from './compile.ts';
import { type ConformanceCase, ConformanceFile } from './conformance-case.ts';
import { expand } from './expand.ts';
import { formatLocalDateTime, formatUtc, instantToLocal, YEAR_MS } from './local-time.ts';
import { seriesBounds } from './series-bounds.ts';
import type { Occurrence, Series } from './types.ts';

export interface CaseOutcome {
  name: string;
  passed: boolean;
  /** Why it failed: counts and the first difference, expected vs got. */
  detail?: string;
}

const compact = (local: string) => local.replace(/[-:]/g, '');

/** The case as a series the way the API would store it (Google's recurrence lines). */
export function seriesOfCase(c: ConformanceCase): Series {
  const allDay = !c.dtstart.includes('T');
  const dateLine = (name: string, values: string[]) =>
    allDay
      ? `${name};VALUE=DATE:${values.map(compact).join(',')}`
      : `${name};TZID=${c.tzid}:${values.map(compact).join(',')}`;
  const recurrence = [`RRULE:${c.rrule.replace(/^RRULE:/i, '')}`];
  if (c.exdate.length > 0) recurrence.push(dateLine('EXDATE', c.exdate));
  if (c.rdate.length > 0) recurrence.push(dateLine('RDATE', c.rdate));
  return { dtstart: c.dtstart, tzid: c.tzid, recurrence };
}

/** The first `limit` occurrences of a series from its start (growing windows for unbounded series). */
function firstOccurrences(series: Series, tzid: string, limit: number | undefined): Occurrence[] {
  const options = { allDayZone: tzid };
  const bounds = seriesBounds(series, options);
  const from = bounds.start;
  if (bounds.end !== null && limit === undefined)
    return expand(series, from, new Date(bounds.end.getTime() + 1), options);
  const want = limit ?? Number.POSITIVE_INFINITY;
  for (let years = 1; ; years *= 4) {
    const to = new Date(from.getTime() + years * YEAR_MS);
    const got = expand(series, from, to, options);
    const past = bounds.end !== null && to > bounds.end;
    if (got.length >= want || past || years >= 1024) return got.slice(0, limit);
  }
}

function describe(list: string[], utc: string[], i: number): string {
  if (i >= list.length) return 'nothing';
  return utc[i] !== undefined ? `${list[i]} (${utc[i]})` : `${list[i]}`;
}

export function runCase(c: ConformanceCase): CaseOutcome {
  const series = seriesOfCase(c);
  const compiled = compileSeries(series);
  if (!compiled.ok)
    return { name: c.name, passed: false, detail: `${compiled.error.code}: ${compiled.error.reason}` };
  const limit = c.truncated ? (c.listed_count ?? c.expected.length) : undefined;
  // Unbounded but not truncated: one more than expected shows that the engine found extra occurrences.
  const got = firstOccurrences(
    series,
    c.tzid,
    limit ?? (seriesBounds(series).end === null ? c.expected.length + 1 : undefined),
  );
  const zone = compiled.series.zone;
  const gotLocal = got.map((o) =>
    o.allDay ? o.startDate! : formatLocalDateTime(instantToLocal(o.start.getTime(), zone!)),
  );
  const gotUtc = got.map((o) => formatUtc(o.start.getTime()));
  const expected = limit === undefined ? c.expected : c.expected.slice(0, limit);
  const expectedUtc =
    c.expected_utc && (limit === undefined ? c.expected_utc : c.expected_utc.slice(0, limit));
  const n = Math.max(expected.length, gotLocal.length);
  for (let i = 0; i < n; i++) {
    const localDiffers = expected[i] !== gotLocal[i];
    const utcDiffers = expectedUtc !== undefined && expectedUtc[i] !== gotUtc[i];
    if (localDiffers || utcDiffers) {
      const counts =
        expected.length === gotLocal.length
          ? `${expected.length} occurrences`
          : `expected ${expected.length} occurrences, got ${gotLocal.length}`;
      const detail = `${counts}; first difference at #${i + 1}: expected ${describe(expected, expectedUtc ?? [], i)}, got ${describe(gotLocal, gotUtc, i)}`;
      return { name: c.name, passed: false, detail };
    }
  }
  return { name: c.name, passed: true };
}

export interface FileOutcome {
  /** One line per failing case, then `N passed, N failed`. */
  lines: string[];
  exitCode: number;
}

/** A file's cases, or the lines saying why it is not a conformance file (exit code 2). */
export function parseConformanceText(
  text: string,
  source: string,
): { ok: true; cases: ConformanceCase[] } | { ok: false; lines: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, lines: [`${source}: not JSON (${(error as Error).message})`] };
  }
  const parsed = ConformanceFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `  at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, lines: [`${source}: not a conformance file (see conformance/README.md)`, ...issues] };
  }
  return { ok: true, cases: parsed.data };
}

/** runCase, with a defect of the engine (a throw) counted as the case's failure. */
export function runCaseSafely(c: ConformanceCase): CaseOutcome {
  try {
    return runCase(c);
  } catch (error) {
    return { name: c.name, passed: false, detail: `threw ${(error as Error).message}` };
  }
}

/**
 * Runs every case of a conformance file's text in this thread (no time limit: the CLI runs cases in a
 * worker with one); an invalid file is exit code 2 with the reason.
 */
export function runConformanceText(text: string, source: string): FileOutcome {
  const parsed = parseConformanceText(text, source);
  if (!parsed.ok) return { lines: parsed.lines, exitCode: 2 };
  const lines: string[] = [];
  let passed = 0;
  for (const c of parsed.cases) {
    const outcome = runCaseSafely(c);
    if (outcome.passed) passed++;
    else lines.push(`FAIL ${outcome.name}: ${outcome.detail}`);
  }
  const failed = parsed.cases.length - passed;
  lines.push(`${passed} passed, ${failed} failed`);
  return { lines, exitCode: failed > 0 ? 1 : 0 };
}
