import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, createRuntime, loadConfig, withQuotaOfBackfill } from '@firstlight/api';
import { freePort } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@firstlight/google-emulator';
import type { FastifyInstance } from 'fastify';
// @ts-expect-error: a plain .mjs script without types
import { ensureWebBuild } from '../scripts/ensure-web-build.mjs';

export interface RunningProduct {
  url: string;
  app: FastifyInstance;
  emulator: EmulatorHandle;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface ProductOptions {
  /**
   * Run background tasks on the embedded queue as `npm start` does (backfill, calendar sync and write-back).
   * Off by default: without it jobs are only recorded and the calendar is never synced.
   */
  tasks?: boolean;
  /** Config on top of the defaults, e.g. `ops: { emails: ['ops@example.com'], token: undefined }`. */
  config?: Partial<Config>;
}

const buildLock = new URL('../node_modules/.firstlight-web-build.lock', import.meta.url);

/**
 * Vitest runs the e2e files in parallel workers: without a lock each would rebuild `apps/web/dist` at once (a
 * fresh clone has none), and a page could load while another worker empties the folder. `mkdir` is atomic, so
 * one worker builds while the others wait, then find the build fresh. A lock older than two minutes is stale.
 */
async function ensureWebBuildOnce(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(buildLock);
      break;
    } catch {
      const age = Date.now() - (statSync(buildLock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(buildLock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    (ensureWebBuild as () => boolean)();
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

/** The whole product as `npm start` runs it (built SPA, API, emulator), on a fresh database and free ports. */
export async function startProduct(
  emulatorOptions: Partial<EmulatorOptions>,
  options: ProductOptions = {},
): Promise<RunningProduct> {
  await ensureWebBuildOnce();
  const database = await createTestDatabase();
  const emulator = await startEmulator({ port: 0, seed: 1, latency: 'none', ...emulatorOptions });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = withQuotaOfBackfill({
    ...loadConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      PUBLIC_URL: url,
      GOOGLE_EMULATOR_URL: emulator.url,
      GOOGLE_TIMEOUT_MS: '10000',
      // Parallel test files sign in from one address, faster than people do.
      RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
      RATE_LIMIT_PER_MIN: '1000000',
    }),
    tokenEncryptionKey: randomBytes(32),
    sessionSecret: randomBytes(32).toString('base64url'),
    ...options.config,
  });
  // Without `tasks`, a web-only instance (runtime.ts `queue: false`): work is recorded, never run.
  const runtime = createRuntime(config, {
    database,
    logger: false,
    ...(options.tasks ? {} : { queue: false }),
  });
  const { app, listen } = await runtime.start();
  await listen();
  return {
    url,
    app,
    emulator,
    database,
    close: async () => {
      await runtime.close();
      await emulator.close();
      await database.drop();
    },
  };
}
