import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, MigrationError, migrate, migrationStatus } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('migrator', () => {
  let test: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    test = await createTestDatabase({ migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'firstlight-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
  });
  afterAll(async () => {
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration in order and records it', async () => {
    const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
    expect(await migrate(test.db, dir)).toEqual(files);
    expect(await migrationStatus(test.db, dir)).toEqual({ applied: files, pending: [] });
  });

  it('is a no-op when applied twice', async () => {
    const before = await sql<{ count: number }>`select count(*)::int as count from schema_migrations`.execute(
      test.db,
    );
    expect(await migrate(test.db, dir)).toEqual([]);
    const after = await sql<{ count: number }>`select count(*)::int as count from schema_migrations`.execute(
      test.db,
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('applies only the new file when one is added', async () => {
    await writeFile(join(dir, '9000_extra.sql'), 'create table extra_probe (id int primary key);');
    expect(await migrate(test.db, dir)).toEqual(['9000_extra.sql']);
    await sql`insert into extra_probe values (1)`.execute(test.db);
  });

  it('refuses a tampered migration with a message naming the file', async () => {
    await writeFile(join(dir, '9000_extra.sql'), 'create table extra_probe (id bigint primary key);');
    const failure = migrate(test.db, dir);
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/9000_extra\.sql was changed after it was applied/);
  });

  it('refuses to run when the database knows a migration this code does not have', async () => {
    await rm(join(dir, '9000_extra.sql'));
    await expect(migrate(test.db, dir)).rejects.toThrow(
      /9000_extra\.sql is recorded in the database but its file is missing/,
    );
  });

  it('rolls back a failing migration and names it', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    const brokenDir = await mkdtemp(join(tmpdir(), 'firstlight-migrations-broken-'));
    try {
      await writeFile(join(brokenDir, '0001_ok.sql'), 'create table ok_probe (id int);');
      await writeFile(
        join(brokenDir, '0002_broken.sql'),
        'create table half (id int); select * from no_such_table;',
      );
      await expect(migrate(fresh.db, brokenDir)).rejects.toThrow(/migration 0002_broken\.sql failed/);
      const status = await migrationStatus(fresh.db, brokenDir);
      expect(status).toEqual({ applied: ['0001_ok.sql'], pending: ['0002_broken.sql'] });
      const half = await sql<{ exists: boolean }>`select to_regclass('half') is not null as exists`.execute(
        fresh.db,
      );
      expect(half.rows[0]?.exists).toBe(false);
    } finally {
      await fresh.drop();
      await rm(brokenDir, { recursive: true, force: true });
    }
  });

  it('lets two migrators race safely (advisory lock)', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    try {
      const results = await Promise.all([migrate(fresh.db), migrate(fresh.db)]);
      expect(results.flat().sort()).toEqual((await migrationStatus(fresh.db)).applied);
    } finally {
      await fresh.drop();
    }
  });
});
