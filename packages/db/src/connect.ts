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
  /**
   * Where connection errors outside a query go (a dropped idle connection, a server restart). Called at most
   * once per distinct error per `ERROR_REPEAT_MS`, so an outage logs a few lines, not one per connection.
   * Default: console.warn.
   */
  onConnectionError?: (error: Error) => void;
}

const ERROR_REPEAT_MS = 60_000;

export function createPool(options: ConnectOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'firstlight',
  });
  const report = onceIn(ERROR_REPEAT_MS, (error: Error) => {
    if (options.onConnectionError) options.onConnectionError(error);
    else console.warn(`postgres pool: connection error: ${error.message}`);
  });
  // An idle client's connection can end under us (server restart, failover, shutdown order): pg emits that on
  // the pool, and an unheard 'error' event would kill the process. The pool drops the client; queries that
  // need one open a new connection.
  pool.on('error', (error) => {
    // 57P01: the server is shutting down (pg_ctl stop, our own shutdown order) — expected, not worth a line.
    if ((error as { code?: string }).code !== '57P01') report(error);
  });
  // pg-pool listens for errors only while a client is idle in the pool. A checked-out client (Kysely holds one
  // for a whole transaction, between its statements) whose server goes away emits 'error' with nobody
  // listening: an uncaught exception. The statement in progress or the next one fails and reports it; this
  // listener only keeps the event from ending the process, and the pool discards the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

export function createDatabase(options: ConnectOptions): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(options) }) });
}

/** SQLSTATE classes and socket errors that mean "the server is not reachable now", not "the request is wrong". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
]);

/**
 * True when `error` says the database cannot be reached at the moment (connection refused or lost, server
 * starting or shutting down): worth waiting for. An authentication failure or a missing database is not.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true; // 08: connection_exception
  // pg reports a connection that ended under it without a code.
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

export interface WaitOptions {
  /** Called before each wait, with the error and the delay. */
  onWait?: (error: Error, delayMs: number, attempt: number) => void;
  /** Backoff bounds (default 250 ms doubling to 5 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs `work` until it succeeds, waiting with backoff while the database is unreachable; any other error (bad
 * credentials, a failing migration) is thrown at once. For start-up: an API started before its database, or
 * during a restart of it, waits instead of exiting.
 */
export async function retryWhileUnreachable<T>(
  work: () => Promise<T>,
  options: WaitOptions = {},
): Promise<T> {
  const min = options.minDelayMs ?? 250;
  const max = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnreachable(error) || options.signal?.aborted) throw error;
      const delay = Math.min(max, min * 2 ** (attempt - 1));
      options.onWait?.(error as Error, delay, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Wraps `report` so each distinct message passes at most once per `intervalMs`. */
function onceIn(intervalMs: number, report: (error: Error) => void): (error: Error) => void {
  const last = new Map<string, number>();
  return (error) => {
    const key = `${(error as { code?: string }).code ?? ''}:${error.message}`;
    const now = Date.now();
    if (now - (last.get(key) ?? Number.NEGATIVE_INFINITY) < intervalMs) return;
    if (last.size > 100) last.clear();
    last.set(key, now);
    report(error);
  };
}
