import { randomUUID } from 'node:crypto';
import { type CloudTasksEmulator, startCloudTasksEmulator } from '@firstlight/cloud-tasks-emulator';
import { type TaskKind, TaskPayloads } from '@firstlight/contracts';
import { freePort } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTasksQueue } from '../src/tasks/cloud-tasks-queue.ts';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import { OidcVerifier } from '../src/tasks/oidc-verifier.ts';
import type { TaskDispatcher, TaskQueue } from '../src/tasks/task-queue.ts';
import { taskRoutes } from '../src/tasks/task-routes.ts';
import { cloudTasksSettings, until } from './support/queue-fixtures.ts';

const QUEUES = ['ingest-high', 'ingest-low', 'writeback'].map(
  (q) => `projects/dev/locations/here/queues/${q}`,
);

/** A task as the deployment before the rename created it: same payload, the old kind. */
const oldTask = (kind: string, name: string) => ({
  kind: kind as TaskKind,
  queue: 'ingest-low' as const,
  name,
  payload: { jobId: randomUUID(), seq: 1, generation: 0 },
});

/** Records the kinds handed to the handlers, and checks each payload against its (new) kind's contract. */
function recorder() {
  const kinds: TaskKind[] = [];
  const dispatch: TaskDispatcher = async (kind, payload) => {
    TaskPayloads[kind].parse(payload);
    kinds.push(kind);
    return { outcome: 'done' };
  };
  return { kinds, dispatch };
}

/** Enqueues one old-named batch task and waits for the handler to get it; the kind it got. */
async function deliverOld(
  queue: TaskQueue,
  kinds: TaskKind[],
  stop: () => Promise<void>,
): Promise<TaskKind[]> {
  try {
    await queue.enqueue(oldTask('gmail-batch', `old-${randomUUID()}`));
    await until(() => kinds.length === 1);
    return kinds;
  } finally {
    await stop();
  }
}

describe('tasks queued under the old gmail-* kinds during a deploy', () => {
  let database: TestDatabase;
  let cloudTasks: CloudTasksEmulator;

  beforeAll(async () => {
    database = await createTestDatabase();
    cloudTasks = await startCloudTasksEmulator({ port: 0, httpPort: 0, queues: QUEUES });
  });
  afterAll(async () => {
    await cloudTasks?.close();
    await database?.drop();
  });

  it('are handled as their new mail-* kind by the embedded queue', async () => {
    const { kinds, dispatch } = recorder();
    const queue = new EmbeddedTaskQueue({ connectionString: database.url, pollingIntervalSeconds: 0.5 });
    await queue.start(dispatch);
    expect(await deliverOld(queue, kinds, () => queue.stop())).toEqual(['mail-batch']);
  });

  it('are handled as their new mail-* kind from Cloud Tasks (POST /tasks/gmail-batch)', async () => {
    const port = await freePort();
    const tasks = cloudTasksSettings(cloudTasks, port);
    const { kinds, dispatch } = recorder();
    const app = Fastify();
    const verifier = new OidcVerifier({
      audience: tasks.audience,
      serviceAccount: tasks.serviceAccount,
      certsUrl: tasks.certsUrl,
    });
    await app.register(taskRoutes, { dispatch, verifier });
    await app.listen({ port, host: '127.0.0.1' });
    const queue = new CloudTasksQueue(tasks);
    const stop = async () => {
      await queue.stop();
      await app.close();
    };
    expect(await deliverOld(queue, kinds, stop)).toEqual(['mail-batch']);
  });
});
