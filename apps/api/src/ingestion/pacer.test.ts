import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Pacer } from './pacer.ts';

// The pacer is the per-process half of pacing (a per-user concurrency cap); quota is the port's
// (quota/per-user-grants.test.ts tests the per-user buckets across instances).
describe('the pacer', () => {
  it('an aborted wait leaves the line and frees its place', async () => {
    const user = randomUUID();
    const pacer = new Pacer({ maxConcurrent: 1 });
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const busy = pacer.run(user, () => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await running; // the only slot is taken
    const controller = new AbortController();
    const waiting = pacer.run(user, async () => 'never', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20)); // queued for the slot
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    const next = pacer.run(user, async () => 'next');
    release();
    await busy;
    await expect(next).resolves.toBe('next');
  });

  it('never runs more than maxConcurrent calls of one user at once, and other users are not held', async () => {
    const pacer = new Pacer({ maxConcurrent: 2 });
    const user = randomUUID();
    let inFlight = 0;
    let most = 0;
    const call = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
    };
    let otherRan = false;
    await Promise.all([
      ...Array.from({ length: 10 }, () => pacer.run(user, call)),
      pacer.run(randomUUID(), async () => {
        otherRan = true;
      }),
    ]);
    expect(most).toBe(2);
    expect(otherRan).toBe(true);
  });
});
