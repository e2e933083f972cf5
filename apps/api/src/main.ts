import exitHook from 'async-exit-hook';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { loggerOptions } from './lib/log-redaction.ts';
import { keepRunningOnUnhandledRejection } from './lib/process-policy.ts';
import { createRuntime } from './runtime.ts';

/**
 * Entry point: config → the runtime (database, embedded unless DATABASE_URL → migrations → Google, the emulator
 * in embedded mode → app) → listen. Shutdown runs in reverse on SIGINT/SIGTERM: stop accepting, drain requests,
 * close the event bus and the pool, stop the emulator, stop postgres last (runtime.ts).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino(loggerOptions(config.logLevel));
  keepRunningOnUnhandledRejection(log);
  const runtime = createRuntime(config, { log });

  // Registered before postgres starts: async-exit-hook hooks signals on the first registration, and the
  // embedded launcher leaves hooks alone only in a process that has its own (see packages/db).
  exitHook.forceExitTimeout(20_000);
  exitHook((done) => {
    log.info('shutting down');
    runtime
      .close()
      .catch((error) => log.error({ err: error }, 'error during shutdown'))
      .finally(() => {
        log.info('stopped');
        done();
      });
  });

  const running = await runtime.start();
  const port = await running.listen();
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // Where to open the app: PUBLIC_URL when set (sign-in only works on that origin), else this address.
  const openAt = process.env.PUBLIC_URL ? `${config.publicUrl}/` : `http://${shownHost}:${port}/`;
  const { google, tasks } = running.description;
  log.info({ google, tasks }, `Firstlight is ready at ${openAt}`);
  console.log(`\n  Firstlight is running: ${openAt}\n  ${google}\n  ${tasks}\n`);
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
