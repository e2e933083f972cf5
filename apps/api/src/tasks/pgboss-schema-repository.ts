import { QueueName } from '@firstlight/contracts';
import { type Kysely, sql } from 'kysely';

/** pg-boss's own schema, read and moved by raw SQL: its tables are not in our schema type. */
// biome-ignore lint/suspicious/noExplicitAny: pg-boss's tables are not in our schema type; only raw SQL here.
export type AnyDb = Kysely<any>;

/** Where a pg-boss 10 schema is set aside while pg-boss 12 installs its own. */
const ASIDE = 'pgboss_v10';

export interface AsideJob {
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

/** The installed pg-boss schema version, or undefined when there is none. */
export async function pgbossSchemaVersion(db: AnyDb): Promise<number | undefined> {
  const { rows: exists } = await sql<{ found: boolean }>`
    select to_regclass('pgboss.version') is not null as found`.execute(db);
  if (!exists[0]?.found) return undefined;
  const { rows } = await sql<{ version: number }>`select version from pgboss.version`.execute(db);
  return rows[0]?.version;
}

export async function setPgbossSchemaAside(db: AnyDb): Promise<void> {
  await sql`alter schema pgboss rename to ${sql.id(ASIDE)}`.execute(db);
}

export async function hasAsideSchema(db: AnyDb): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select to_regnamespace(${ASIDE}) is not null as found`.execute(db);
  return rows[0]?.found === true;
}

/** The set-aside schema's tasks that had not finished, on our queues. */
export async function unfinishedAsideJobs(db: AnyDb): Promise<AsideJob[]> {
  const { rows } = await sql<AsideJob>`
    select id, name, data, priority, state::text as state, retry_limit, retry_delay, retry_backoff, start_after,
      extract(epoch from expire_in)::int as expire_seconds
    from ${sql.id(ASIDE, 'job')}
    where state in ('created', 'retry', 'active') and name in (${sql.join(QueueName.options)})`.execute(db);
  return rows;
}

export async function dropAsideSchema(db: AnyDb): Promise<void> {
  await sql`drop schema ${sql.id(ASIDE)} cascade`.execute(db);
}
