import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE, rpcCode, startEmulatorWithClient, startTarget } from './harness.ts';

const LOCATION = 'projects/test/locations/here';

describe('queue administration', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());

  it('creates, reads, lists, updates, pauses, purges and deletes queues', async () => {
    const env = await startEmulatorWithClient({ queues: [] });
    stop = env.stop;
    const { client } = env;
    const [created] = await client.createQueue({
      parent: LOCATION,
      queue: { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 3 } },
    });
    expect(created).toMatchObject({
      name: QUEUE,
      state: 'RUNNING',
      rateLimits: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 3, maxBurstSize: 20 },
      retryConfig: { maxAttempts: 100, maxDoublings: 16 },
    });
    expect(await rpcCode(client.createQueue({ parent: LOCATION, queue: { name: QUEUE } }))).toBe(6);
    expect(
      await rpcCode(client.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/bad_id` } })),
    ).toBe(3);

    const [queues] = await client.listQueues({ parent: LOCATION });
    expect(queues.map((queue) => queue.name)).toEqual([QUEUE]);

    const [updated] = await client.updateQueue({
      queue: { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 7 }, retryConfig: { maxAttempts: 5 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    expect(updated.rateLimits).toMatchObject({ maxDispatchesPerSecond: 7, maxConcurrentDispatches: 3 });
    expect(updated.retryConfig?.maxAttempts).toBe(100);
    const tooFast = client.updateQueue({
      queue: { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 501 } },
    });
    expect(await rpcCode(tooFast)).toBe(3);

    const [paused] = await client.pauseQueue({ name: QUEUE });
    expect(paused.state).toBe('PAUSED');
    await client.createTask({ parent: QUEUE, task: { httpRequest: { url: 'http://127.0.0.1:9/never' } } });
    expect(env.emulator.admin.stats()[QUEUE]?.pending).toBe(1);
    const [purged] = await client.purgeQueue({ name: QUEUE });
    expect(purged.purgeTime?.seconds).toBeDefined();
    expect(env.emulator.admin.stats()[QUEUE]?.pending).toBe(0);

    await client.deleteQueue({ name: QUEUE });
    expect(await rpcCode(client.getQueue({ name: QUEUE }))).toBe(5);
  });

  it('pages through tasks', async () => {
    const env = await startEmulatorWithClient();
    stop = env.stop;
    await env.client.pauseQueue({ name: QUEUE });
    for (let index = 0; index < 5; index++) {
      await env.client.createTask({ parent: QUEUE, task: { httpRequest: { url: 'http://127.0.0.1:9/' } } });
    }
    const [firstPage, , response] = await env.client.listTasks(
      { parent: QUEUE, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(firstPage).toHaveLength(2);
    expect(response?.nextPageToken).toBeTruthy();
    const [all] = await env.client.listTasks({ parent: QUEUE });
    expect(all).toHaveLength(5);
  });

  it('honours a longer Retry-After on 429', async () => {
    const target = await startTarget((_request, index) =>
      index === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 },
    );
    const env = await startEmulatorWithClient();
    stop = async () => {
      await env.stop();
      await target.close();
    };
    await env.client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } });
    await env.emulator.admin.waitForIdle(5000);
    expect(target.received).toHaveLength(2);
    expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(target.received[1]?.headers['x-cloudtasks-taskpreviousresponse']).toBe('429');
  });
});
