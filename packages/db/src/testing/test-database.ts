import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { createDatabase } from '../connect.ts';
import type { Database } from '../schema.ts';
import { runAdmin, withDatabase } from './global-setup.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testPostgres: { adminUrl: string; template: string };
  }
}

export interface TestDatabase {
  /** Connection string of this file's own database. */
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: cloned from the migrated template (`migrated: true`, the default)
 * or empty (`migrated: false`, for migrator tests). Call `drop()` in `afterAll`.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const { adminUrl, template } = inject('testPostgres');
  const name = `fl_test_${randomBytes(6).toString('hex')}`;
  const migrated = options.migrated ?? true;
  await runAdmin(adminUrl, (client) =>
    client.query(migrated ? `create database ${name} template ${template}` : `create database ${name}`),
  );
  const url = withDatabase(adminUrl, name);
  const db = createDatabase({ connectionString: url, max: 4, applicationName: 'firstlight-test' });
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      await runAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
