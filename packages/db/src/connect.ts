import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// int8 (bigint, count(*)) as a JS number: our int8 columns (durations, outbox ids, counts) stay far below 2^53.
// numeric (Gmail historyIds) stays a string so a 64-bit id is never rounded.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// timestamp without time zone stays the wall-clock text Postgres sent: converting it to a Date would
// silently apply the server's zone to a value that has none.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (value) => value);

export interface ConnectOptions {
  connectionString: string;
  /** Pool size; the API needs a handful, tests one or two. */
  max?: number;
  applicationName?: string;
}

export function createPool(options: ConnectOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'firstlight',
  });
  // An idle client's connection can end under us (server restart, failover, shutdown order): pg emits that on
  // the pool, and an unheard 'error' event would kill the process. The pool drops the client; queries that
  // need one open a new connection.
  pool.on('error', (error) => {
    if ((error as { code?: string }).code !== '57P01')
      console.error('postgres pool: idle client error:', error.message);
  });
  return pool;
}

export function createDatabase(options: ConnectOptions): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}
