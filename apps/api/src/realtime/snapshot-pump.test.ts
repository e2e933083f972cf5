import { describe, expect, it } from 'vitest';
import { SnapshotPump } from './snapshot-pump.ts';

/** A send that stays in flight until the test lets it finish, recording when each one started. */
function gatedSend() {
  const started: number[] = [];
  const gates: ((sent: boolean) => void)[] = [];
  let requestsSeen = 0;
  return {
    started,
    finish: (sent = true) => gates.shift()?.(sent),
    markRequest: () => requestsSeen++,
    send: () => {
      started.push(requestsSeen);
      return new Promise<boolean>((resolve) => gates.push(resolve));
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SnapshotPump', () => {
  it('runs one snapshot at a time and coalesces the requests made meanwhile into one more', async () => {
    const gate = gatedSend();
    const pump = new SnapshotPump(gate.send, 0);
    const first = pump.request();
    const waiting = Array.from({ length: 2_000 }, () => {
      gate.markRequest();
      return pump.request();
    });
    expect(gate.started).toEqual([0]);
    gate.finish();
    expect(await first).toBe(true);
    await tick();
    // The second snapshot started after all 2,000 requests: it answers every one of them.
    expect(gate.started).toEqual([0, 2_000]);
    gate.finish();
    expect(await Promise.all(waiting)).toEqual(Array(2_000).fill(true));
    await tick();
    expect(gate.started).toHaveLength(2);
  });

  it('keeps the minimum interval between starts, and still serves the request that waited', async () => {
    const gate = gatedSend();
    const pump = new SnapshotPump(gate.send, 200);
    const first = pump.request();
    gate.finish();
    await first;
    const second = pump.request();
    await tick();
    expect(gate.started).toHaveLength(1); // held back by the interval, not dropped
    while (gate.started.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    gate.finish();
    expect(await second).toBe(true);
  });

  it('tells waiters false when the snapshot fails or the socket closes', async () => {
    const gate = gatedSend();
    const pump = new SnapshotPump(gate.send, 0);
    const failed = pump.request();
    gate.finish(false);
    expect(await failed).toBe(false);
    const inFlight = pump.request();
    const queued = pump.request(); // made while one is in flight: waits for the next
    pump.stop();
    expect(await queued).toBe(false);
    gate.finish();
    expect(await inFlight).toBe(true);
    await tick();
    expect(gate.started).toHaveLength(2); // nothing started after stop
    expect(await pump.request()).toBe(false);
  });
});
