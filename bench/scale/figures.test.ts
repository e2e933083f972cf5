import { describe, expect, it } from 'vitest';
import { fairness, instanceShareMin, jain, utilisation } from './figures.ts';
import { planFromEnv, projectUnits } from './plan.ts';
import type { JobState, Sample } from './sampler.ts';

const plan = planFromEnv({ USERS: '4', PROJECT_BACKFILLS: '2', WINDOW_MS: '1000', USER_UNITS: '100' });

const job = (tier: string | null, status = 'running'): JobState => ({
  status,
  tier,
  firstPageDone: true,
  createdAtMs: 0,
  finishedAtMs: null,
  firstDataMs: 500,
});

function sample(atMs: number, gmailUnits: number, users: Record<string, [number, JobState]>): Sample {
  return {
    atMs,
    gmailUnits,
    units: new Map(Object.entries(users).map(([email, [units]]) => [email, units])),
    quotaRefusals: 0,
    concurrencyRefusals: 0,
    jobs: new Map(Object.entries(users).map(([email, [, state]]) => [email, state])),
  };
}

describe('scale figures', () => {
  it("Jain's index is 1 for equal shares and 1/n when one user has everything", () => {
    expect(jain([3, 3, 3, 3])).toBe(1);
    expect(jain([8, 0, 0, 0])).toBe(0.25);
  });

  it('an instance that did no batch counts as a share of 0', () => {
    expect(instanceShareMin([5, 3, 2], 3)).toBe(0.2);
    expect(instanceShareMin([10, 10], 3)).toBe(0);
  });

  it('utilisation counts only intervals where work was waiting, against the project limit', () => {
    const limitPerMs = projectUnits(plan) / plan.windowMs;
    const busy = { a: [0, job('high')], b: [0, job('high')] } as Record<string, [number, JobState]>;
    const idle = { a: [0, job('high')] } as Record<string, [number, JobState]>;
    const samples = [
      sample(0, 0, busy),
      sample(1000, limitPerMs * 1000 * 0.5, busy), // half the limit while saturated
      sample(2000, limitPerMs * 1000 * 0.5, idle), // nothing spent, but nobody waiting: not counted
      sample(3000, limitPerMs * 1000 * 0.5, idle),
    ];
    expect(utilisation(plan, samples)).toBe(0.5);
  });

  it('fairness compares users of the same tier only, over whole windows', () => {
    const at = (ms: number, a: number, b: number, c: number) =>
      sample(ms, 0, { a: [a, job('high')], b: [b, job('high')], c: [c, job('low')] });
    // a and b (high) get the same; c (low) gets far less, which is priority, not unfairness.
    expect(fairness(plan, [at(0, 0, 0, 0), at(1000, 100, 100, 5)]).index).toBe(1);
    expect(fairness(plan, [at(0, 0, 0, 0), at(1000, 100, 0, 5)]).index).toBe(0.5);
  });
});
