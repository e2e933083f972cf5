import { describe, expect, it } from 'vitest';
import { planTick, type TickRates } from './plan-tick.ts';

const rates: TickRates = {
  projectRatePerMs: 10,
  userRatePerMs: 1,
  tickMs: 100,
  reserveFraction: 0.05,
  reserveCap: 1_000,
};
const base = { elapsedMs: 100, projectBlocked: false, reserve: 1_000, outstanding: 0, open: () => true };

/** `count` low-tier users who want all they can get; `u0` owes 60 units for a first page the reserve paid. */
const lowTierWithOneDebtor = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    subject: `u${i}`,
    class: 'low' as const,
    units: 500,
    tokens: i === 0 ? -60 : 0,
    blocked: false,
  }));

describe('one tick of the plan', () => {
  it('forgives a first page’s debt at the user’s rate without spending the project’s capacity on it', () => {
    // 5 users: the project could give 1,000 units this tick, the users can take 500.
    const plan = planTick(rates, { ...base, demands: lowTierWithOneDebtor(5) });
    const credit = new Map(plan.credits.map((c) => [c.subject, c.units]));
    // Each user may be credited at most its rate × elapsed (100 units) in all: the debtor's 60 are part of it.
    expect(credit.get('u0')).toBeCloseTo(100);
    expect(credit.get('u1')).toBeCloseTo(100);
    // What the background classes got from the project is what the others got plus the debtor's 40 new units:
    // the forgiven 60 came from no one's capacity.
    expect(plan.byClass.get('low')).toBeCloseTo(4 * 100 + 40);
  });

  it('shares a bound capacity fairly with the debtor paying its debt from its own share', () => {
    // 20 users, 1,000 units: 50 each; the debtor's 60 are forgiven within its 100 and it gets its 40 of the rest.
    const plan = planTick(rates, { ...base, demands: lowTierWithOneDebtor(20) });
    const total = [...plan.byClass.values()].reduce((sum, units) => sum + units, 0);
    expect(total).toBeCloseTo(1_000);
    const credit = new Map(plan.credits.map((c) => [c.subject, c.units]));
    expect(credit.get('u0')).toBeCloseTo(100);
    expect(credit.get('u1')).toBeCloseTo(960 / 19);
  });

  it('never lets the debt credit a user past its own rate, however large it is', () => {
    const demands = [{ subject: 'u0', class: 'high' as const, units: 500, tokens: -1_000, blocked: false }];
    const plan = planTick(rates, { ...base, demands });
    expect(plan.credits).toEqual([{ subject: 'u0', units: 100, ratePerMs: 1 }]);
    expect(plan.byClass.get('high') ?? 0).toBe(0);
  });
});
