import { randomUUID } from 'node:crypto';
import { type CloudTasksEmulator, startCloudTasksEmulator } from '@firstlight/cloud-tasks-emulator';
import { freePort } from '@firstlight/db';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTasksQueue } from '../src/tasks/cloud-tasks-queue.ts';
import { OidcVerifier } from '../src/tasks/oidc-verifier.ts';
import type { TaskContext } from '../src/tasks/task-queue.ts';
import { taskRoutes } from '../src/tasks/task-routes.ts';
import { cloudTasksSettings } from './support/queue-fixtures.ts';

const QUEUES = ['ingest-high', 'ingest-low', 'writeback'].map(
  (q) => `projects/dev/locations/here/queues/${q}`,
);

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('Cloud Tasks routes on close', () => {
  let cloudTasks: CloudTasksEmulator;

  beforeAll(async () => {
    cloudTasks = await startCloudTasksEmulator({ port: 0, httpPort: 0, queues: QUEUES });
  });
  afterAll(() => cloudTasks?.close());

  it('aborts the signal of a task in flight when the app closes, so the close does not wait for the task', async () => {
    const port = await freePort();
    const tasks = cloudTasksSettings(cloudTasks, port);
    const delivered: TaskContext[] = [];
    const answered: string[] = [];
    const app = Fastify();
    // The task runs until its signal aborts, then hands its work back, as the ingest handlers do on shutdown.
    await app.register(taskRoutes, {
      dispatch: async (_kind, _payload, context) => {
        delivered.push(context);
        await new Promise<void>((resolve) => context.signal?.addEventListener('abort', () => resolve()));
        answered.push(context.name);
        return { outcome: 'retry', reason: 'shutting down' };
      },
      verifier: new OidcVerifier({
        audience: tasks.audience,
        serviceAccount: tasks.serviceAccount,
        certsUrl: tasks.certsUrl,
        issuers: tasks.issuers,
      }),
    });
    await app.listen({ port, host: '127.0.0.1' });
    const queue = new CloudTasksQueue(tasks);
    try {
      await queue.enqueue({
        kind: 'mail-batch',
        queue: 'ingest-low',
        name: `close-${randomUUID()}`,
        payload: { jobId: randomUUID(), seq: 1, generation: 0 },
      });
      await until(() => delivered.length === 1);
      expect(delivered[0]!.signal?.aborted).toBe(false);
      // Without the abort, close would wait for a request that never ends.
      await app.close();
      expect(answered).toHaveLength(1);
    } finally {
      await queue.stop();
    }
  });
});
