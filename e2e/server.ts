import { randomBytes } from 'node:crypto';
import { freePort } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@firstlight/google-emulator';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../apps/api/src/app.ts';
import { TokenCipher } from '../apps/api/src/auth/token-cipher.ts';
import { EMULATOR_CLIENT, loadConfig } from '../apps/api/src/config.ts';
import { emulatedGoogle } from '../apps/api/src/google/google-settings.ts';
import { EventBus } from '../apps/api/src/realtime/event-bus.ts';
// @ts-expect-error: a plain .mjs script without types
import { ensureWebBuild } from '../scripts/ensure-web-build.mjs';

export interface RunningProduct {
  url: string;
  app: FastifyInstance;
  emulator: EmulatorHandle;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The whole product as `npm start` runs it (built SPA, API, emulator), on a fresh database and free ports. */
export async function startProduct(emulatorOptions: Partial<EmulatorOptions>): Promise<RunningProduct> {
  (ensureWebBuild as () => boolean)();
  const database = await createTestDatabase();
  const emulator = await startEmulator({ port: 0, seed: 1, latency: 'none', ...emulatorOptions });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_URL: url });
  const bus = new EventBus(database.url, { warn() {}, error() {} });
  await bus.start();
  const app = await buildApp({
    config,
    db: database.db,
    bus,
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
