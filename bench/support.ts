import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, freePort, migrate, startEmbeddedPostgres } from '@firstlight/db';
import { type EmulatorOptions, startEmulator } from '@firstlight/google-emulator';
import { TokenCipher } from '../apps/api/src/accounts/index.ts';
import { buildApp } from '../apps/api/src/app.ts';
import { EMULATOR_CLIENT, loadConfig } from '../apps/api/src/config.ts';
import { emulatedGoogle } from '../apps/api/src/google/google-settings.ts';
import { EventBus } from '../apps/api/src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../apps/api/src/tasks/embedded-queue.ts';

/** A self-contained product for a benchmark: embedded PostgreSQL in a temp dir, the emulator, the API. */
export async function startBenchProduct(
  emulatorOptions: Partial<EmulatorOptions>,
  env: Record<string, string> = {},
  /** `emulatorUrl`: use an emulator running elsewhere (its own process) instead of one in this process. */
  options: { backfill?: boolean; emulatorUrl?: string } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'firstlight-bench-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    settings: { fsync: 'off', max_connections: '300' },
  });
  const db = createDatabase({ connectionString: pg.url, max: 20 });
  await migrate(db);
  const emulator = options.emulatorUrl
    ? undefined
    : await startEmulator({ port: 0, seed: 1, latency: 'google', ...emulatorOptions });
  const emulatorUrl = options.emulatorUrl ?? emulator!.url;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PORT: String(port),
    PUBLIC_URL: url,
    // The load benchmark signs in 200 users in 10 s from one address: far past a real deployment's limits.
    RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
    RATE_LIMIT_PER_MIN: '1000000',
    // The queue's worker counts, as `npm start` reads them.
    ...(process.env.TASK_WORKERS ? { TASK_WORKERS: process.env.TASK_WORKERS } : {}),
    ...env,
  });
  const bus = new EventBus(pg.url, { warn() {}, error() {} });
  await bus.start();
  const app = await buildApp({
    config,
    db,
    bus,
    google: emulatedGoogle(emulatorUrl, {
      ...EMULATOR_CLIENT,
      redirectUri: `${url}/auth/google/callback`,
      requestTimeoutMs: 15_000,
    }),
    tokenCipher: new TokenCipher(randomBytes(32)),
    sessionSecret: randomBytes(32).toString('base64url'),
    logger: false,
    ...(options.backfill
      ? {
          queue: new EmbeddedTaskQueue({
            connectionString: pg.url,
            ...(config.tasks.mode === 'embedded' ? { concurrency: config.tasks.workers } : {}),
          }),
        }
      : {}),
  });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url,
    app,
    db,
    config,
    /** The in-process emulator (undefined with `emulatorUrl`). */
    emulator: emulator!,
    close: async () => {
      await app.close();
      await bus.close();
      await db.destroy();
      await emulator?.close();
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes bench/results/<name>.json in the shape the benchmark issue defines. */
export async function writeResult(
  name: string,
  figures: Record<string, number>,
  baseline: Record<string, number> = {},
): Promise<void> {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const result = { name, machine: machine(), at: new Date().toISOString(), figures, baseline };
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function printTable(title: string, rows: [string, string | number][]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}
