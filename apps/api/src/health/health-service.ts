import type { ReadinessResponse } from '@firstlight/contracts';
import { type Database, migrationStatus } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { pingDatabase } from './health-repository.ts';

/** A probe must answer quickly: an orchestrator's readiness check times out, and so would a hung connect. */
const PROBE_TIMEOUT_MS = 3_000;

/** Readiness: the database answers, and every migration on disk has been applied to it. */
export async function checkReadiness(
  db: Kysely<Database>,
  migrationsDir?: string,
): Promise<ReadinessResponse> {
  const started = performance.now();
  let database: ReadinessResponse['checks']['database'];
  try {
    await withTimeout(pingDatabase(db), PROBE_TIMEOUT_MS);
    database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    database = { ok: false, error: `database unreachable: ${(error as Error).message}` };
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

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
