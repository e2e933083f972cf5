import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@firstlight/db';
import { sql } from 'kysely';
import {
  ApiProcess,
  EmulatorProcess,
  forgetTempDir,
  HarnessPostgres,
  registerTempDir,
} from '../chaos/supervisor.ts';
import { type Mode, projectUnits, type ScalePlan, type ScaleUser } from './plan.ts';

/**
 * The deployment of one `scale` run: one PostgreSQL (the product's launcher on a temp dir, as an operator's
 * server), one emulator process enforcing the plan's per-user AND per-project limits, and `instances` API
 * processes through the real entry point on that database — pg-boss in the same database, so any instance
 * takes any task. Everything is registered with the chaos supervisor: any way out kills it.
 */
export interface Cluster {
  apis: ApiProcess[];
  emulator: EmulatorProcess;
  postgres: HarnessPostgres;
  db: ReturnType<typeof createDatabase>;
  close(): Promise<void>;
}

/** The product's env for a mode: what an operator would set (README § Configuration). */
export function productEnv(plan: ScalePlan, mode: Mode): Record<string, string> {
  const common = {
    GMAIL_QUOTA_WINDOW_MS: String(plan.windowMs),
    GMAIL_QUOTA_UNITS: String(plan.userUnits),
    GMAIL_QUOTA_UTILISATION: String(plan.utilisation),
    FIRST_PAGE_SIZE: String(plan.firstPage),
  };
  if (mode === 'baseline') return { ...common, QUOTA_SCHEDULER: 'per-user' };
  return {
    ...common,
    QUOTA_SCHEDULER: 'project',
    GMAIL_PROJECT_QUOTA_UNITS: String(projectUnits(plan)),
    QUOTA_INTERACTIVE_RESERVE: String(plan.interactiveReserve),
  };
}

export async function startCluster(
  plan: ScalePlan,
  mode: Mode,
  users: ScaleUser[],
  logDir: string,
): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), `firstlight-scale-${mode}-`));
  registerTempDir(dir);
  await chmod(dir, 0o755); // as root the embedded PostgreSQL runs as `postgres`, which must enter it
  // SCALE_PG_STATS=1: the server's own account of where its time went, written beside the logs at the end.
  const pgStats = process.env.SCALE_PG_STATS === '1';
  const postgres = new HarnessPostgres(
    join(dir, 'server'),
    pgStats ? { shared_preload_libraries: 'pg_stat_statements' } : {},
  );
  await postgres.start();
  const emulator = await EmulatorProcess.start(
    [
      `--accounts=${users.map((user) => `${user.email}:${user.mailbox}`).join(',')}`,
      `--seed=${plan.seed}`,
      '--auto-approve',
      // A mail benchmark: generating 1,000 accounts' calendars (recurrence expansion) was most of the
      // emulator's CPU, which then set the pace of the Gmail figures.
      '--calendars=empty',
      `--quota-window-ms=${plan.windowMs}`,
      `--gmail-quota=${plan.userUnits}`,
      `--latency=${plan.windowMs / 60_000}`,
    ],
    join(logDir, `emulator-${mode}.log`),
  );
  // Google enforces the project limit whatever the product plans (the baseline does not plan it). Every
  // field is sent: the admin route's partial schema fills what is left out with Google's defaults.
  const quota = await fetch(`${emulator.url}/admin/quota`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      windowMs: plan.windowMs,
      gmailUnitsPerUser: plan.userUnits,
      gmailUnitsPerProject: projectUnits(plan),
    }),
  });
  const applied = (await quota.json()) as { windowMs?: number; gmailUnitsPerProject?: number };
  if (!quota.ok || applied.windowMs !== plan.windowMs || applied.gmailUnitsPerProject !== projectUnits(plan))
    throw new Error(`the emulator did not take the quota plan: ${quota.status} ${JSON.stringify(applied)}`);
  const keys = {
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };
  const apis: ApiProcess[] = [];
  for (let i = 0; i < plan.instances; i++) {
    const label = `api-${i}`;
    const api = await ApiProcess.create(
      label,
      {
        ...keys,
        ...productEnv(plan, mode),
        DATA_DIR: join(dir, `data-${label}`),
        DATABASE_URL: postgres.url,
        GOOGLE_EMULATOR_URL: emulator.url,
        TASK_QUEUE: 'embedded',
        ...(plan.taskWorkers ? { TASK_WORKERS: plan.taskWorkers } : {}),
        LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'warn',
        RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
        RATE_LIMIT_PER_MIN: '1000000',
      },
      join(logDir, `${label}-${mode}.log`),
    );
    api.start();
    apis.push(api);
    // One at a time: the first runs the migrations, the others find them applied.
    if (!(await api.ready(120_000)))
      throw new Error(`${label} did not become ready: ${api.exits.at(-1)?.tail.join('\n') ?? 'timeout'}`);
  }
  const db = createDatabase({ connectionString: postgres.url, max: 3, applicationName: 'scale-bench' });
  return {
    apis,
    emulator,
    postgres,
    db,
    close: async () => {
      if (pgStats) await writeStatementStats(db, join(logDir, `pg-statements-${mode}.txt`));
      await db.destroy();
      for (const api of apis) await api.kill('SIGTERM');
      await emulator.kill('SIGTERM');
      await postgres.stop();
      forgetTempDir(dir);
    },
  };
}

/** The 30 statements that took the server's time, most first (pg_stat_statements). */
async function writeStatementStats(db: ReturnType<typeof createDatabase>, file: string): Promise<void> {
  await sql`create extension if not exists pg_stat_statements`.execute(db);
  const { rows } = await sql<{ ms: number; calls: number; mean: number; query: string }>`
    select round(total_exec_time)::int as ms, calls, round(mean_exec_time::numeric, 3)::float8 as mean,
      regexp_replace(left(query, 160), '\\s+', ' ', 'g') as query
    from pg_stat_statements order by total_exec_time desc limit 30`.execute(db);
  await writeFile(file, rows.map((r) => `${r.ms} ms\t${r.calls} calls\t${r.mean} ms\t${r.query}`).join('\n'));
}
