/**
 * Scale: USERS (default 1,000) sign in over SPREAD_MS (60 s) to INSTANCES (3) API processes on one
 * PostgreSQL and one emulator process; the quota is time-scaled (WINDOW_MS stands for Google's minute) with a
 * project limit that binds at PROJECT_BACKFILLS (100) users backfilling at their full per-user rate, enforced
 * by the emulator and planned by the product (`project` mode) — or not (`baseline`: QUOTA_SCHEDULER=per-user,
 * no project budget). Every backfill runs to completion. Figures and what limits them: bench/README.md § scale.
 *   npm run bench -- scale                                   (both modes, ~10 min each on 2 cores)
 *   MODE=project USERS=50 MAILBOX_MIN=50 MAILBOX_MAX=200 SPREAD_MS=10000 npm run bench -- scale
 * A mode run alone keeps the other mode's figures already in bench/results/scale.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup } from './chaos/supervisor.ts';
import { type Mode, planFromEnv, projectUnits, usersOf } from './scale/plan.ts';
import { type ModeResult, runMode } from './scale/run-mode.ts';
import { machine, printTable } from './support.ts';

const plan = planFromEnv();
const modes = (process.env.MODE ?? 'project,baseline').split(',').map((mode) => mode.trim()) as Mode[];
if (modes.some((mode) => mode !== 'project' && mode !== 'baseline'))
  throw new Error('MODE must be project, baseline or project,baseline');
const users = usersOf(plan);
const logDir = join(tmpdir(), `firstlight-scale-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
await mkdir(logDir, { recursive: true });
installCleanup();

const messages = users.reduce((sum, user) => sum + user.mailbox, 0);
console.log(
  `scale: ${plan.users} users over ${plan.spreadMs / 1000} s, ${messages} messages (${plan.mailboxMin}–${plan.mailboxMax} each), ` +
    `${plan.instances} instances; window ${plan.windowMs} ms, ${plan.userUnits} units per user, ` +
    `${projectUnits(plan)} per project (${plan.projectBackfills} backfills), reserve ${plan.interactiveReserve}; logs in ${logDir}`,
);

const results: Partial<Record<Mode, ModeResult>> = {};
for (const mode of modes) {
  console.log(`\n== ${mode}`);
  results[mode] = await runMode(plan, mode, users, logDir);
  for (const note of results[mode].notes) console.log(`  note: ${note}`);
}

const file = join(fileURLToPath(new URL('./results/', import.meta.url)), 'scale.json');
const previous = await readFile(file, 'utf8')
  .then((text) => JSON.parse(text) as { figures?: object; baseline?: object })
  .catch(() => ({}) as { figures?: object; baseline?: object });
const result = {
  name: 'scale',
  machine: machine(),
  at: new Date().toISOString(),
  plan: { ...plan, projectUnits: projectUnits(plan), messages },
  figures: results.project?.figures ?? previous.figures ?? {},
  baseline: results.baseline?.figures ?? previous.baseline ?? {},
  notes: [...modes.flatMap((mode) => results[mode]?.notes ?? [])],
};
await mkdir(join(file, '..'), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);

const keys = [...new Set([...Object.keys(result.figures), ...Object.keys(result.baseline)])];
const cell = (figures: object, key: string) => String((figures as Record<string, number>)[key] ?? '—');
printTable(
  'scale — figure: project / baseline',
  keys.map((key) => [key, `${cell(result.figures, key)} / ${cell(result.baseline, key)}`]),
);
console.log(`\nwrote ${file}`);
process.exit(0);
