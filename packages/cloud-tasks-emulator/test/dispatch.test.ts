import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE, rpcCode, startEmulatorWithClient, startTarget } from './harness.ts';

describe('HTTP dispatch', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(
    respond?: Parameters<typeof startTarget>[0],
    options?: Parameters<typeof startEmulatorWithClient>[0],
  ) {
    const target = await startTarget(respond);
    const env = await startEmulatorWithClient(options);
    cleanups.push(target.close, env.stop);
    return { target, ...env };
  }

  it('delivers the exact body with Cloud Tasks headers and no Content-Type', async () => {
    const { target, client, emulator } = await setup();
    const body = Buffer.from(JSON.stringify({ userId: 'u1', page: 2, note: 'héllo' }));
    const [task] = await client.createTask({
      parent: QUEUE,
      task: {
        name: `${QUEUE}/tasks/backfill-u1-2`,
        httpRequest: {
          url: `${target.url}/tasks/backfill?x=1`,
          httpMethod: 'POST',
          body,
          headers: { 'X-Trace': 'abc' },
        },
      },
    });
    expect(task.name).toBe(`${QUEUE}/tasks/backfill-u1-2`);
    expect(task.createTime?.seconds).toBeDefined();
    await emulator.admin.waitForIdle(5000);

    expect(target.received).toHaveLength(1);
    const [request] = target.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/tasks/backfill?x=1');
    expect(request?.body.equals(body)).toBe(true);
    expect(request?.headers).toMatchObject({
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'ingest',
      'x-cloudtasks-taskname': 'backfill-u1-2',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-trace': 'abc',
    });
    expect(request?.headers['content-type']).toBeUndefined();
    expect(request?.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
    const eta = Number(request?.headers['x-cloudtasks-tasketa']);
    expect(Math.abs(eta * 1000 - request!.at)).toBeLessThan(5000);
    expect(emulator.admin.stats()[QUEUE]).toMatchObject({
      dispatched: 1,
      succeeded: 1,
      pending: 0,
      inFlight: 0,
    });
  });

  it('retries a failing target with growing retry counts and the previous response', async () => {
    const { target, emulator, client } = await setup((_request, index) => ({
      status: index < 2 ? 500 : 200,
    }));
    await client.createTask({ parent: QUEUE, task: { httpRequest: { url: `${target.url}/flaky` } } });
    await emulator.admin.waitForIdle(5000);

    expect(target.received.map((request) => request.headers['x-cloudtasks-taskretrycount'])).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(target.received.map((request) => request.headers['x-cloudtasks-taskpreviousresponse'])).toEqual([
      undefined,
      '500',
      '500',
    ]);
    expect(target.received.map((request) => request.headers['x-cloudtasks-taskexecutioncount'])).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(target.received[1]?.headers['x-cloudtasks-taskretryreason']).toBeDefined();
    expect(emulator.admin.stats()[QUEUE]).toMatchObject({
      dispatched: 3,
      succeeded: 1,
      retried: 2,
      failed: 0,
    });
  });

  it('drops a task once maxAttempts is exhausted', async () => {
    const { target, emulator, client } = await setup(() => ({ status: 503 }), {
      defaults: { retryConfig: { maxAttempts: 3, minBackoffSeconds: 0.02, maxBackoffSeconds: 0.05 } },
    });
    const [task] = await client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } });
    await emulator.admin.waitForIdle(5000);

    expect(target.received).toHaveLength(3);
    expect(emulator.admin.stats()[QUEUE]).toMatchObject({
      dispatched: 3,
      failed: 1,
      succeeded: 0,
      retried: 2,
    });
    expect(await rpcCode(client.getTask({ name: task.name! }))).toBe(5);
  });

  it('treats a target slower than the dispatch deadline as a failed attempt', async () => {
    const { target, emulator, client } = await setup(
      (_request, index) => ({ status: 200, delayMs: index === 0 ? 500 : 0 }),
      {
        dispatchDeadlineMs: 100,
      },
    );
    await client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } });
    await emulator.admin.waitForIdle(5000);

    expect(target.received).toHaveLength(2);
    expect(target.received[1]?.headers['x-cloudtasks-taskretryreason']).toBe('DEADLINE_EXCEEDED');
    expect(target.received[1]?.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
  });

  it('honours a future scheduleTime', async () => {
    const { target, emulator, client } = await setup();
    const createdAt = Date.now();
    const eta = createdAt + 700;
    await client.createTask({
      parent: QUEUE,
      task: {
        httpRequest: { url: target.url },
        scheduleTime: { seconds: Math.floor(eta / 1000), nanos: (eta % 1000) * 1e6 },
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.received).toHaveLength(0);
    expect(emulator.admin.stats()[QUEUE]?.pending).toBe(1);
    await emulator.admin.waitForIdle(5000);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.at).toBeGreaterThanOrEqual(eta - 5);
    expect(Number(target.received[0]?.headers['x-cloudtasks-tasketa'])).toBeCloseTo(eta / 1000, 2);
  });

  it('does not dispatch from a paused queue until it is resumed', async () => {
    const { target, emulator, client } = await setup();
    await client.pauseQueue({ name: QUEUE });
    await client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.received).toHaveLength(0);
    expect(emulator.admin.tasks(QUEUE).map((task) => task.dispatchCount)).toEqual([0]);
    const [queue] = await client.resumeQueue({ name: QUEUE });
    expect(queue.state).toBe('RUNNING');
    await emulator.admin.waitForIdle(5000);
    expect(target.received).toHaveLength(1);
  });
});
