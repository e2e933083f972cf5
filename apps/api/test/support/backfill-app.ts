import { createDatabase, type Database } from '@firstlight/db';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { TokenCipher } from '../../src/accounts/index.ts';
import { buildApp } from '../../src/app.ts';
import { type Config, EMULATOR_CLIENT, loadConfig } from '../../src/config.ts';
import { emulatedGoogle } from '../../src/google/google-settings.ts';
import type { BackfillSettings } from '../../src/ingestion/backfill-deps.ts';
import { EventBus } from '../../src/realtime/event-bus.ts';
import { EmbeddedTaskQueue } from '../../src/tasks/embedded-queue.ts';
import { UNLIMITED_RATES } from './rates.ts';

// test-app.ts's redirect URI; not imported from there, which pulls vitest in through @firstlight/db/testing.
const REDIRECT_URI = 'http://localhost:3000/auth/google/callback';

/** What every instance of one deployment shares. */
export interface DeploymentSecrets {
  /** 32 bytes, base64: the TokenCipher key. */
  tokenKey: string;
  sessionSecret: string;
}

export interface AppOnDatabaseOptions extends DeploymentSecrets {
  databaseUrl: string;
  emulatorUrl: string;
  overrides?: Partial<Config>;
  backfillSettings?: Partial<BackfillSettings>;
}

export interface AppOnDatabase {
  app: FastifyInstance;
  db: Kysely<Database>;
  /** Closes the app (the queue drains gracefully), the bus and the pool; the database stays. */
  close(): Promise<void>;
}

/**
 * One API instance on a database that already exists: what a second process of the same deployment is (or the
 * same process after a restart). Instances of one deployment share the token key and the session secret, so
 * each can decrypt the refresh tokens another stored. Unlike `buildTestApp`, it never creates nor drops the
 * database, and it imports nothing from vitest: the crash worker (a child process) builds its app with it.
 */
export async function buildAppOnDatabase(options: AppOnDatabaseOptions): Promise<AppOnDatabase> {
  const db = createDatabase({
    connectionString: options.databaseUrl,
    max: 4,
    applicationName: 'firstlight-test',
  });
  const bus = new EventBus(options.databaseUrl, { warn() {}, error() {} });
  await bus.start();
  const app = await buildApp({
    config: { ...loadConfig({ LOG_LEVEL: 'silent', ...UNLIMITED_RATES }), ...options.overrides },
    db,
    bus,
    google: emulatedGoogle(options.emulatorUrl, {
      ...EMULATOR_CLIENT,
      redirectUri: REDIRECT_URI,
      requestTimeoutMs: 10_000,
    }),
    tokenCipher: new TokenCipher(Buffer.from(options.tokenKey, 'base64')),
    sessionSecret: options.sessionSecret,
    logger: false,
    queue: new EmbeddedTaskQueue({ connectionString: options.databaseUrl, pollingIntervalSeconds: 0.5 }),
    ...(options.backfillSettings ? { backfillSettings: options.backfillSettings } : {}),
  });
  await app.ready();
  return {
    app,
    db,
    close: async () => {
      await app.close();
      await bus.close();
      await db.destroy();
    },
  };
}
