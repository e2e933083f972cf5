import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, loadConfig } from '@firstlight/api';
import { freePort } from '@firstlight/db';
import { type EmulatorOptions, startEmulator } from '@firstlight/google-emulator';

/** A self-contained product for a benchmark: embedded PostgreSQL in a temp dir, the emulator, the API. */
export async function startBenchProduct(
  emulatorOptions: Partial<EmulatorOptions>,
  env: Record<string, string> = {},
  /** `emulatorUrl`: use an emulator running elsewhere (its own process) instead of one in this process. */
  options: { backfill?: boolean; emulatorUrl?: string } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'firstlight-bench-'));
  await chmod(dir, 0o755);
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
    // The embedded PostgreSQL in DATA_DIR/pg, a temp dir removed on close.
    DATA_DIR: dir,
    GOOGLE_EMULATOR_URL: emulatorUrl,
    GOOGLE_TIMEOUT_MS: '15000',
    // The load benchmark signs in 200 users in 10 s from one address: far past a real deployment's limits.
    RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
    RATE_LIMIT_PER_MIN: '1000000',
    // The queue's worker counts, as `npm start` reads them.
    ...(process.env.TASK_WORKERS ? { TASK_WORKERS: process.env.TASK_WORKERS } : {}),
    ...env,
  });
  const runtime = createRuntime(
    { ...config, tokenEncryptionKey: randomBytes(32), sessionSecret: randomBytes(32).toString('base64url') },
    {
      logger: false,
      pool: { max: 20 },
      embeddedPostgresSettings: { fsync: 'off', max_connections: '300' },
      // Without `backfill`, a web-only instance (runtime.ts `queue: false`): jobs recorded, never run.
      ...(options.backfill ? {} : { queue: false }),
    },
  );
  const { app, db, listen } = await runtime.start();
  await listen();
  return {
    url,
    app,
    db,
    config,
    /** The in-process emulator (undefined with `emulatorUrl`). */
    emulator: emulator!,
    close: async () => {
      await runtime.close();
      await emulator?.close();
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
