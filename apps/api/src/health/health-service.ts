import type { ReadinessResponse } from '@firstlight/contracts';
import { type Database, migrationStatus } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** Readiness: the database answers, and every migration on disk has been applied to it. */
export async function checkReadiness(
  db: Kysely<Database>,
  migrationsDir?: string,
): Promise<ReadinessResponse> {
  const started = performance.now();
  let database: ReadinessResponse['checks']['database'];
  try {
    await sql`select 1`.execute(db);
    database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    database = { ok: false, error: (error as Error).message };
  }

  let migrations: ReadinessResponse['checks']['migrations'];
  if (!database.ok) {
    migrations = { ok: false, applied: 0, pending: [], error: 'database unreachable' };
  } else {
    try {
      const status = await migrationStatus(db, migrationsDir);
      migrations = {
        ok: status.pending.length === 0,
        applied: status.applied.length,
        pending: status.pending,
      };
      if (!migrations.ok) migrations.error = `${status.pending.length} migration(s) not applied`;
    } catch (error) {
      migrations = { ok: false, applied: 0, pending: [], error: (error as Error).message };
    }
  }
  return { status: database.ok && migrations.ok ? 'ready' : 'not_ready', checks: { database, migrations } };
}
