import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pacer, type PacerOptions } from './pacer.ts';
import { PostgresBudgetStore } from './quota-budget-repository.ts';

// A time-scaled quota: 600 units per 300 ms window, 90 % of it planned for (capacity 60, 1.8 units/ms).
const QUOTA = { unitsPerWindow: 600, windowMs: 300, utilisation: 0.9, maxConcurrent: 3 };

/** The most granted within any window of `windowMs` (closed on both ends), by the bucket's clock. */
function maxOverAnyWindow(grants: { at: number; units: number }[], windowMs: number): number {
  const sorted = [...grants].sort((a, b) => a.at - b.at);
  let max = 0;
  let sum = 0;
  let from = 0;
  for (const grant of sorted) {
    sum += grant.units;
    while (sorted[from]!.at < grant.at - windowMs) sum -= sorted[from++]!.units;
    max = Math.max(max, sum);
  }
  return max;
}

describe('the pacer with its budget in PostgreSQL', () => {
  let database: TestDatabase;
  /** A second pool on the same database: what another API instance is. */
  let other: Kysely<Database>;
  beforeAll(async () => {
    database = await createTestDatabase();
    other = createDatabase({ connectionString: database.url, max: 4 });
  });
  afterAll(async () => {
    await other?.destroy();
    await database?.drop();
  });

  const twoInstances = (grants: { at: number; units: number }[], options: Partial<PacerOptions> = {}) =>
    [database.db, other].map(
      (db) =>
        new Pacer({
          ...QUOTA,
          budgets: new PostgresBudgetStore(db),
          onGrant: (_user, units, at) => grants.push({ at, units }),
          ...options,
        }),
    );

  it('never grants more than the quota over any window, however two instances share a user', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Calls of 1..capacity units (Gmail: 1 for getProfile, 5 per message, 250 for a batch of 50),
        // split between the two instances in any way.
        fc.array(fc.record({ units: fc.integer({ min: 1, max: 60 }), instance: fc.nat(1) }), {
          minLength: 20,
          maxLength: 60,
        }),
        async (calls) => {
          const user = randomUUID();
          const grants: { at: number; units: number }[] = [];
          const pacers = twoInstances(grants);
          await Promise.all(
            calls.map((call) => pacers[call.instance]!.run(user, call.units, async () => undefined)),
          );
          expect(grants).toHaveLength(calls.length);
          expect(maxOverAnyWindow(grants, QUOTA.windowMs)).toBeLessThanOrEqual(QUOTA.unitsPerWindow + 1e-6);
        },
      ),
      { numRuns: 6 },
    );
  }, 60_000);

  it('a takeover pays from what the previous instance left, not from a full bucket', async () => {
    const user = randomUUID();
    const grants: { at: number; units: number }[] = [];
    const [first, second] = twoInstances(grants);
    // The first instance drains the bucket, then "dies"; the second starts on the same user at once.
    await first!.run(user, 60, async () => undefined);
    await second!.run(user, 60, async () => undefined);
    const [a, b] = grants;
    // A fresh, process-local bucket would have granted at once; the shared one waits for the refill.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(60 / first!.ratePerMs - 1);
  });

  it('a 429 holds the user in every instance', async () => {
    const user = randomUUID();
    const grants: { at: number; units: number }[] = [];
    const [first, second] = twoInstances(grants);
    await first!.run(user, 1, async () => undefined);
    await first!.penalise(user, 200);
    await second!.run(user, 1, async () => undefined);
    expect(grants[1]!.at - grants[0]!.at).toBeGreaterThanOrEqual(199);
  });

  it('an aborted wait leaves the line and frees its place', async () => {
    const user = randomUUID();
    const [pacer] = twoInstances([], { maxConcurrent: 1 });
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const busy = pacer!.run(user, 1, () => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await running; // the only slot is taken
    const controller = new AbortController();
    const waiting = pacer!.run(user, 1, async () => 'never', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20)); // queued for the slot
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    const next = pacer!.run(user, 1, async () => 'next');
    release();
    await busy;
    await expect(next).resolves.toBe('next');
  });
});
