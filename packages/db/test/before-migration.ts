import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsDir, migrate } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

/**
 * A fresh database migrated up to, not including, `migration` (e.g. '0007'): a test seeds it with data as the
 * product stored it then, runs `migrate(db)` and checks what the migration made of it.
 */
export async function databaseBefore(
  migration: string,
): Promise<{ test: TestDatabase; drop(): Promise<void> }> {
  const test = await createTestDatabase({ migrated: false });
  const before = await mkdtemp(join(tmpdir(), `firstlight-before-${migration}-`));
  for (const name of await readdir(defaultMigrationsDir)) {
    if (name < migration) await cp(join(defaultMigrationsDir, name), join(before, name));
  }
  await migrate(test.db, before);
  return {
    test,
    drop: async () => {
      await test.drop();
      await rm(before, { recursive: true, force: true });
    },
  };
}
