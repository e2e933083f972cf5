import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import type { FastifyInstance } from 'fastify';
import { TokenCipher } from '../../src/accounts/index.ts';
import { type AppDependencies, buildApp } from '../../src/app.ts';
import { type Config, EMULATOR_CLIENT, loadConfig } from '../../src/config.ts';
import { emulatedGoogle, type GoogleSettings } from '../../src/google/google-settings.ts';
import type { BackfillSettings } from '../../src/ingestion/backfill-deps.ts';
import type { BackfillStarter } from '../../src/ingestion/backfill-port.ts';
import { EventBus } from '../../src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../../src/tasks/embedded-queue.ts';
import type { TaskQueue } from '../../src/tasks/task-queue.ts';
import { UNLIMITED_RATES } from './rates.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  bus: EventBus;
  google: GoogleSettings;
  /** Closes the app and the bus, then drops the file's database. */
  close(): Promise<void>;
}

export const TEST_REDIRECT_URI = 'http://localhost:3000/auth/google/callback';

/**
 * The real app on a fresh database of its own. `emulatorUrl` points it at a running Google emulator; without
 * one, Google calls go to an address that refuses connections (fine for tests that never sign in).
 */
export async function buildTestApp(
  options: {
    overrides?: Partial<Config>;
    migrated?: boolean;
    emulatorUrl?: string;
    backfill?: BackfillStarter;
    heartbeatMs?: number;
    /** Run the real backfill on the embedded queue (pg-boss in the test's database). */
    embeddedQueue?: boolean;
    /** Any other task queue (the Cloud Tasks adapter against its stand-in). */
    queue?: TaskQueue;
    backfillSettings?: Partial<BackfillSettings>;
    /** The app's own (redacting) logger at this level, into this stream: tests that read the logs. */
    logger?: AppDependencies['logger'];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ migrated: options.migrated ?? true });
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', ...UNLIMITED_RATES }), ...options.overrides };
  const google = emulatedGoogle(options.emulatorUrl ?? 'http://127.0.0.1:9/', {
    ...EMULATOR_CLIENT,
    redirectUri: TEST_REDIRECT_URI,
    requestTimeoutMs: 10_000,
  });
  const bus = new EventBus(database.url, { warn() {}, error() {} });
  await bus.start();
  const queue =
    options.queue ??
    (options.embeddedQueue
      ? new EmbeddedTaskQueue({ connectionString: database.url, pollingIntervalSeconds: 0.5 })
      : undefined);
  const app = await buildApp({
    config,
    db: database.db,
    bus,
    google,
    tokenCipher: new TokenCipher(randomBytes(32)),
    sessionSecret: randomBytes(32).toString('base64url'),
    logger: options.logger ?? false,
    ...(options.backfill ? { backfill: options.backfill } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(queue ? { queue } : {}),
    ...(options.backfillSettings ? { backfillSettings: options.backfillSettings } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    bus,
    google,
    close: async () => {
      await app.close();
      await bus.close();
      await database.drop();
    },
  };
}
