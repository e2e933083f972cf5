import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ScenarioRun } from './scenarios.ts';
import type { Settings } from './trial.ts';

/** One row of the chaos table and of `bench/results/chaos.json`. */
export interface ScenarioResult {
  name: string;
  title: string;
  completed: boolean;
  /** complete | timeout | api-gone (every API down, one by its own doing) | error */
  ended: string;
  /** To completion, or until the scenario ended. */
  seconds: number | null;
  timeoutSeconds: number;
  /** seconds / the undisturbed run's; null for the baseline itself or without one. */
  ratio: number | null;
  mailbox: number | null;
  stored: number | null;
  /** Mailbox messages not stored, once the job says complete; null when it never did (see `missing`). */
  lost: number | null;
  missing: number | null;
  /** The job's `ingested` above the rows really stored (rows are unique by primary key). */
  duplicated: number | null;
  ingested: number | null;
  finalStatus: string | null;
  errors429: number | null;
  quota429: number | null;
  concurrency429: number | null;
  apiExitedUnexpectedly: boolean;
  exits: unknown[];
  timeline: [number, string][];
  details: Record<string, unknown>;
  error?: string;
}

export function toResult(
  scenario: { name: string; title: string },
  run: ScenarioRun,
  timeoutSeconds: number,
  baselineSeconds: number | undefined,
): ScenarioResult {
  const { outcome, audit } = run;
  const completed = outcome.ended === 'complete';
  const seconds = Math.round(outcome.seconds * 10) / 10;
  return {
    name: scenario.name,
    title: scenario.title,
    completed,
    ended: outcome.ended,
    seconds,
    timeoutSeconds,
    ratio:
      scenario.name !== 'baseline' && baselineSeconds && completed
        ? Math.round((seconds / baselineSeconds) * 100) / 100
        : null,
    mailbox: audit.mailbox,
    stored: audit.stored,
    lost: completed ? audit.missing + audit.strays : null,
    missing: audit.missing,
    duplicated: Math.max(0, audit.ingested - audit.stored),
    ingested: audit.ingested,
    finalStatus: audit.status,
    errors429: audit.errors429,
    quota429: audit.quota429,
    concurrency429: audit.concurrency429,
    apiExitedUnexpectedly: audit.exits.some((exit) => !exit.expected),
    exits: audit.exits.map(({ tail, ...exit }) =>
      exit.expected ? exit : { ...exit, cause: headline(tail), tail },
    ),
    timeline: outcome.timeline,
    details: run.details,
  };
}

export function failedResult(
  scenario: { name: string; title: string },
  timeoutSeconds: number,
  error: unknown,
): ScenarioResult {
  return {
    name: scenario.name,
    title: scenario.title,
    completed: false,
    ended: 'error',
    seconds: null,
    timeoutSeconds,
    ratio: null,
    mailbox: null,
    stored: null,
    lost: null,
    missing: null,
    duplicated: null,
    ingested: null,
    finalStatus: null,
    errors429: null,
    quota429: null,
    concurrency429: null,
    apiExitedUnexpectedly: false,
    exits: [],
    timeline: [],
    details: {},
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

/** Meets issue 13's bar: completed, nothing lost or duplicated, and the API never ended itself. */
export function passed(result: ScenarioResult): boolean {
  return result.completed && result.lost === 0 && result.duplicated === 0 && !result.apiExitedUnexpectedly;
}

export function printTable(results: ScenarioResult[]): void {
  const rows = [
    [
      'scenario',
      'completed',
      'time (s)',
      '× undisturbed',
      'lost',
      'duplicated',
      '429s (quota/conc.)',
      'API exited',
    ],
    ...results.map((result) => [
      result.name,
      result.completed ? 'yes' : `no (${result.ended})`,
      result.seconds === null ? '—' : String(result.seconds),
      result.ratio === null ? '—' : `${result.ratio}×`,
      result.lost !== null
        ? String(result.lost)
        : result.missing === null
          ? '—'
          : `— (${result.missing} not stored)`,
      result.duplicated === null ? '—' : String(result.duplicated),
      result.errors429 === null ? '—' : `${result.errors429} (${result.quota429}/${result.concurrency429})`,
      result.apiExitedUnexpectedly ? 'yes' : 'no',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  console.log('');
  for (const [index, row] of rows.entries()) {
    console.log(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`);
    if (index === 0) console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  }
  for (const result of results) {
    for (const exit of result.exits as {
      process: string;
      expected: boolean;
      code: number | null;
      signal: string | null;
      cause: string[];
    }[]) {
      if (exit.expected) continue;
      console.log(
        `\n  ${result.name}: API ${exit.process} exited on its own (code ${exit.code}, signal ${exit.signal}):`,
      );
      for (const line of exit.cause) console.log(`    ${line.slice(0, 300)}`);
    }
    if (result.error) console.log(`\n  ${result.name}: ${result.error.split('\n')[0]}`);
  }
}

/** The lines of a crash that say what happened (not the stack frames nor the error's properties). */
export function headline(tail: string[]): string[] {
  const said = (line: string) => /^\S/.test(line) && !/^(}|\^|Node\.js v|\[\.\.\.)/.test(line);
  // Frames in the queue library or our code name the path that let the error through.
  const where = (line: string) => /^\s+at .*(pg-boss\/src|apps\/api\/src|packages\/db\/src)/.test(line);
  return tail.filter((line) => said(line) || where(line)).slice(-8);
}

function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** bench/results/chaos.json, beside the benchmarks' results. */
export async function writeReport(
  settings: Settings,
  results: ScenarioResult[],
  totalSeconds: number,
): Promise<string> {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}chaos.json`;
  const { logDir: _logDir, ...knobs } = settings;
  const report = {
    name: 'chaos',
    machine: machine(),
    at: new Date().toISOString(),
    settings: knobs,
    totalSeconds: Math.round(totalSeconds),
    passed: results.every(passed),
    scenarios: results,
  };
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
