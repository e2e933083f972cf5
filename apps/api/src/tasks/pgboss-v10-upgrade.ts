import { QueueName } from '@firstlight/contracts';
import { type Kysely, sql } from 'kysely';
import type { JobInsert, PgBoss } from 'pg-boss';

/**
 * Databases made before the move to pg-boss 12 hold pg-boss 10's schema (version 24). pg-boss 11 rewrote it
 * (version 25) and pg-boss 12 migrates only from there, refusing to start on version 24. So the old schema is
 * set aside, pg-boss installs a fresh one, and the tasks the old one had not finished join it with their ids
 * (a carried task's name stays taken), due as they were; then the old schema goes. Run under the migration lock,
 * so one instance does it. A restart halfway through starts again from the schema set aside.
 */

const FIRST_MIGRATABLE_VERSION = 25;
const ASIDE = 'pgboss_v10';

// biome-ignore lint/suspicious/noExplicitAny: pg-boss's tables are not in our schema type; only raw SQL here.
type AnyDb = Kysely<any>;

/** Before pg-boss starts. Returns whether a pg-boss 10 schema was set aside now. */
export async function setAsidePgBoss10(db: AnyDb): Promise<boolean> {
  const { rows: exists } = await sql<{ found: boolean }>`
    select to_regclass('pgboss.version') is not null as found`.execute(db);
  if (!exists[0]?.found) return false;
  const { rows } = await sql<{ version: number }>`select version from pgboss.version`.execute(db);
  const version = rows[0]?.version;
  if (version === undefined || version >= FIRST_MIGRATABLE_VERSION) return false;
  await sql`alter schema pgboss rename to ${sql.id(ASIDE)}`.execute(db);
  return true;
}

interface OldJob {
  id: string;
  name: string;
  data: object | null;
  priority: number;
  state: string;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  start_after: Date;
  expire_seconds: number;
}

/** After pg-boss started and our queues exist. Returns the number of tasks carried over. */
export async function carryOverPgBoss10Tasks(db: AnyDb, boss: PgBoss): Promise<number> {
  const { rows: aside } = await sql<{ found: boolean }>`
    select to_regnamespace(${ASIDE}) is not null as found`.execute(db);
  if (!aside[0]?.found) return 0;
  const { rows } = await sql<OldJob>`
    select id, name, data, priority, state::text as state, retry_limit, retry_delay, retry_backoff, start_after,
      extract(epoch from expire_in)::int as expire_seconds
    from ${sql.id(ASIDE, 'job')}
    where state in ('created', 'retry', 'active') and name in (${sql.join(QueueName.options)})`.execute(db);
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
  await sql`drop schema ${sql.id(ASIDE)} cascade`.execute(db);
  return rows.length;
}
