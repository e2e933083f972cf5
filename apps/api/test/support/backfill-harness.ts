import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Database } from '@firstlight/db';
import { createTestDatabase } from '@firstlight/db/testing';
import type { EmulatorHandle } from '@firstlight/google-emulator';
import { auth, gmail } from '@googleapis/gmail';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { expect, type TestContext } from 'vitest';
import type { Config } from '../../src/config.ts';
import type { AppOnDatabaseOptions } from './backfill-app.ts';
import { cookiesFrom, type SignedIn, signIn } from './sign-in.ts';

// Google's per-user quota (6,000 units a minute) on a 100×-faster clock: the pacer and the emulator agree.
export const WINDOW_MS = 600;

export function backfillConfig(overrides: Partial<Config['backfill']> = {}): Config['backfill'] {
  return {
    quotaUnits: 6_000,
    quotaWindowMs: WINDOW_MS,
    quotaUtilisation: 0.95,
    maxConcurrent: 4,
    stallAfterMs: 600_000,
    reconcileEveryMs: 60_000,
    // Short leases on the scaled clock: a dead worker's batch moves on soon (its owner check finds it sooner).
    leaseMs: 3_000,
    leaseRenewEveryMs: 500,
    syncEveryMs: 60_000,
    calendarSyncEveryMs: 300_000,
    writebackAttempts: 8,
    ...overrides,
  };
}

/** What a test started, closed when it finishes (last started, first closed), passed or failed. */
export function cleanupsOf(context: TestContext): (cleanup: () => Promise<unknown>) => void {
  const started: (() => Promise<unknown>)[] = [];
  context.onTestFinished(async () => {
    for (const cleanup of started.reverse()) await cleanup().catch(() => {});
  });
  return (cleanup) => started.push(cleanup);
}

/**
 * A new database, dropped when the test ends, and the deployment of instances on it against `emulator`: the
 * secrets every instance of one deployment shares, and `extra` (overrides, backfill settings).
 */
export async function newDeployment(
  defer: (cleanup: () => Promise<unknown>) => void,
  emulator: EmulatorHandle,
  extra: Partial<AppOnDatabaseOptions> = {},
) {
  const database = await createTestDatabase();
  defer(() => database.drop());
  const deployment: AppOnDatabaseOptions = {
    databaseUrl: database.url,
    emulatorUrl: emulator.url,
    tokenKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64url'),
    ...extra,
  };
  return { database, deployment };
}

/**
 * Every id the mailbox holds, through the real client, paged by 500 (the oracle). messages.list leaves out
 * spam and trash (includeSpamTrash=false), as the product's inbox does. Call it with no faults injected.
 */
export async function mailboxIds(emulator: EmulatorHandle, email: string): Promise<string[]> {
  const oauth = new auth.OAuth2();
  oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
  const api = gmail({ version: 'v1', auth: oauth, rootUrl: `${emulator.url}/` });
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500, pageToken });
    ids.push(...(data.messages ?? []).map((message) => message.id!));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return ids;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const theJob = (db: Kysely<Database>) =>
  db.selectFrom('ingestion_jobs').selectAll().where('kind', '=', 'gmail_backfill').executeTakeFirst();

/** Waits for the job to reach `status`; fails at once if it reaches one of `failOn` instead. */
export async function jobInStatus(
  db: Kysely<Database>,
  status: string,
  timeoutMs: number,
  failOn: string[] = status === 'complete' ? ['paused', 'failed'] : ['complete', 'failed'],
) {
  return waitFor(
    async () => {
      const job = await theJob(db);
      if (job && failOn.includes(job.status))
        throw new Error(`the job is ${job.status} (${job.last_error}) while waiting for ${status}`);
      return job?.status === status ? job : undefined;
    },
    timeoutMs,
    `the job to be ${status}`,
  );
}

/**
 * What every finished backfill must satisfy, however it got there: the stored mail is exactly the oracle's,
 * the job counted each message once (`ingested` moves only when a batch turns done, so a batch counted twice
 * shows up here), and every batch is done with all of its messages stored.
 */
export async function expectMailboxStoredExactlyOnce(db: Kysely<Database>, expected: string[]) {
  const stored = await db.selectFrom('emails').select('message_id').execute();
  expect(stored).toHaveLength(expected.length);
  expect(new Set(stored.map((row) => row.message_id))).toEqual(new Set(expected));

  const job = await theJob(db);
  expect(job?.status).toBe('complete');
  expect(job?.total).toBe(expected.length);
  expect(job?.ingested).toBe(expected.length);
  expect(job?.failed).toBe(0);

  const batches = await db.selectFrom('ingestion_batches').selectAll().orderBy('seq').execute();
  expect(batches.length).toBeGreaterThan(0);
  for (const batch of batches) {
    expect({ seq: batch.seq, status: batch.status, stored: batch.stored_count }).toEqual({
      seq: batch.seq,
      status: 'done',
      stored: batch.message_count,
    });
  }
  // The first page (stored at sign-in) plus the batches cover the mailbox exactly once.
  const batched = batches.flatMap((batch) => batch.message_ids);
  expect(new Set(batched).size).toBe(batched.length);
  expect(batched.length + (job?.first_page_ids.length ?? 0)).toBe(expected.length);
  return { job: job!, batches };
}

/** Requests the emulator received whose path starts with `prefix` (observed on its HTTP server, not counted by it). */
export function countRequests(emulator: EmulatorHandle, prefix: string) {
  let count = 0;
  const listener = (request: IncomingMessage) => {
    if (request.url?.startsWith(prefix)) count++;
  };
  emulator.app.server.on('request', listener);
  return {
    get count() {
      return count;
    },
    stop: () => emulator.app.server.off('request', listener),
  };
}

/**
 * Signs in, and when the product asks for consent again (Google sent no refresh token) follows its redirect to
 * `/auth/google?consent=1` as a browser would.
 */
export async function signInFollowingConsent(app: FastifyInstance, email: string): Promise<SignedIn> {
  const first = await signIn(app, email);
  if (!first.location.startsWith('/auth/google')) return first;
  const start = await app.inject({ method: 'GET', url: first.location });
  if (start.statusCode !== 302) throw new Error(`${first.location} answered ${start.statusCode}`);
  const consent = await fetch(start.headers.location!, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location')!);
  const response = await app.inject({
    method: 'GET',
    url: `${callback.pathname}${callback.search}`,
    headers: { cookie: cookiesFrom(start.headers['set-cookie']) },
  });
  if (response.statusCode !== 302)
    throw new Error(`callback answered ${response.statusCode}: ${response.body}`);
  return {
    cookie: cookiesFrom(response.headers['set-cookie']),
    location: response.headers.location!,
    callbackReturnedAt: performance.now(),
  };
}

const WORKER = fileURLToPath(new URL('./backfill-crash-worker.ts', import.meta.url));

/**
 * Starts the crash worker (another API process) and resolves once it has signed the user in (without `email`:
 * once it is ready, a restarted instance).
 */
export async function startCrashWorker(options: AppOnDatabaseOptions & { email?: string }) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, FIRSTLIGHT_CRASH_WORKER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('signed-in')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the crash worker exited (${code ?? signal}) before signing in:\n${output}`)),
    );
  });
  return {
    child,
    /** SIGKILL: no shutdown hook runs, nothing is released. */
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The running batch and how many of its messages are stored. */
export async function runningBatch(db: Kysely<Database>) {
  const batch = await db
    .selectFrom('ingestion_batches')
    .selectAll()
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (!batch) return undefined;
  const stored = await db
    .selectFrom('emails')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('message_id', '=', sql<string>`any(${batch.message_ids}::text[])`)
    .executeTakeFirstOrThrow();
  return { batch, stored: stored.n };
}
