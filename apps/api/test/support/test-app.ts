import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  /** Closes the app, then drops the file's database. */
  close(): Promise<void>;
}

/** The real app on a fresh database of its own; `overrides` adjust the parsed config. */
export async function buildTestApp(
  options: { overrides?: Partial<Config>; migrated?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ migrated: options.migrated ?? true });
  const config = { ...loadConfig({ LOG_LEVEL: 'silent' }), ...options.overrides };
  const app = await buildApp({ config, db: database.db, logger: false });
  await app.ready();
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
