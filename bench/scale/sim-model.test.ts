import { describe, expect, it } from 'vitest';
import { summarise } from './figures.ts';
import { planFromEnv, projectUnits, type ScalePlan, type ScaleUser, usersOf } from './plan.ts';
import { Simulation } from './sim-model.ts';

const plan = planFromEnv({
  USERS: '300',
  SPREAD_MS: '60000',
  MAILBOX_MIN: '60',
  MAILBOX_MAX: '1500',
  PROJECT_BACKFILLS: '30',
  WINDOW_MS: '6000',
  USER_UNITS: '900',
});

function run(
  mode: 'project' | 'baseline',
  debt: 'user' | 'project' = 'user',
  p: ScalePlan = plan,
  users: ScaleUser[] = usersOf(p),
) {
  const simulation = new Simulation(p, users, {
    mode,
    tickMs: 100,
    sampleEveryMs: p.windowMs / 4,
    firstPageBaseMs: 500,
    debt,
  });
  simulation.run(3_600_000);
  const stored = simulation.users.reduce((sum, user) => sum + user.stored, 0);
  const figures = summarise(p, users, simulation.samples, {
    storedMessages: stored,
    gmailUnits: simulation.samples.at(-1)!.gmailUnits,
  });
  return { simulation, figures };
}

/** The most units spent in one window (samples every quarter window: i-4 .. i is one whole window). */
function busiestWindow(simulation: Simulation): number {
  const { samples } = simulation;
  let most = 0;
  for (let i = 4; i < samples.length; i++)
    most = Math.max(most, samples[i]!.gmailUnits - samples[i - 4]!.gmailUnits);
  return most;
}

describe('the scheduler simulation', () => {
  it('never spends more than the project limit in any window, and finishes every backfill', () => {
    const { simulation, figures } = run('project');
    expect(busiestWindow(simulation)).toBeLessThanOrEqual(projectUnits(plan));
    expect(figures.completed).toBe(plan.users);
    expect(figures.errors_429).toBe(0);
    expect(figures.fairness_jain).toBeGreaterThan(0.95);
  });

  it('first pages wait for the reserve, not for the backfills', () => {
    const { figures } = run('project');
    expect(figures.sign_ins_while_saturated).toBeGreaterThan(plan.users / 2);
    // One tick (100 ms) over the 500 ms a first page takes once granted.
    expect(figures.ttfd_p95_ms).toBeLessThanOrEqual(600);
  });

  it('a burst of sign-ins after a quiet spell spends the banked reserve without passing the limit', () => {
    // 40 users with large mailboxes (the project stays saturated), nobody for five windows (the reserve
    // banks), then 60 at the same moment.
    const burst = { ...plan, users: 100 };
    const users = usersOf(burst).map((user, i) =>
      i < 40 ? { ...user, mailbox: 3_000, signInAtMs: i * 100 } : { ...user, signInAtMs: 30_000 },
    );
    const { simulation } = run('project', 'user', burst, users);
    expect(busiestWindow(simulation)).toBeLessThanOrEqual(projectUnits(plan));
  });

  it("a reserve smaller than the sign-ins' need makes first pages queue", () => {
    const { figures } = run('project', 'user', { ...plan, interactiveReserve: 0.05 });
    expect(figures.ttfd_p95_ms).toBeGreaterThan(5_000);
  });

  it("charging a first page to the project's credit a second time wastes units", () => {
    const user = run('project', 'user').figures.project_quota_utilisation;
    const project = run('project', 'project').figures.project_quota_utilisation;
    expect(user).toBeGreaterThan(project);
  });

  it('without a project plan, Google refuses what does not fit', () => {
    const { figures } = run('baseline');
    expect(figures.errors_429).toBeGreaterThan(0);
    expect(figures.completed).toBe(plan.users);
  });
});
