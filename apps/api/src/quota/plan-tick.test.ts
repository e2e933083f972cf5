import { describe, expect, it } from 'vitest';
import { planTick, type TickRates } from './plan-tick.ts';
import { TURN_TICKS } from './time-slice.ts';

const rates: TickRates = {
  projectRatePerMs: 10,
  userRatePerMs: 1,
  tickMs: 100,
  reserveFraction: 0.05,
  reserveCap: 1_000,
};
const base = {
  atMs: 0,
  elapsedMs: 100,
  projectBlocked: false,
  reserve: 1_000,
  outstanding: 0,
  open: () => true,
};

/** `count` low-tier users who want all they can get; `u0` owes 60 units for a first page the reserve paid. */
const lowTierWithOneDebtor = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    subject: `u${i}`,
    class: 'low' as const,
    units: 500,
    minUnits: 5,
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

  it('serves a bound capacity in turns, each user at its full rate, evenly over a window of ticks', () => {
    // 50 users who could take 100 units a tick each, 1,000 units a tick (an even share: a fifth of their rate):
    // 10 users a tick at their full rate.
    const demands = lowTierWithOneDebtor(50).map((d) => ({ ...d, tokens: 0 }));
    const received = new Map<string, number>();
    const TICKS = 60; // a quota window
    for (let tick = 0; tick < TICKS; tick++) {
      const plan = planTick(rates, { ...base, atMs: tick * rates.tickMs, demands });
      const total = [...plan.byClass.values()].reduce((sum, units) => sum + units, 0);
      expect(total).toBeCloseTo(1_000);
      const credited = plan.credits.filter((c) => c.units > 0);
      // Whole ticks of a user's rate, not 50 slivers of 20.
      expect(credited.map((c) => c.units)).toEqual(Array(10).fill(100));
      for (const c of plan.credits) received.set(c.subject, (received.get(c.subject) ?? 0) + c.units);
    }
    // Over the window each user got a fifth of its rate, and Jain's index of what they received is 1.
    const shares = [...received.values()];
    expect(shares).toHaveLength(50);
    for (const units of shares) expect(units).toBeCloseTo(1_200);
    const jain =
      shares.reduce((a, b) => a + b, 0) ** 2 / (shares.length * shares.reduce((a, b) => a + b * b, 0));
    expect(jain).toBeGreaterThan(0.99);
  });

  it('serves a higher class whole before taking turns in a lower one', () => {
    const high = Array.from({ length: 5 }, (_, i) => ({
      subject: `h${i}`,
      class: 'high' as const,
      units: 500,
      minUnits: 5,
      tokens: 0,
      blocked: false,
    }));
    const low = lowTierWithOneDebtor(20).map((d) => ({ ...d, tokens: 0 }));
    for (let tick = 0; tick < 4; tick++) {
      const plan = planTick(rates, { ...base, atMs: tick * rates.tickMs, demands: [...low, ...high] });
      expect(plan.byClass.get('high')).toBeCloseTo(500);
      expect(plan.byClass.get('low')).toBeCloseTo(500);
      const credited = plan.credits.filter((c) => c.units > 0).map((c) => c.subject);
      expect(credited.filter((s) => s.startsWith('h'))).toHaveLength(5);
    }
  });

  it('never puts a sync on turns: every syncing user is credited every tick, the backfill takes turns after', () => {
    const syncs = Array.from({ length: 5 }, (_, i) => ({
      subject: `s${i}`,
      class: 'sync' as const,
      units: 500,
      minUnits: 1,
      tokens: 0,
      blocked: false,
    }));
    const low = lowTierWithOneDebtor(50).map((d) => ({ ...d, tokens: 0 }));
    for (let tick = 0; tick < 3; tick++) {
      const plan = planTick(rates, { ...base, atMs: tick * rates.tickMs, demands: [...low, ...syncs] });
      const credited = new Map(plan.credits.map((c) => [c.subject, c.units]));
      for (const sync of syncs) expect(credited.get(sync.subject)).toBeCloseTo(100);
      // What the syncs left (500 units) goes to five low-tier users in turn, at their full rate.
      expect(plan.credits.filter((c) => c.subject.startsWith('u') && c.units > 0)).toHaveLength(5);
    }
  });

  it('tells a user not served this tick a rate that brings what it lacks at its turn', () => {
    const demands = lowTierWithOneDebtor(50).map((d) => ({ ...d, tokens: 0 }));
    const plan = planTick(rates, { ...base, demands });
    const waiting = plan.credits.filter((c) => c.units === 0);
    expect(waiting).toHaveLength(40);
    // 10 users a tick, each for a turn of TURN_TICKS ticks: the next 10 are served in one turn (300 ms) — the 5
    // units they lack at 5/300 per ms — the last 10 in four (1,200 ms).
    const turnMs = TURN_TICKS * rates.tickMs;
    const hinted = waiting.map((c) => c.ratePerMs).sort((a, b) => b - a);
    expect(hinted[0]).toBeCloseTo(5 / turnMs);
    expect(hinted.at(-1)).toBeCloseTo(5 / (4 * turnMs));
    const servedAt = (atMs: number) =>
      new Set(
        planTick(rates, { ...base, atMs, demands })
          .credits.filter((c) => c.units > 0)
          .map((c) => c.subject),
      );
    const servedNow = new Set(plan.credits.filter((c) => c.units > 0).map((c) => c.subject));
    // The turn goes on: the same users the tick after...
    expect(servedAt(rates.tickMs)).toEqual(servedNow);
    // ...and when it ends, the users told "next" are served.
    const dueNext = waiting.filter((c) => Math.abs(c.ratePerMs - 5 / turnMs) < 1e-9);
    expect(dueNext).toHaveLength(10);
    const servedNext = servedAt(turnMs);
    expect(dueNext.every((c) => servedNext.has(c.subject))).toBe(true);
  });

  it('keeps a user whose allowance is full in the ring: nobody else’s turn moves', () => {
    const demands = lowTierWithOneDebtor(50).map((d) => ({ ...d, tokens: 0 }));
    const hints = (plan: ReturnType<typeof planTick>) =>
      new Map(plan.credits.filter((c) => c.units === 0).map((c) => [c.subject, c.ratePerMs]));
    const before = planTick(rates, { ...base, demands });
    // Five users waiting for their turn hold two ticks of credit (their batches have not spent it): they can
    // take nothing this tick.
    const full = [...hints(before).keys()].slice(0, 5);
    const after = planTick(rates, {
      ...base,
      demands: demands.map((d) => (full.includes(d.subject) ? { ...d, tokens: 200 } : d)),
    });
    const served = (plan: ReturnType<typeof planTick>) =>
      plan.credits.filter((c) => c.units > 0).map((c) => c.subject);
    expect(served(after)).toEqual(served(before));
    // Everyone else is told the same turn (what the five lack is nothing: their own hint says so).
    expect([...hints(after).keys()].sort()).toEqual([...hints(before).keys()].sort());
    for (const [subject, rate] of hints(after))
      if (!full.includes(subject)) expect(rate).toBeCloseTo(hints(before).get(subject)!);
  });

  it('shares max-min fair, every user every tick, while an even share is still a quarter of their rate', () => {
    const demands = lowTierWithOneDebtor(20).map((d) => ({ ...d, tokens: 0 }));
    const plan = planTick(rates, { ...base, demands });
    expect(plan.credits.map((c) => c.units)).toEqual(Array(20).fill(50));
  });

  it('keeps even shares when unspent credit holds the tick back: the project’s rate, not the credit, decides', () => {
    // 20 users at 100 a tick could share 1,000 units at 50 each (no turns). Credit the batches hold while they
    // fetch (1,600 units: 1,400 past the two ticks the plan tolerates) leaves 0 to credit this tick...
    const demands = lowTierWithOneDebtor(20).map((d) => ({ ...d, tokens: 0 }));
    const held = planTick(rates, { ...base, demands, outstanding: 2_000 + 1_000 });
    // ...which is a pause for everyone, not a turn for some: nobody is told to wait for a turn.
    expect(held.credits.filter((c) => c.units > 0)).toEqual([]);
    expect(held.credits.filter((c) => c.ratePerMs > 0)).toEqual([]);
    // 600 of it held back: 400 units, still shared by all 20, not whole ticks for 4 of them.
    const part = planTick(rates, { ...base, demands, outstanding: 2_000 + 600 });
    expect(part.credits.map((c) => c.units)).toEqual(Array(20).fill(20));
  });

  it('serves everyone, max-min fair, while the capacity covers all who ask', () => {
    // 5 users at 100 each, 1,000 units: no turns, each its full rate.
    const plan = planTick(rates, { ...base, demands: lowTierWithOneDebtor(5) });
    expect(plan.credits.map((c) => c.units)).toEqual(Array(5).fill(100));
  });

  it('never lets the debt credit a user past its own rate, however large it is', () => {
    const demands = [
      { subject: 'u0', class: 'high' as const, units: 500, minUnits: 5, tokens: -1_000, blocked: false },
    ];
    const plan = planTick(rates, { ...base, demands });
    expect(plan.credits).toEqual([{ subject: 'u0', units: 100, ratePerMs: 1 }]);
    expect(plan.byClass.get('high') ?? 0).toBe(0);
  });
});
