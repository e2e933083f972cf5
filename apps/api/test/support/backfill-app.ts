import type { Database } from '@firstlight/db';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../src/config.ts';
import type { BackfillSettings } from '../../src/ingestion/backfill-deps.ts';
import { createRuntime } from '../../src/runtime.ts';
import { testConfig } from './test-config.ts';

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
  const config = testConfig(
    options.emulatorUrl,
    { databaseUrl: options.databaseUrl, ...options.overrides },
    options,
  );
  const runtime = createRuntime(config, {
    logger: false,
    pool: { max: 4, applicationName: 'firstlight-test' },
    queuePollingSeconds: 0.5,
    ...(options.backfillSettings ? { backfillSettings: options.backfillSettings } : {}),
  });
  const { app, db } = await runtime.start();
  return { app, db, close: () => runtime.close() };
}
