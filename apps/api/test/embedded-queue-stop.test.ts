import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import type { TaskContext, TaskDispatcher } from '../src/tasks/task-queue.ts';
import { task, until } from './support/queue-fixtures.ts';

describe('embedded task queue stop', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('aborts a running task on stop; the task handed back is delivered again at once after a restart, not after its backoff', async () => {
    const errors: string[] = [];
    const log = { warn: () => {}, error: (_object: object, message: string) => errors.push(message) };
    const deliveries: TaskContext[] = [];
    // Blocks until its signal aborts, then hands the task back, as the ingest handlers do on shutdown.
    const blocking: TaskDispatcher = async (_kind, _payload, context) => {
      deliveries.push(context);
      await new Promise<void>((resolve) => {
        if (context.signal?.aborted) resolve();
        context.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      return { outcome: 'retry', reason: 'shutting down' };
    };
    // A failure's backoff would be at least a minute: only a hand back is due within the test's timeout.
    const options = {
      connectionString: database.url,
      concurrency: { 'ingest-high': 1, 'ingest-low': 1, writeback: 1 },
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 60,
      log,
    };
    const name = `stop-${randomUUID()}`;
    const first = new EmbeddedTaskQueue(options);
    await first.start(blocking);
    await first.enqueue(task(name));
    await until(() => deliveries.length === 1);
    await first.stop();
    expect(deliveries[0]!.signal?.aborted).toBe(true);

    const { rows } = await sql<{ state: string; due: boolean; output: { handedBack?: boolean } }>`
      select state, start_after <= now() as due, output from pgboss.job where data->>'name' = ${name}`.execute(
      database.db,
    );
    // Handed back by our handler (not failed by pg-boss past its grace), and due now.
    expect(rows).toEqual([
      { state: 'retry', due: true, output: expect.objectContaining({ handedBack: true }) },
    ]);

    const done: string[] = [];
    const second = new EmbeddedTaskQueue(options);
    await second.start(async (_kind, _payload, context) => {
      deliveries.push(context);
      done.push(context.name);
      return { outcome: 'done' };
    });
    try {
      await until(() => done.includes(name));
    } finally {
      await second.stop();
    }
    expect(deliveries.map((delivery) => delivery.name)).toEqual([name, name]);
    expect(errors).toEqual([]);
  });
});
