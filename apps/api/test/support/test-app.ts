import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.ts';
import type { GoogleSettings } from '../../src/google/google-settings.ts';
import type { EventBus } from '../../src/realtime/event-bus.ts';
import { createRuntime, type RuntimeOverrides } from '../../src/runtime.ts';
import type { TaskQueue } from '../../src/tasks/task-queue.ts';
import { testConfig } from './test-config.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  bus: EventBus;
  google: GoogleSettings;
  /** Closes the app and the bus, then drops the file's database. */
  close(): Promise<void>;
}

export { TEST_REDIRECT_URI } from './test-config.ts';

/**
 * The real app (the product's runtime) on a fresh database of its own. `emulatorUrl` points it at a running
 * Google emulator; without one, Google calls go to an address that refuses connections (fine for tests that
 * never sign in). Without `embeddedQueue` or `queue` it is a web-only instance: jobs are only recorded.
 */
export async function buildTestApp(
  options: {
    overrides?: Partial<Config>;
    migrated?: boolean;
    emulatorUrl?: string;
    heartbeatMs?: number;
    /** Run the real backfill on the embedded queue (pg-boss in the test's database). */
    embeddedQueue?: boolean;
    /** Any other task queue (the Cloud Tasks adapter against its stand-in). */
    queue?: TaskQueue;
    backfillSettings?: RuntimeOverrides['backfillSettings'];
    /** The app's own (redacting) logger at this level, into this stream: tests that read the logs. */
    logger?: RuntimeOverrides['logger'];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase({ migrated: options.migrated ?? true });
  const config = testConfig(options.emulatorUrl ?? 'http://127.0.0.1:9/', options.overrides);
  const runtime = createRuntime(config, {
    database,
    logger: options.logger ?? false,
    queue: options.queue ?? (options.embeddedQueue ? undefined : false),
    queuePollingSeconds: 0.5,
    ...(options.backfillSettings ? { backfillSettings: options.backfillSettings } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  const running = await runtime.start().catch(async (error: unknown) => {
    await runtime.close();
    await database.drop();
    throw error;
  });
  return {
    app: running.app,
    database,
    bus: running.bus,
    google: running.google,
    close: async () => {
      await runtime.close();
      await database.drop();
    },
  };
}
