import { join } from 'node:path';
import {
  createDatabase,
  type EmbeddedPostgresHandle,
  migrate,
  retryWhileUnreachable,
  startEmbeddedPostgres,
} from '@firstlight/db';
import exitHook from 'async-exit-hook';
import { pino } from 'pino';
import { TokenCipher } from './accounts/index.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { type GoogleRuntime, startGoogle } from './google/google-runtime.ts';
import { loadOrCreateLocalSecrets } from './lib/local-secrets.ts';
import { loggerOptions } from './lib/log-redaction.ts';
import { keepRunningOnUnhandledRejection } from './lib/process-policy.ts';
import { EventBus } from './realtime/event-bus.ts';
import { EmbeddedTaskQueue } from './tasks/embedded-queue.ts';

/**
 * Entry point: config → database (embedded unless DATABASE_URL) → migrations → Google (emulator in embedded
 * mode) → app → listen. Shutdown runs in reverse on SIGINT/SIGTERM: stop accepting, drain requests, close the
 * event bus and the pool, stop the emulator, stop postgres last.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino(loggerOptions(config.logLevel));
  keepRunningOnUnhandledRejection(log);

  let embedded: EmbeddedPostgresHandle | undefined;
  let google: GoogleRuntime | undefined;
  let bus: EventBus | undefined;
  let db: ReturnType<typeof createDatabase> | undefined;
  let closeApp: () => Promise<void> = async () => {};

  // Registered before postgres starts: async-exit-hook hooks signals on the first registration, and the
  // embedded launcher leaves hooks alone only in a process that has its own (see packages/db).
  exitHook.forceExitTimeout(20_000);
  exitHook((done) => {
    log.info('shutting down');
    closeApp()
      .then(() => bus?.close())
      .then(() => db?.destroy())
      .then(() => google?.close())
      .then(() => embedded?.stop())
      .catch((error) => log.error({ err: error }, 'error during shutdown'))
      .finally(() => {
        log.info('stopped');
        done();
      });
  });

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = join(config.dataDir, 'pg');
    log.info({ dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir,
      onLog: (line) => log.debug({ postgres: line }),
      // Supervised: a server that dies is restarted on the same port; the API waits meanwhile.
      onWarn: (message) => log.warn(`embedded PostgreSQL: ${message}`),
    });
    databaseUrl = embedded.url;
  }
  db = createDatabase({
    connectionString: databaseUrl,
    onConnectionError: (error) => log.warn({ err: error }, 'database connection lost'),
  });
  const database = db;
  // A database that is not up yet (or restarting) is waited for; bad credentials or a failing migration exit.
  const untilReachable = <T>(work: () => Promise<T>) =>
    retryWhileUnreachable(work, {
      onWait: (error, delayMs) =>
        log.warn(
          { err: { message: error.message, code: (error as { code?: string }).code } },
          `database unreachable (${redactedTarget(databaseUrl)}): waiting for it, next try in ${delayMs} ms`,
        ),
    });

  const applied = await untilReachable(() => migrate(database));
  log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

  const secrets =
    config.tokenEncryptionKey && config.sessionSecret
      ? { tokenEncryptionKey: config.tokenEncryptionKey, sessionSecret: config.sessionSecret }
      : await localSecrets(config, log);
  google = await startGoogle(config, config.host === '0.0.0.0' ? '127.0.0.1' : config.host);
  const events = new EventBus(databaseUrl, log);
  bus = events;
  await untilReachable(() => events.start());

  // The Cloud Tasks client (gRPC, ~0.4 s to load) only where it is used: a restart is that much sooner.
  const queue =
    config.tasks.mode === 'cloud-tasks'
      ? new (await import('./tasks/cloud-tasks-queue.ts')).CloudTasksQueue(config.tasks)
      : new EmbeddedTaskQueue({
          connectionString: databaseUrl,
          concurrency: config.tasks.workers,
          log,
        });
  const app = await buildApp({
    config,
    db,
    bus,
    queue,
    google: google.settings,
    tokenCipher: new TokenCipher(secrets.tokenEncryptionKey),
    sessionSecret: secrets.sessionSecret,
  });
  closeApp = () => app.close();
  await app.listen({ port: config.port, host: config.host });
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Where to open the app: PUBLIC_URL when set (sign-in only works on that origin), else this address.
  const openAt = process.env.PUBLIC_URL ? `${config.publicUrl}/` : `http://${shownHost}:${port}/`;
  log.info({ google: google.description, tasks: queue.description }, `Firstlight is ready at ${openAt}`);
  console.log(`\n  Firstlight is running: ${openAt}\n  ${google.description}\n  ${queue.description}\n`);
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

async function localSecrets(config: ReturnType<typeof loadConfig>, log: pino.Logger) {
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`firstlight: ${error.message}`);
  } else {
    console.error(
      'firstlight: failed to start:',
      error instanceof Error ? (error.stack ?? error.message) : error,
    );
  }
  process.exit(1);
});
