/**
 * The `scale` benchmark's discrete-event simulation: the same figures, from the same summarising code, with
 * the product's own allocator (`allocate` from @firstlight/api) — where 2 cores cannot run the real thing.
 *   1. check: the bench's plan (USERS, default 1,000) simulated, beside the real run's bench/results/scale.json;
 *   2. scale: SIM_USERS (10,000) on SIM_QUOTA (`google`: Google's own limits — 60 s, 6,000 units per user,
 *      1,200,000 per project, so 200 backfills — or `bench`: the bench's plan), at the bench's sign-in rate.
 * Writes bench/results/scale-sim.json.      npx tsx bench/scale/simulate.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { machine, printTable } from '../support.ts';
import { type RunFigures, summarise } from './figures.ts';
import { type Mode, planFromEnv, reserveFor, type ScalePlan, usersOf } from './plan.ts';
import { Simulation } from './sim-model.ts';

const FIRST_PAGE_BASE_MS = Number(process.env.SIM_FIRST_PAGE_MS ?? 600);

function simulate(plan: ScalePlan, mode: Mode): RunFigures {
  const users = usersOf(plan);
  const tickMs = Math.max(100, plan.windowMs / 60);
  const simulation = new Simulation(plan, users, {
    mode,
    tickMs,
    sampleEveryMs: Math.max(1_000, plan.windowMs / 4),
    firstPageBaseMs: FIRST_PAGE_BASE_MS,
    debt: process.env.SIM_DEBT === 'project' ? 'project' : 'user',
  });
  simulation.run(Number(process.env.SIM_MAX_S ?? 36_000) * 1_000);
  const stored = simulation.users.reduce((sum, user) => sum + user.stored, 0);
  const last = simulation.samples.at(-1);
  return summarise(plan, users, simulation.samples, {
    storedMessages: stored,
    gmailUnits: last?.gmailUnits ?? 0,
  });
}

function scalePlan(bench: ScalePlan): ScalePlan {
  const users = Number(process.env.SIM_USERS ?? 10_000);
  const spreadMs = Number(process.env.SIM_SPREAD_MS ?? (bench.spreadMs * users) / bench.users);
  const google = (process.env.SIM_QUOTA ?? 'google') === 'google';
  const quota = google ? { windowMs: 60_000, userUnits: 6_000, projectBackfills: 200 } : {};
  const plan = { ...bench, ...quota, users, spreadMs };
  return { ...plan, interactiveReserve: reserveFor(plan) };
}

const bench = planFromEnv();
const large = scalePlan(bench);
const began = performance.now();
const check = { project: simulate(bench, 'project'), baseline: simulate(bench, 'baseline') };
const atScale = { project: simulate(large, 'project'), baseline: simulate(large, 'baseline') };
const seconds = Math.round((performance.now() - began) / 100) / 10;

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const real = await readFile(`${resultsDir}scale.json`, 'utf8')
  .then((text) => JSON.parse(text) as { figures: Record<string, number>; baseline: Record<string, number> })
  .catch(() => undefined);

const keys = Object.keys(check.project) as (keyof RunFigures)[];
const show = (value: number | undefined) => (value === undefined ? '—' : String(value));
for (const mode of ['project', 'baseline'] as const) {
  const realFigures = mode === 'project' ? real?.figures : real?.baseline;
  printTable(
    `scale simulation, ${mode} — real run at ${bench.users} / simulated at ${bench.users} / simulated at ${large.users} (${process.env.SIM_QUOTA ?? 'google'} quota)`,
    keys.map((key) => [
      key,
      `${show(realFigures?.[key])} / ${show(check[mode][key])} / ${show(atScale[mode][key])}`,
    ]),
  );
}
console.log(`\nsimulated in ${seconds} s`);
await writeFile(
  `${resultsDir}scale-sim.json`,
  `${JSON.stringify(
    {
      name: 'scale-sim',
      machine: machine(),
      at: new Date().toISOString(),
      plans: { check: bench, scale: large },
      check,
      scale: atScale,
    },
    null,
    2,
  )}\n`,
);
