import type { Database } from '@firstlight/db';
import { createTestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import Fastify from 'fastify';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCapability, platformCapability } from '../src/capabilities.ts';
import { createRuntime } from '../src/runtime.ts';
import { signIn } from './support/sign-in.ts';
import { testConfig } from './support/test-config.ts';

const USER = 'runtime@example.com';

/** Whether `name` (schema-qualified or not) is a table of this database. */
const hasTable = async (db: Kysely<Database>, name: string) =>
  (await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(db)).rows[0]
    ?.found != null;

describe('the runtime (createRuntime) and its plugins', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 3,
      latency: 'none',
      autoApprove: true,
      accounts: [{ email: USER, mailboxSize: 120 }],
    });
  });
  afterAll(() => emulator?.close());

  it('refuses to boot a capability registered before what it declares it needs', async () => {
    const app = Fastify();
    await expect(app.register(authCapability).ready()).rejects.toThrow(/platform/);
    await app.close();
    const withPlatform = Fastify();
    withPlatform.decorate('db', undefined as never);
    // platform is there, background (worker or web-only) and session are not.
    await withPlatform.register(platformCapability, {
      bus: undefined as never,
      google: undefined as never,
      tokenCipher: undefined as never,
    });
    await expect(withPlatform.register(authCapability).ready()).rejects.toThrow(/background/);
    await withPlatform.close();
  });

  it('migrates a database it opens itself (DATABASE_URL), and closes its pool on close', async () => {
    const database = await createTestDatabase({ migrated: false });
    try {
      expect(await hasTable(database.db, 'ingestion_jobs')).toBe(false);
      const runtime = createRuntime(testConfig(emulator.url, { databaseUrl: database.url }), {
        logger: false,
        queue: false,
      });
      const running = await runtime.start();
      expect(await hasTable(running.db, 'ingestion_jobs')).toBe(true);
      await runtime.close();
      await expect(sql`select 1`.execute(running.db)).rejects.toThrow();
    } finally {
      await database.drop();
    }
  });

  it('a web-only instance records the job of a sign-in and runs none of it; a database it was given stays open', async () => {
    const database = await createTestDatabase();
    try {
      const runtime = createRuntime(testConfig(emulator.url), { database, logger: false, queue: false });
      const { app, queue } = await runtime.start();
      expect(queue).toBeUndefined();
      await signIn(app, USER);
      const job = await database.db
        .selectFrom('ingestion_jobs')
        .select(['status', 'ingested', 'total'])
        .executeTakeFirstOrThrow();
      // The first page is stored by the callback itself; the rest waits for a worker instance.
      expect(job).toEqual({ status: 'pending', ingested: 50, total: 120 });
      expect(await hasTable(database.db, 'pgboss.job')).toBe(false);
      await runtime.close();
      expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.drop();
    }
  });
});
