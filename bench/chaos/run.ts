/**
 * `npm run chaos [-- scenario ...]`: the product started as a user would (the API's entry point, the emulator's
 * CLI, PostgreSQL embedded or given by DATABASE_URL), disturbed — SIGKILLs, PostgreSQL deaths, a second instance
 * killed, a revoked grant — and audited: lost, duplicated, completed, time against the undisturbed run, 429s.
 * Prints a table and writes bench/results/chaos.json. Not part of `npm test`. Knobs: bench/README.md § chaos.
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedResult, passed, printTable, type ScenarioResult, toResult, writeReport } from './report.ts';
import { SCENARIOS } from './scenarios.ts';
import { installCleanup } from './supervisor.ts';
import type { Settings } from './trial.ts';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const settings: Settings = {
  messages: number('CHAOS_MESSAGES', 20_000),
  windowMs: number('CHAOS_WINDOW_MS', 3_000),
  kills: number('CHAOS_KILLS', 10),
  seed: number('CHAOS_SEED', 1),
  timeoutFactor: number('CHAOS_TIMEOUT_FACTOR', 3),
  minTimeoutS: number('CHAOS_MIN_TIMEOUT_S', 120),
  pgDownMs: number('CHAOS_PG_DOWN_MS', 5_000),
  taskWorkers: process.env.TASK_WORKERS || 'ingest-high=2,ingest-low=2,writeback=1',
  logDir: join(tmpdir(), `firstlight-chaos-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; available: ${SCENARIOS.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = wanted.length ? SCENARIOS.filter((scenario) => wanted.includes(scenario.name)) : SCENARIOS;

/** mulberry32: the kill moments are random but the same for the same CHAOS_SEED. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

installCleanup();
await mkdir(settings.logDir, { recursive: true });
// What the quota allows: 5 units a message, at the pacer's 95 % of 6,000 units a window (+ start-up).
const estimateS = (settings.messages * 5 * settings.windowMs) / (6_000 * 0.95 * 1_000) + 5;
console.log(
  `chaos: ${settings.messages} messages, quota window ${settings.windowMs} ms (Google's minute ×${60_000 / settings.windowMs}), ` +
    `TASK_WORKERS=${settings.taskWorkers}; logs in ${settings.logDir}`,
);
const began = performance.now();
const random = seededRandom(settings.seed);
const results: ScenarioResult[] = [];
let baselineS: number | undefined;
for (const scenario of selected) {
  const referenceS = baselineS ?? estimateS;
  const timeoutS = Math.round(Math.max(settings.minTimeoutS, settings.timeoutFactor * referenceS));
  console.log(`\n== ${scenario.name}: ${scenario.title} (gives up after ${timeoutS} s)`);
  try {
    const run = await scenario.run({ settings, referenceS, timeoutS, random });
    const result = toResult(scenario, run, timeoutS, baselineS);
    if (scenario.name === 'baseline' && result.completed) baselineS = result.seconds ?? undefined;
    results.push(result);
    console.log(
      `  ${result.completed ? 'complete' : `not completed (${result.ended})`} after ${result.seconds} s; ` +
        `${result.stored} of ${result.mailbox} stored; details ${JSON.stringify(result.details)}`,
    );
  } catch (error) {
    results.push(failedResult(scenario, timeoutS, error));
    console.log(`  failed: ${error instanceof Error ? error.message : error}`);
  }
}
const totalS = (performance.now() - began) / 1000;
printTable(results);
const file = await writeReport(settings, results, totalS);
console.log(`\n${Math.round(totalS)} s in all; wrote ${file}; logs in ${settings.logDir}`);
process.exit(results.every(passed) ? 0 : 1);
