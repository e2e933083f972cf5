import { randomBytes } from 'node:crypto';
import type { Database } from '@firstlight/db';
import { createTestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, type QuotaUpdate, startEmulator } from '@firstlight/google-emulator';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { type Config, type QuotaConfig, withQuotaOfBackfill } from '../../src/config.ts';
import type { BackfillSettings } from '../../src/ingestion/backfill-deps.ts';
import { type AppOnDatabase, buildAppOnDatabase } from './backfill-app.ts';
import { backfillConfig, mailboxIds, waitFor } from './backfill-harness.ts';
import { testConfig } from './test-config.ts';

/* Several whole API instances of one deployment on one database (backfill-spread, project-quota-apps). */

export type Defer = (cleanup: () => Promise<unknown>) => void;

export interface DeploymentOptions {
  workers: Record<string, number>;
  quota?: Partial<Config['backfill']>;
  settings?: Partial<BackfillSettings>;
  /**
   * The quota scheduler's settings on top of those `withQuotaOfBackfill` derives from `quota` (the per-user
   * figures and the window): the project's limit, the scheduler, the reserve.
   */
  scheduler?: (derived: QuotaConfig) => QuotaConfig;
}

/** `count` instances of one deployment on one new database (the same secrets, as a deployment's instances). */
export async function deployment(
  defer: Defer,
  emulator: EmulatorHandle,
  count: number,
  options: DeploymentOptions,
) {
  const database = await createTestDatabase();
  defer(() => database.drop());
  const backfill = backfillConfig(options.quota);
  const overrides: Partial<Config> = {
    backfill,
    tasks: { mode: 'embedded', workers: options.workers } satisfies Config['tasks'],
  };
  if (options.scheduler) {
    const derived = withQuotaOfBackfill(testConfig(emulator.url, { backfill })).quota;
    overrides.quota = options.scheduler(derived);
  }
  const shared = {
    databaseUrl: database.url,
    emulatorUrl: emulator.url,
    tokenKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64url'),
    overrides,
    ...(options.settings ? { backfillSettings: options.settings } : {}),
  };
  const instances: AppOnDatabase[] = [];
  for (let i = 0; i < count; i++) {
    const instance = await buildAppOnDatabase(shared);
    defer(() => instance.close());
    instances.push(instance);
  }
  return { db: database.db, instances };
}

/** Every user's job complete (fails at once on a paused or failed one, or when `check` throws). */
export async function allComplete(
  db: Kysely<Database>,
  users: number,
  timeoutMs: number,
  check?: () => void,
) {
  await waitFor(
    async () => {
      check?.();
      const jobs = await db
        .selectFrom('ingestion_jobs')
        .selectAll()
        .where('kind', '=', 'gmail_backfill')
        .execute();
      const broken = jobs.find((job) => job.status === 'paused' || job.status === 'failed');
      if (broken) throw new Error(`a job is ${broken.status}: ${broken.last_error}`);
      return jobs.length === users && jobs.every((job) => job.status === 'complete') ? true : undefined;
    },
    timeoutMs,
    'every backfill to complete',
  );
}

/** Each user's stored mail is exactly its mailbox, counted once; every batch is done with all of its messages. */
export async function expectEachStoredExactlyOnce(
  db: Kysely<Database>,
  emulator: EmulatorHandle,
  emails: string[],
) {
  for (const email of emails) {
    const expected = await mailboxIds(emulator, email);
    const user = await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const stored = await db
      .selectFrom('emails')
      .select('message_id')
      .where('user_id', '=', user.id)
      .execute();
    expect(stored).toHaveLength(expected.length);
    expect(new Set(stored.map((row) => row.message_id))).toEqual(new Set(expected));
    const job = await db
      .selectFrom('ingestion_jobs')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect({ ingested: job.ingested, total: job.total, failed: job.failed }).toEqual({
      ingested: expected.length,
      total: expected.length,
      failed: 0,
    });
  }
  const batches = await db.selectFrom('ingestion_batches').selectAll().execute();
  for (const batch of batches) {
    expect({ status: batch.status, stored: batch.stored_count }).toEqual({
      status: 'done',
      stored: batch.message_count,
    });
  }
  return batches;
}

/** One emulator for these users (mailboxes of `mailboxSize`), with this quota (e.g. the tests' scaled clock). */
export async function emulatorFor(
  defer: Defer,
  seed: number,
  emails: string[],
  mailboxSize: number,
  quota: QuotaUpdate,
) {
  const emulator = await startEmulator({
    port: 0,
    seed,
    latency: 'none',
    autoApprove: true,
    quota,
    accounts: emails.map((email) => ({ email, mailboxSize })),
  });
  defer(() => emulator.close());
  return emulator;
}
