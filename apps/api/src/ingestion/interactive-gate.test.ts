import { describe, expect, it, vi } from 'vitest';
import { InteractiveGate } from './interactive-gate.ts';

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('InteractiveGate', () => {
  it('lets background work through at once when no sign-in is in progress', async () => {
    const gate = new InteractiveGate(60_000);
    expect(await settled(gate.idle())).toBe(true);
  });

  it('holds background work until the last sign-in in progress ends', async () => {
    const gate = new InteractiveGate(60_000);
    const leaveA = gate.enter();
    const leaveB = gate.enter();
    const waiting = gate.idle();
    leaveA();
    leaveA(); // twice: still one sign-in (B) in progress
    expect(gate.busy).toBe(true);
    expect(await settled(waiting)).toBe(false);
    leaveB();
    expect(await settled(waiting)).toBe(true);
    expect(gate.busy).toBe(false);
  });

  it('goes ahead after the longest wait under a steady stream of sign-ins', async () => {
    vi.useFakeTimers();
    try {
      const gate = new InteractiveGate(5_000);
      gate.enter();
      const waiting = gate.idle();
      await vi.advanceTimersByTimeAsync(4_999);
      expect(await settled(waiting)).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await settled(waiting)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
