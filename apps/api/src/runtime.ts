import { join } from 'node:path';
import {
  createDatabase,
  type Database,
  type EmbeddedPostgresHandle,
  migrate,
  retryWhileUnreachable,
  startEmbeddedPostgres,
} from '@firstlight/db';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import { TokenCipher } from './accounts/index.ts';
import { type AppLogger, buildApp } from './app.ts';
import type { Config } from './config.ts';
import { startGoogle } from './google/google-runtime.ts';
import type { GoogleSettings } from './google/google-settings.ts';
import type { BackfillSettings } from './ingestion/backfill-deps.ts';
import { loadOrCreateLocalSecrets } from './lib/local-secrets.ts';
import { loggerOptions } from './lib/log-redaction.ts';
import { EventBus } from './realtime/event-bus.ts';
import { EmbeddedTaskQueue } from './tasks/embedded-queue.ts';
import type { TaskQueue } from './tasks/task-queue.ts';

/** What callers other than `main` vary; everything else comes from the configuration. */
export interface RuntimeOverrides {
  /** The process's logger (database, bus, queue, emulator lines). Default: the redacting logger at LOG_LEVEL. */
  log?: Logger;
  /** The app's request logger (default: the redacting logger at LOG_LEVEL, to stdout); false for none. */
  logger?: AppLogger;
  /**
   * A database the caller owns (a test's, migrated or deliberately not): used as is, never migrated nor closed.
   * Otherwise the runtime opens DATABASE_URL, or starts the embedded PostgreSQL in DATA_DIR/pg, and migrates.
   */
  database?: { url: string; db: Kysely<Database> };
  /** The pool the runtime opens itself. */
  pool?: { max?: number; applicationName?: string };
  /** Extra server settings of the embedded PostgreSQL (`fsync: 'off'` for a throwaway benchmark cluster). */
  embeddedPostgresSettings?: Record<string, string>;
  /**
   * Which task queue this instance works: by default the configured one (TASK_QUEUE: pg-boss in our PostgreSQL,
   * or Cloud Tasks); another adapter; or `false`, a web-only instance that records work and runs none of it
   * (app.ts: `webOnlyInstance`).
   */
  queue?: TaskQueue | false;
  /** The embedded queue's poll period (default 2 s); tests poll faster for tasks enqueued by another process. */
  queuePollingSeconds?: number;
  /** Backfill tunables on top of the configuration's (tests: small leases, fast stall detection). */
  backfillSettings?: Partial<BackfillSettings>;
  /** The WebSocket ping period (default 30 s). */
  heartbeatMs?: number;
}

export interface RunningRuntime {
  app: FastifyInstance;
  db: Kysely<Database>;
  databaseUrl: string;
  bus: EventBus;
  google: GoogleSettings;
  queue: TaskQueue | undefined;
  /** For the start banner: which Google and which task queue. */
  description: { google: string; tasks: string };
  /** Listens on HOST and PORT (or `port`; 0: a free one); resolves with the port bound. */
  listen(port?: number): Promise<number>;
}

export interface Runtime {
  /** Database → migrations → secrets → Google → event bus → queue → app, ready (its background work started). */
  start(): Promise<RunningRuntime>;
  /**
   * Stops what has started, in reverse: the app (no new requests, drained; its plugins stop the queue and
   * timers), the bus, the pool, the emulator, the embedded PostgreSQL last. Safe at any point of `start`.
   */
  close(): Promise<void>;
}

/** What `start` has started so far, each closed by `close` in the order of this list. */
interface Started {
  app?: FastifyInstance;
  bus?: EventBus;
  /** Undefined when the caller owns the database. */
  db?: Kysely<Database>;
  google?: { close(): Promise<void> };
  embedded?: EmbeddedPostgresHandle;
}

/**
 * The one assembly of the product, used by `main`, the tests, e2e and the benchmarks. Nothing starts until
 * `start()`, so a caller can hook its shutdown first (main registers its signal handler before PostgreSQL
 * starts, see main.ts).
 */
export function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Runtime {
  const log = overrides.log ?? pino(loggerOptions(config.logLevel));
  const started: Started = {};
  return {
    start: async () => {
      const { db, url } = await openDatabase(config, overrides, log, started);
      const secrets = await deploymentSecrets(config, log);
      const google = await startGoogle(config, config.host === '0.0.0.0' ? '127.0.0.1' : config.host);
      started.google = google;
      const bus = new EventBus(url, log);
      started.bus = bus;
      await untilReachable(url, log, () => bus.start());
      const queue = await taskQueue(config, overrides, url, log);
      const app = await buildApp({
        config,
        db,
        bus,
        google: google.settings,
        tokenCipher: new TokenCipher(secrets.tokenEncryptionKey),
        sessionSecret: secrets.sessionSecret,
        ...(queue ? { queue } : {}),
        ...(overrides.backfillSettings ? { backfillSettings: overrides.backfillSettings } : {}),
        ...(overrides.logger !== undefined ? { logger: overrides.logger } : {}),
        ...(overrides.heartbeatMs ? { heartbeatMs: overrides.heartbeatMs } : {}),
      });
      started.app = app;
      await app.ready();
      const description = { google: google.description, tasks: queue?.description ?? 'no task queue' };
      const listen = (port = config.port) => listenOn(app, config.host, port);
      return { app, db, databaseUrl: url, bus, google: google.settings, queue, description, listen };
    },
    close: async () => {
      const { app, bus, db, google, embedded } = started;
      for (const key of Object.keys(started)) delete started[key as keyof Started];
      await app?.close();
      await bus?.close();
      await db?.destroy();
      await google?.close();
      await embedded?.stop();
    },
  };
}

async function openDatabase(config: Config, overrides: RuntimeOverrides, log: Logger, started: Started) {
  if (overrides.database) return overrides.database;
  let url = config.databaseUrl;
  if (!url) {
    const dataDir = join(config.dataDir, 'pg');
    log.info({ dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    const embedded = await startEmbeddedPostgres({
      dataDir,
      onLog: (line) => log.debug({ postgres: line }),
      // Supervised: a server that dies is restarted on the same port; the API waits meanwhile.
      onWarn: (message) => log.warn(`embedded PostgreSQL: ${message}`),
      ...(overrides.embeddedPostgresSettings ? { settings: overrides.embeddedPostgresSettings } : {}),
    });
    started.embedded = embedded;
    url = embedded.url;
  }
  const db = createDatabase({
    connectionString: url,
    onConnectionError: (error) => log.warn({ err: error }, 'database connection lost'),
    ...overrides.pool,
  });
  started.db = db;
  // A database that is not up yet (or restarting) is waited for; bad credentials or a failing migration throw.
  const applied = await untilReachable(url, log, () => migrate(db));
  log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');
  return { db, url };
}

function untilReachable<T>(url: string, log: Logger, work: () => Promise<T>): Promise<T> {
  return retryWhileUnreachable(work, {
    onWait: (error, delayMs) =>
      log.warn(
        { err: { message: error.message, code: (error as { code?: string }).code } },
        `database unreachable (${redactedTarget(url)}): waiting for it, next try in ${delayMs} ms`,
      ),
  });
}

/** host:port/database of a connection string, without credentials, for log lines. */
function redactedTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** TOKEN_ENCRYPTION_KEY and SESSION_SECRET, or (local use) the ones generated once into DATA_DIR. */
async function deploymentSecrets(config: Config, log: Logger) {
  if (config.tokenEncryptionKey && config.sessionSecret) {
    return { tokenEncryptionKey: config.tokenEncryptionKey, sessionSecret: config.sessionSecret };
  }
  const local = await loadOrCreateLocalSecrets(config.dataDir);
  if (config.databaseUrl) {
    log.warn(
      'TOKEN_ENCRYPTION_KEY / SESSION_SECRET unset: using keys from DATA_DIR/secrets.json (one instance only)',
    );
  }
  return {
    tokenEncryptionKey: config.tokenEncryptionKey ?? Buffer.from(local.tokenEncryptionKey, 'base64'),
    sessionSecret: config.sessionSecret ?? local.sessionSecret,
  };
}

async function taskQueue(config: Config, overrides: RuntimeOverrides, url: string, log: Logger) {
  if (overrides.queue !== undefined) return overrides.queue || undefined;
  // The Cloud Tasks client (gRPC, ~0.4 s to load) only where it is used: a restart is that much sooner.
  if (config.tasks.mode === 'cloud-tasks') {
    return new (await import('./tasks/cloud-tasks-queue.ts')).CloudTasksQueue(config.tasks);
  }
  return new EmbeddedTaskQueue({
    connectionString: url,
    concurrency: config.tasks.workers,
    log,
    ...(overrides.queuePollingSeconds ? { pollingIntervalSeconds: overrides.queuePollingSeconds } : {}),
  });
}

async function listenOn(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
