import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerUserGrants } from './per-user-grants.ts';
import { PostgresBudgetStore } from './quota-budget-repository.ts';

// A time-scaled quota: 600 units per 300 ms window, 90 % of it planned for (capacity 60, 1.8 units/ms).
const QUOTA = { unitsPerWindow: 600, windowMs: 300, utilisation: 0.9 };

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

describe('per-user grants, their buckets in PostgreSQL', () => {
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

  const twoInstances = (grants: { at: number; units: number }[]) =>
    [database.db, other].map(
      (db) =>
        new PerUserGrants(new PostgresBudgetStore(db), {
          gmail: QUOTA,
          onGrant: ({ units, atMs }) => grants.push({ at: atMs, units }),
        }),
    );
  const take = (grants: PerUserGrants, user: string, units: number) =>
    grants.take({ resource: 'gmail', user, class: 'high', units });

  /** Asks of one user, of `min`..`max` units each, split between the two instances in any way. */
  const asks = (min: number, max: number, length: { minLength: number; maxLength: number }) =>
    fc.array(fc.record({ units: fc.integer({ min, max }), instance: fc.nat(1) }), length);

  /** Both instances serve every ask at once, each its own way; no window ever saw more than the quota. */
  const neverOverAnyWindow = (
    arbitrary: ReturnType<typeof asks>,
    serve: (grants: PerUserGrants, user: string, units: number) => Promise<unknown>,
    numRuns: number,
  ) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async (calls) => {
        const user = randomUUID();
        const grants: { at: number; units: number }[] = [];
        const instances = twoInstances(grants);
        await Promise.all(calls.map((call) => serve(instances[call.instance]!, user, call.units)));
        expect(grants).toHaveLength(calls.length);
        expect(maxOverAnyWindow(grants, QUOTA.windowMs)).toBeLessThanOrEqual(QUOTA.unitsPerWindow + 1e-6);
      }),
      { numRuns },
    );

  it('never grants more than the quota over any window, however two instances share a user', async () => {
    // Calls of 1..capacity units (Gmail: 1 for getProfile, 5 per message, 250 for a batch of 50), each waited for.
    await neverOverAnyWindow(asks(1, 60, { minLength: 20, maxLength: 60 }), take, 6);
  }, 60_000);

  it('grants a splittable request no more than the bucket holds: never over the quota over any window', async () => {
    // A batch asks for up to 5 × the capacity (60), taking whatever is granted from 5 units; refused, it asks
    // again when told.
    const batch = async (grants: PerUserGrants, user: string, units: number) => {
      for (;;) {
        const answer = await grants.tryTake({ resource: 'gmail', user, class: 'low', units, minUnits: 5 });
        if (answer.granted) return expect(answer.units).toBeLessThanOrEqual(60);
        await new Promise((resolve) => setTimeout(resolve, answer.retryInMs));
      }
    };
    await neverOverAnyWindow(asks(5, 300, { minLength: 5, maxLength: 15 }), batch, 4);
  }, 60_000);

  it('a takeover pays from what the previous instance left, not from a full bucket', async () => {
    const user = randomUUID();
    const grants: { at: number; units: number }[] = [];
    const [first, second] = twoInstances(grants);
    // The first instance drains the bucket, then "dies"; the second starts on the same user at once.
    await take(first!, user, 60);
    await take(second!, user, 60);
    const [a, b] = grants;
    // A fresh, process-local bucket would have granted at once; the shared one waits for the refill.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(60 / first!.userRatePerMs - 1);
  });

  it('a 429 holds the user in every instance', async () => {
    const user = randomUUID();
    const grants: { at: number; units: number }[] = [];
    const [first, second] = twoInstances(grants);
    await take(first!, user, 1);
    await first!.penalise('gmail', { user }, 200);
    await expect(
      second!.tryTake({ resource: 'gmail', user, class: 'high', units: 1 }),
    ).resolves.toMatchObject({
      granted: false,
      reason: 'blocked',
    });
    await take(second!, user, 1);
    expect(grants[1]!.at - grants[0]!.at).toBeGreaterThanOrEqual(199);
  });

  it('refuses without waiting, and says when to ask again', async () => {
    const user = randomUUID();
    const [grants] = twoInstances([]);
    const request = { resource: 'gmail' as const, user, class: 'low' as const, units: 60 };
    await expect(grants!.tryTake(request)).resolves.toEqual({ granted: true, units: 60 });
    const refused = await grants!.tryTake(request);
    expect(refused).toMatchObject({ granted: false, reason: 'quota' });
    // The bucket refills 60 units in 60 / 1.8 ≈ 34 ms: the answer says about that, never more.
    expect(refused.granted === false && refused.retryInMs).toBeGreaterThan(0);
    expect(refused.granted === false && refused.retryInMs).toBeLessThanOrEqual(34);
  });
});
