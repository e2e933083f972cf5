import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AllocationDemand, allocate } from './allocate.ts';
import { QUOTA_CLASSES, type QuotaClass } from './quota-grants.ts';

// Floating-point slack: shares are real numbers, sums of them may be off by a few ulps.
const EPS = 1e-6;

const USERS = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];

/** Random ticks: up to one demand per (user, class) — the scheduler's shape — plus per-user caps. */
const tick = fc.record({
  capacity: fc.double({ min: 0, max: 10_000, noNaN: true }),
  demands: fc.uniqueArray(
    fc.record({
      user: fc.constantFrom(...USERS),
      class: fc.constantFrom(...QUOTA_CLASSES),
      wants: fc.double({ min: 0, max: 5_000, noNaN: true }),
    }),
    { selector: (d) => `${d.user}:${d.class}`, maxLength: 24 },
  ),
  caps: fc.dictionary(fc.constantFrom(...USERS), fc.double({ min: 0, max: 4_000, noNaN: true })),
});

type Tick = { capacity: number; demands: Omit<AllocationDemand, 'key'>[]; caps: Record<string, number> };

function run({ capacity, demands, caps }: Tick) {
  const keyed = demands.map((d) => ({ ...d, key: `${d.user}:${d.class}` }));
  const cap = (user: string) => caps[user] ?? Number.POSITIVE_INFINITY;
  const grants = allocate({ capacity, demands: keyed, userCap: cap });
  const got = (d: AllocationDemand) => grants.get(d.key)!;
  const userTotal = (user: string) => keyed.filter((d) => d.user === user).reduce((s, d) => s + got(d), 0);
  const rank = (c: QuotaClass) => QUOTA_CLASSES.indexOf(c);
  /** What a user still could receive when its class `c` was planned: its cap less its higher classes' grants. */
  const capBefore = (user: string, c: QuotaClass) =>
    cap(user) -
    keyed.filter((d) => d.user === user && rank(d.class) < rank(c)).reduce((s, d) => s + got(d), 0);
  const limit = (d: AllocationDemand) => Math.min(d.wants, capBefore(d.user, d.class));
  return { keyed, grants, got, userTotal, cap, rank, limit };
}

describe('allocate', () => {
  it('never grants over capacity, a demand’s want, or a user’s cap summed across classes', () => {
    fc.assert(
      fc.property(tick, (t) => {
        const { keyed, grants, got, userTotal, cap } = run(t);
        const total = [...grants.values()].reduce((s, n) => s + n, 0);
        expect(total).toBeLessThanOrEqual(t.capacity + EPS);
        for (const d of keyed) {
          expect(got(d)).toBeGreaterThanOrEqual(0);
          expect(got(d)).toBeLessThanOrEqual(d.wants + EPS);
          expect(userTotal(d.user)).toBeLessThanOrEqual(cap(d.user) + EPS);
        }
      }),
    );
  });

  it('wastes nothing: capacity left over means every demand got all it could (want or cap)', () => {
    fc.assert(
      fc.property(tick, (t) => {
        const { keyed, grants, got, limit } = run(t);
        const total = [...grants.values()].reduce((s, n) => s + n, 0);
        if (total < t.capacity - EPS)
          for (const d of keyed) expect(got(d)).toBeGreaterThanOrEqual(limit(d) - EPS);
      }),
    );
  });

  it('serves classes in priority order: a lower class gets units only when every higher one is served', () => {
    fc.assert(
      fc.property(tick, (t) => {
        const { keyed, got, limit, rank } = run(t);
        for (const short of keyed.filter((d) => got(d) < limit(d) - EPS)) {
          for (const lower of keyed.filter((d) => rank(d.class) > rank(short.class)))
            expect(got(lower)).toBe(0);
        }
      }),
    );
  });

  it('is max-min fair within a class: a demand short of its limit has the largest share of its class', () => {
    fc.assert(
      fc.property(tick, (t) => {
        const { keyed, got, limit } = run(t);
        for (const short of keyed.filter((d) => got(d) < limit(d) - EPS)) {
          for (const peer of keyed.filter((d) => d.class === short.class)) {
            expect(got(peer)).toBeLessThanOrEqual(got(short) + EPS);
          }
        }
      }),
    );
  });

  it('splits a user’s share among its own demands of one class fairly too', () => {
    const grants = allocate({
      capacity: 90,
      demands: [
        { key: 'a1', user: 'ann', class: 'low', wants: 10 },
        { key: 'a2', user: 'ann', class: 'low', wants: 100 },
        { key: 'b', user: 'bob', class: 'low', wants: 100 },
      ],
      userCap: () => Number.POSITIVE_INFINITY,
    });
    // Two users share 90 evenly (45 each); ann's 45 covers a1 (10) and leaves 35 for a2.
    expect(Object.fromEntries(grants)).toEqual({ a1: 10, a2: 35, b: 45 });
  });
});

describe('allocate, worked examples', () => {
  const demand = (user: string, cls: QuotaClass, wants: number): AllocationDemand => ({
    key: `${user}:${cls}`,
    user,
    class: cls,
    wants,
  });
  const noCap = () => Number.POSITIVE_INFINITY;

  it('gives a user that wants less all it wants and splits the rest evenly', () => {
    const grants = allocate({
      capacity: 300,
      demands: [demand('ann', 'high', 40), demand('bob', 'high', 500), demand('cat', 'high', 500)],
      userCap: noCap,
    });
    expect(Object.fromEntries(grants)).toEqual({ 'ann:high': 40, 'bob:high': 130, 'cat:high': 130 });
  });

  it('serves sync before high before low', () => {
    const grants = allocate({
      capacity: 100,
      demands: [demand('ann', 'low', 100), demand('bob', 'high', 70), demand('cat', 'sync', 20)],
      userCap: noCap,
    });
    expect(Object.fromEntries(grants)).toEqual({ 'cat:sync': 20, 'bob:high': 70, 'ann:low': 10 });
  });

  it('caps a user over its classes and hands what it cannot take to the others', () => {
    // ann may take 50 in all: her sync demand uses 30, so only 20 of her high demand fits; bob gets the rest.
    const grants = allocate({
      capacity: 200,
      demands: [demand('ann', 'sync', 30), demand('ann', 'high', 100), demand('bob', 'high', 500)],
      userCap: (user) => (user === 'ann' ? 50 : 1_000),
    });
    expect(Object.fromEntries(grants)).toEqual({ 'ann:sync': 30, 'ann:high': 20, 'bob:high': 150 });
  });

  it('grants nothing when there is no capacity', () => {
    const grants = allocate({ capacity: 0, demands: [demand('ann', 'sync', 5)], userCap: noCap });
    expect(grants.get('ann:sync')).toBe(0);
  });
});
