import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import type { TaskDispatcher } from '../src/tasks/task-queue.ts';
import { task, until } from './support/queue-fixtures.ts';

/** A dispatcher whose tasks run until released, recording how many run at once. */
function gatedDispatcher() {
  const started: string[] = [];
  const waiting = new Map<string, () => void>();
  let running = 0;
  let mostAtOnce = 0;
  const dispatch: TaskDispatcher = async (_kind, _payload, context) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    started.push(context.name);
    await new Promise<void>((resolve) => waiting.set(context.name, resolve));
    running--;
    return { outcome: 'done' };
  };
  return {
    dispatch,
    started,
    mostAtOnce: () => mostAtOnce,
    release: (name: string) => waiting.get(name)?.(),
    releaseAll: () => {
      for (const resolve of waiting.values()) resolve();
    },
  };
}

describe('embedded task queue workers', () => {
  let database: TestDatabase;
  let queue: EmbeddedTaskQueue | undefined;
  let gate: ReturnType<typeof gatedDispatcher> | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    gate?.releaseAll();
    await queue?.stop();
  });
  afterAll(() => database.drop());

  it('runs as many tasks of a queue at once as it has workers there, and the rest as workers free up', async () => {
    gate = gatedDispatcher();
    queue = new EmbeddedTaskQueue({
      connectionString: database.url,
      concurrency: { 'ingest-low': 3 },
      pollingIntervalSeconds: 0.5,
    });
    await queue.start(gate.dispatch);
    const names = Array.from({ length: 6 }, (_, i) => `workers-${i}-${randomUUID()}`);
    for (const name of names) await queue.enqueue(task(name));
    await until(() => gate!.started.length === 3);
    // A moment for a fourth worker, if there were one, to take a task.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(gate.started).toHaveLength(3);
    gate.releaseAll();
    await until(() => gate!.started.length === 6);
    gate.releaseAll();
    expect(gate.mostAtOnce()).toBe(3);
  });

  it('hands a new task to an idle worker at once while another is busy, without waiting for a poll', async () => {
    gate = gatedDispatcher();
    // Polls a minute apart: only the wake-up on enqueue can start the second task within the test's timeout.
    queue = new EmbeddedTaskQueue({
      connectionString: database.url,
      concurrency: { 'ingest-low': 2 },
      pollingIntervalSeconds: 60,
    });
    await queue.start(gate.dispatch);
    // pg-boss's workers each fetch once as they start; after that, they wait out their polling interval.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const first = `busy-${randomUUID()}`;
    const second = `next-${randomUUID()}`;
    await queue.enqueue(task(first));
    await until(() => gate!.started.includes(first));
    await queue.enqueue(task(second));
    await until(() => gate!.started.includes(second));
    expect(gate.started).toEqual([first, second]);
  }, 20_000);
  it('has a worker that finished a task fetch the next at once, not after its poll', async () => {
    // One worker, polls a minute apart. Enqueued while it is busy, the tasks wake nobody (no idle worker): only
    // a fetch right after each task can run all five within the test's timeout. pg-boss alone waits its poll
    // less the task's duration after every task, so short tasks ran one a poll.
    gate = gatedDispatcher();
    queue = new EmbeddedTaskQueue({
      connectionString: database.url,
      concurrency: { 'ingest-low': 1 },
      pollingIntervalSeconds: 60,
      spreadMs: 0,
    });
    await queue.start(gate.dispatch);
    await new Promise((resolve) => setTimeout(resolve, 500)); // its first fetch, on start, found nothing
    const names = Array.from({ length: 5 }, (_, i) => `drain-${i}-${randomUUID()}`);
    await queue.enqueue(task(names[0]!));
    await until(() => gate!.started.length === 1);
    for (const name of names.slice(1)) await queue.enqueue(task(name));
    for (let i = 1; i <= names.length; i++) {
      gate.releaseAll();
      await until(() => gate!.started.length >= Math.min(i + 1, names.length));
    }
    gate.releaseAll();
    expect([...gate.started].sort()).toEqual([...names].sort());
  }, 20_000);

  it('refuses a second task of the same name, queued or done, and retries a task whose handler asks for it', async () => {
    const deliveries: { name: string; retryCount: number }[] = [];
    queue = new EmbeddedTaskQueue({
      connectionString: database.url,
      concurrency: { 'ingest-low': 1 },
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
    });
    await queue.start(async (_kind, _payload, context) => {
      deliveries.push({ name: context.name, retryCount: context.retryCount });
      return context.retryCount === 0 ? { outcome: 'retry', reason: 'not yet' } : { outcome: 'done' };
    });
    const name = `once-${randomUUID()}`;
    expect(await queue.enqueue(task(name))).toEqual({ accepted: true });
    expect(await queue.enqueue(task(name))).toEqual({ accepted: false });
    await until(() => deliveries.length === 2);
    expect(deliveries).toEqual([
      { name, retryCount: 0 },
      { name, retryCount: 1 },
    ]);
    expect(await queue.enqueue(task(name))).toEqual({ accepted: false });
  });
});
