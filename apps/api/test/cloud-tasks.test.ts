import { type CloudTasksEmulator, startCloudTasksEmulator } from '@firstlight/cloud-tasks-emulator';
import { freePort } from '@firstlight/db';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { gmail } from '@googleapis/gmail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { CloudTasksQueue } from '../src/tasks/cloud-tasks-queue.ts';
import { signIn } from './support/sign-in.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const USER = 'tasks@example.com';
const SERVICE_ACCOUNT = 'firstlight-tasks@dev.iam.gserviceaccount.com';
const QUEUES = ['ingest-high', 'ingest-low', 'writeback'].map(
  (q) => `projects/dev/locations/here/queues/${q}`,
);
const WINDOW_MS = 600;

describe('backfill through Cloud Tasks (real client, gRPC stand-in)', () => {
  let google: EmulatorHandle;
  let cloudTasks: CloudTasksEmulator;
  let test: TestApp;
  let appUrl: string;

  beforeAll(async () => {
    google = await startEmulator({
      port: 0,
      seed: 5,
      latency: 'none',
      autoApprove: true,
      quota: { windowMs: WINDOW_MS },
      accounts: [{ email: USER, mailboxSize: 4_000 }],
    });
    cloudTasks = await startCloudTasksEmulator({
      port: 0,
      httpPort: 0,
      queues: QUEUES,
      defaults: { retryConfig: { minBackoffSeconds: 0.1, maxBackoffSeconds: 2 } },
    });
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    const base = loadConfig({
      LOG_LEVEL: 'silent',
      TASK_QUEUE: 'cloud-tasks',
      CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${cloudTasks.port}`,
      TASKS_TARGET_URL: appUrl,
      TASKS_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
      TASKS_OIDC_CERTS_URL: cloudTasks.certsUrl,
      GMAIL_QUOTA_WINDOW_MS: String(WINDOW_MS),
    });
    test = await buildTestApp({
      emulatorUrl: google.url,
      overrides: { tasks: base.tasks, backfill: base.backfill },
      queue: new CloudTasksQueue(base.tasks as Extract<typeof base.tasks, { mode: 'cloud-tasks' }>),
    });
    await test.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
    await cloudTasks?.close();
    await google?.close();
  });

  it('completes the job with exactly the mailbox, every task delivered with a verified OIDC token', async () => {
    await signIn(test.app, USER);
    const { db } = test.database;
    const deadline = Date.now() + 90_000;
    let status = '';
    while (status !== 'complete') {
      if (Date.now() > deadline) throw new Error(`job still ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await db.selectFrom('ingestion_jobs').select('status').executeTakeFirst())?.status ?? '';
    }
    const oauth = new (await import('@googleapis/gmail')).auth.OAuth2();
    oauth.setCredentials({ access_token: await google.admin.issueAccessToken(USER) });
    const api = gmail({ version: 'v1', auth: oauth, rootUrl: `${google.url}/` });
    const expected: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500, pageToken });
      expected.push(...(data.messages ?? []).map((m) => m.id!));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    const stored = await db.selectFrom('emails').select('message_id').execute();
    expect(new Set(stored.map((row) => row.message_id))).toEqual(new Set(expected));
    expect(stored).toHaveLength(expected.length);
    const batches = await db.selectFrom('ingestion_batches').select(['status', 'tier']).execute();
    expect(batches.every((batch) => batch.status === 'done')).toBe(true);

    // The tasks went through the stand-in's queues: high for the lister and the first batch, low for the rest —
    // and the sign-in's calendar sync, on low too (it may still be running when the mail is in).
    const stats = cloudTasks.admin.stats();
    const byQueue = Object.fromEntries(Object.entries(stats).map(([name, s]) => [name.split('/').pop(), s]));
    expect(byQueue['ingest-high']?.succeeded).toBeGreaterThanOrEqual(2);
    const lowBatches = batches.filter((batch) => batch.tier === 'low').length;
    expect(byQueue['ingest-low']?.succeeded).toBeGreaterThanOrEqual(lowBatches);
    expect(byQueue['ingest-low']?.succeeded).toBeLessThanOrEqual(lowBatches + 1);
  }, 120_000);

  it('refuses a forged /tasks call (no token, or a token it cannot verify) with 401 and does nothing', async () => {
    const before = await test.database.db
      .selectFrom('ingestion_batches')
      .select(['seq', 'attempts'])
      .execute();
    const payload = JSON.stringify({ jobId: '00000000-0000-4000-8000-000000000000', seq: 0, generation: 0 });
    const none = await fetch(`${appUrl}/tasks/gmail-batch`, { method: 'POST', body: payload });
    expect(none.status).toBe(401);
    const forged = await fetch(`${appUrl}/tasks/gmail-batch`, {
      method: 'POST',
      body: payload,
      headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6Im1lIn0.c2ln' },
    });
    expect(forged.status).toBe(401);
    const after = await test.database.db
      .selectFrom('ingestion_batches')
      .select(['seq', 'attempts'])
      .execute();
    expect(after).toEqual(before);
  });

  it('refuses a duplicate task name, as Cloud Tasks does', async () => {
    const queue = new CloudTasksQueue(test.app.config.tasks as never);
    const task = {
      kind: 'mail-sync' as const,
      queue: 'writeback' as const,
      name: 'duplicate-check-1',
      payload: { accountId: '00000000-0000-4000-8000-000000000000', slot: 1 },
      delayMs: 3_600_000,
    };
    expect(await queue.enqueue(task)).toEqual({ accepted: true });
    expect(await queue.enqueue(task)).toEqual({ accepted: false });
    await queue.stop();
  });
});
