import { percentile } from '../support.ts';
import { projectRatePerMs, type ScalePlan, type ScaleUser, unitsNeeded } from './plan.ts';
import { isOpen, type Sample } from './sampler.ts';

/**
 * The figures of a `scale` run (bench/README.md § scale says what each means and what limits it), computed
 * from the samples alone — pure, so the simulation and the real run are summarised by the same code.
 */

export interface RunFigures {
  ttfd_p95_ms: number;
  ttfd_p95_all_ms: number;
  sign_ins_while_saturated: number;
  project_quota_utilisation: number;
  errors_429: number;
  fairness_jain: number;
  fairness_windows: number;
  makespan_s: number;
  makespan_ratio: number;
  units_per_message: number;
  completed: number;
  users: number;
}

/** Work was waiting: more users had a backfill open than the project can serve at their full rate. */
export const saturated = (plan: ScalePlan, sample: Sample) => {
  let open = 0;
  for (const job of sample.jobs.values()) if (isOpen(job)) open++;
  return open >= plan.projectBackfills;
};

/** Jain's index of a set of throughputs: 1 when all equal, 1/n when one user has everything. */
export function jain(values: number[]): number {
  const sum = values.reduce((total, x) => total + x, 0);
  const squares = values.reduce((total, x) => total + x * x, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/** Units used over units the project limit allowed, over the sample intervals where work was waiting. */
export function utilisation(plan: ScalePlan, samples: Sample[]): number {
  let used = 0;
  let available = 0;
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (!saturated(plan, a) || !saturated(plan, b)) continue;
    used += b.gmailUnits - a.gmailUnits;
    available += projectRatePerMs(plan) * (b.atMs - a.atMs);
  }
  return available ? round(used / available, 3) : Number.NaN;
}

/**
 * The users backfilling through the whole of [a, b] in one tier (first page done before it, not finished at
 * its end), grouped by tier, each with its throughput `x(email)`.
 */
export function sameTierGroups(a: Sample, b: Sample, x: (email: string) => number): number[][] {
  const byTier = new Map<string, number[]>();
  for (const [email, before] of a.jobs) {
    const after = b.jobs.get(email);
    if (!isOpen(before) || !isOpen(after) || !before.firstPageDone) continue;
    if (!before.tier || before.tier !== after?.tier) continue;
    const values = byTier.get(before.tier) ?? [];
    values.push(x(email));
    byTier.set(before.tier, values);
  }
  return [...byTier.values()].filter((values) => values.length >= 2);
}

/** Jain's index per (window, class) group, averaged weighted by the group's users. */
export function weightedJain(groups: number[][]): { index: number; windows: number } {
  const weight = groups.reduce((sum, values) => sum + values.length, 0);
  const weighted = groups.reduce((sum, values) => sum + jain(values) * values.length, 0);
  return { index: weight ? round(weighted / weight, 3) : Number.NaN, windows: groups.length };
}

/** Jain's index per quota window (of the samples) and class, among users backfilling in the same tier. */
export function fairness(plan: ScalePlan, samples: Sample[]): { index: number; windows: number } {
  const groups: number[][] = [];
  let start = 0;
  for (let end = 1; end < samples.length; end++) {
    const [a, b] = [samples[start]!, samples[end]!];
    if (b.atMs - a.atMs < plan.windowMs) continue;
    groups.push(...sameTierGroups(a, b, (email) => (b.units.get(email) ?? 0) - (a.units.get(email) ?? 0)));
    start = end;
  }
  return weightedJain(groups);
}

export function summarise(
  plan: ScalePlan,
  users: ScaleUser[],
  samples: Sample[],
  final: { storedMessages: number; gmailUnits: number },
): RunFigures {
  const last = samples.at(-1);
  const jobs = [...(last?.jobs.values() ?? [])];
  const atSignIn = (ms: number) => samples.findLast((sample) => sample.atMs <= ms) ?? samples[0];
  const ttfdSaturated = jobs.flatMap((job) => {
    const sample = atSignIn(job.createdAtMs);
    return job.firstDataMs !== null && sample && saturated(plan, sample) ? [job.firstDataMs] : [];
  });
  const ttfdAll = jobs.flatMap((job) => (job.firstDataMs === null ? [] : [job.firstDataMs]));
  const completed = jobs.filter((job) => job.status === 'complete');
  const makespanMs =
    completed.length === users.length
      ? Math.max(...completed.map((job) => job.finishedAtMs ?? 0))
      : Number.NaN;
  const neededUnits = users.reduce((sum, user) => sum + unitsNeeded(user.mailbox), 0);
  const { index, windows } = fairness(plan, samples);
  return {
    ttfd_p95_ms: percentile(ttfdSaturated, 95),
    ttfd_p95_all_ms: percentile(ttfdAll, 95),
    sign_ins_while_saturated: ttfdSaturated.length,
    project_quota_utilisation: utilisation(plan, samples),
    errors_429: (last?.quotaRefusals ?? 0) + (last?.concurrencyRefusals ?? 0),
    fairness_jain: index,
    fairness_windows: windows,
    makespan_s: round(makespanMs / 1000, 1),
    makespan_ratio: round(makespanMs / (neededUnits / projectRatePerMs(plan)), 3),
    units_per_message: round(final.gmailUnits / Math.max(1, final.storedMessages), 3),
    completed: completed.length,
    users: users.length,
  };
}

/** The smallest instance's share of the batches done (an instance with none counts as 0). */
export function instanceShareMin(doneByOwner: number[], instances: number): number {
  const total = doneByOwner.reduce((sum, n) => sum + n, 0);
  if (!total) return Number.NaN;
  const shares = [...doneByOwner, ...Array(Math.max(0, instances - doneByOwner.length)).fill(0)];
  return round(Math.min(...shares) / total, 3);
}

export const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
