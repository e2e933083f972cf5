import { QueueName } from '@firstlight/contracts';
import type { JobInsert, PgBoss } from 'pg-boss';
import {
  type AnyDb,
  dropAsideSchema,
  hasAsideSchema,
  pgbossSchemaVersion,
  setPgbossSchemaAside,
  unfinishedAsideJobs,
} from './pgboss-schema-repository.ts';

/**
 * Databases made before the move to pg-boss 12 hold pg-boss 10's schema (version 24). pg-boss 11 rewrote it
 * (version 25) and pg-boss 12 migrates only from there, refusing to start on version 24. So the old schema is
 * set aside, pg-boss installs a fresh one, and the tasks the old one had not finished join it with their ids
 * (a carried task's name stays taken), due as they were; then the old schema goes. Run under the migration lock,
 * so one instance does it. A restart halfway through starts again from the schema set aside.
 */

const FIRST_MIGRATABLE_VERSION = 25;

/** Before pg-boss starts. Returns whether a pg-boss 10 schema was set aside now. */
export async function setAsidePgBoss10(db: AnyDb): Promise<boolean> {
  const version = await pgbossSchemaVersion(db);
  if (version === undefined || version >= FIRST_MIGRATABLE_VERSION) return false;
  await setPgbossSchemaAside(db);
  return true;
}

/** After pg-boss started and our queues exist. Returns the number of tasks carried over. */
export async function carryOverPgBoss10Tasks(db: AnyDb, boss: PgBoss): Promise<number> {
  if (!(await hasAsideSchema(db))) return 0;
  const rows = await unfinishedAsideJobs(db);
  const now = new Date();
  for (const queue of QueueName.options) {
    const jobs: JobInsert[] = rows
      .filter((job) => job.name === queue)
      .map((job) => ({
        id: job.id,
        data: job.data ?? {},
        priority: job.priority,
        retryLimit: job.retry_limit,
        retryDelay: job.retry_delay,
        retryBackoff: job.retry_backoff,
        // An active job's process is gone (it ran the old version): due at once.
        startAfter: job.state === 'active' ? now : job.start_after,
        expireInSeconds: job.expire_seconds,
      }));
    // insert skips ids already there, so a carry-over interrupted before the drop below can run again.
    if (jobs.length) await boss.insert(queue, jobs);
  }
  await dropAsideSchema(db);
  return rows.length;
}
