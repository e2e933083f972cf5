import { afterEach, describe, expect, it } from 'vitest';
import { QUEUE, startEmulatorWithClient, startTarget } from './harness.ts';

describe('queue rate limits', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('spreads dispatch starts at maxDispatchesPerSecond', async () => {
    const target = await startTarget();
    const env = await startEmulatorWithClient({
      queueSettings: { [QUEUE]: { rateLimits: { maxDispatchesPerSecond: 5 } } },
    });
    cleanups.push(target.close, env.stop);
    await env.client.pauseQueue({ name: QUEUE });
    for (let index = 0; index < 15; index++) {
      await env.client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } });
    }
    await env.client.resumeQueue({ name: QUEUE });
    await env.emulator.admin.waitForIdle(15_000);

    const starts = target.received.map((request) => request.at).sort((a, b) => a - b);
    expect(starts).toHaveLength(15);
    // A burst of at most 5 (one second's worth), then one start per 200 ms: 10 more take ≥ 2 s.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(1800);
    // No window of one second holds more than burst + rate starts.
    for (const [index, start] of starts.entries()) {
      const inWindow = starts.slice(index).filter((other) => other - start < 1000).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
  });

  it('never runs more than maxConcurrentDispatches at once', async () => {
    const target = await startTarget(() => ({ status: 200, delayMs: 80 }));
    const env = await startEmulatorWithClient({
      queueSettings: { [QUEUE]: { rateLimits: { maxConcurrentDispatches: 2 } } },
    });
    cleanups.push(target.close, env.stop);
    await Promise.all(
      Array.from({ length: 10 }, () =>
        env.client.createTask({ parent: QUEUE, task: { httpRequest: { url: target.url } } }),
      ),
    );
    await env.emulator.admin.waitForIdle(15_000);

    expect(target.received).toHaveLength(10);
    expect(target.maxConcurrent()).toBe(2);
    expect(env.emulator.admin.stats()[QUEUE]?.maxObservedConcurrency).toBe(2);
  });
});
