import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@firstlight/google-emulator';
import type { FastifyInstance } from 'fastify';
import { TokenCipher } from '../apps/api/src/accounts/index.ts';
import { buildApp } from '../apps/api/src/app.ts';
import { type Config, EMULATOR_CLIENT, loadConfig } from '../apps/api/src/config.ts';
import { emulatedGoogle } from '../apps/api/src/google/google-settings.ts';
import { EventBus } from '../apps/api/src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../apps/api/src/tasks/embedded-queue.ts';
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
  const config = {
    ...loadConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      PUBLIC_URL: url,
      // Parallel test files sign in from one address, faster than people do.
      RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
      RATE_LIMIT_PER_MIN: '1000000',
    }),
    ...options.config,
  };
  const bus = new EventBus(database.url, { warn() {}, error() {} });
  await bus.start();
  const app = await buildApp({
    config,
    db: database.db,
    bus,
    // The app stops the queue when it closes (ingestion plugin's onClose).
    ...(options.tasks ? { queue: new EmbeddedTaskQueue({ connectionString: database.url }) } : {}),
    google: emulatedGoogle(emulator.url, {
      ...EMULATOR_CLIENT,
      redirectUri: `${url}/auth/google/callback`,
      requestTimeoutMs: 10_000,
    }),
    tokenCipher: new TokenCipher(randomBytes(32)),
    sessionSecret: randomBytes(32).toString('base64url'),
    logger: false,
  });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url,
    app,
    emulator,
    database,
    close: async () => {
      await app.close();
      await bus.close();
      await emulator.close();
      await database.drop();
    },
  };
}
