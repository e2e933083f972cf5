import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** The repository's `migrations/` folder. */
export const defaultMigrationsDir = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** `0001_initial.sql`: a number, an underscore, a name. The number orders them. */
const MIGRATION_FILE = /^(\d{4,})_[\w-]+\.sql$/;
// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK_KEY = 4_242_001;

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!MIGRATION_FILE.test(name)) {
      throw new MigrationError(`migration file name "${name}" must look like 0001_description.sql`, name);
    }
    const text = await readFile(join(dir, name), 'utf8');
    files.push({ name, sql: text, checksum: createHash('sha256').update(text).digest('hex') });
  }
  return files;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * Compares the files with what the database recorded. Throws on a checksum mismatch (a migration edited
 * after it ran) or on a recorded migration whose file is gone (the database is newer than this code).
 */
export async function migrationStatus(
  db: Kysely<Database>,
  dir = defaultMigrationsDir,
): Promise<MigrationStatus> {
  const files = await readMigrations(dir);
  await ensureMigrationsTable(db);
  const recorded = await db
    .selectFrom('schema_migrations')
    .select(['name', 'checksum'])
    .orderBy('name')
    .execute();
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of recorded) {
    const file = byName.get(row.name);
    if (!file) {
      throw new MigrationError(
        `migration ${row.name} is recorded in the database but its file is missing from ${dir}: ` +
          'the database was migrated by a newer version of Firstlight',
        row.name,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.name} was changed after it was applied (checksum ${short(row.checksum)} in the ` +
          `database, ${short(file.checksum)} on disk): restore the file and add a new migration instead`,
        row.name,
      );
    }
  }
  const applied = new Set(recorded.map((row) => row.name));
  return {
    applied: recorded.map((row) => row.name),
    pending: files.filter((file) => !applied.has(file.name)).map((file) => file.name),
  };
}

/**
 * Applies the pending migrations in order, each in its own transaction, under an advisory lock so two API
 * instances starting together do not race. Returns the names applied (empty when up to date).
 */
export async function migrate(db: Kysely<Database>, dir = defaultMigrationsDir): Promise<string[]> {
  const files = await readMigrations(dir);
  return withMigrationLock(db, async (conn) => {
    const { pending } = await migrationStatus(conn, dir);
    for (const name of pending) {
      const file = files.find((candidate) => candidate.name === name)!;
      await conn.transaction().execute(async (trx) => {
        try {
          await sql.raw(file.sql).execute(trx);
        } catch (error) {
          throw new MigrationError(`migration ${name} failed: ${(error as Error).message}`, name, {
            cause: error,
          });
        }
        await trx.insertInto('schema_migrations').values({ name, checksum: file.checksum }).execute();
      });
    }
    return pending;
  });
}

/**
 * Runs `work` while holding the migration lock (a session advisory lock on one connection of `db`), so schema
 * work of several instances starting together runs one after the other: our migrations, and the task queue's
 * own schema and queue creation (pg-boss), which deadlocked when two instances ran it at once.
 */
export async function withMigrationLock<T>(
  db: Kysely<Database>,
  work: (conn: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

async function ensureMigrationsTable(db: Kysely<Database>): Promise<void> {
  await sql`
    create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(db);
}

function short(checksum: string): string {
  return checksum.slice(0, 12);
}
