import { type AllocationDemand, allocate } from '@firstlight/api';
import {
  FIRST_PAGE_UNITS,
  type Mode,
  projectRatePerMs,
  type ScalePlan,
  type ScaleUser,
  seededRandom,
  UNITS_PER_GET,
  unitsNeeded,
  userRatePerMs,
} from './plan.ts';
import type { JobState, Sample } from './sampler.ts';

/**
 * The discrete-event model of the quota scheduler (design-17 § project scheduler), one tick at a time:
 * sign-ins arrive on the plan's schedule; a first page spends from the interactive reserve; backfills ask
 * for units in their tier's class (`high` for the first 1,000 messages after the first page, `low` after);
 * each tick the product's own `allocate` splits the project's credit under every user's rate; a user spends
 * its allowance in whole messages. `baseline`: no plan — each user spends at its own rate and Google's
 * project window refuses what does not fit (counted as 429s, retried next tick). CPU, latency and the queue
 * are not modelled: the model shows what the scheduler allows, the real run what the machine then does.
 */

export const HIGH_TIER_MESSAGES = 1_000;

interface SimUser extends ScaleUser {
  /** Units of backfill still to spend (listing included), after the first page. */
  unitsLeft: number;
  stored: number;
  allowance: number;
  spent: number;
  firstDataMs: number | null;
  finishedAtMs: number | null;
  backoffs: number;
  backoffUntil: number;
  /** First-page units not yet taken off the user's own rate. */
  debt: number;
  /** Its first page found the reserve (or, baseline, Google's window) without the units. */
  waited: boolean;
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export interface SimOptions {
  mode: Mode;
  tickMs: number;
  sampleEveryMs: number;
  /** Server time of a first page once its units are granted (the product's own ttfd without waiting). */
  firstPageBaseMs: number;
  /** Who pays a first page's units back: see #capAfterDebt. */
  debt: 'user' | 'project';
}

export class Simulation {
  readonly samples: Sample[] = [];
  readonly users: SimUser[];
  #now = 0;
  #reserve = 0;
  #projectUnits = 0;
  #refusals = 0;
  readonly #random: () => number;
  /** Units charged per tick over the last window (Google's sliding window, baseline mode). */
  readonly #window: number[] = [];

  constructor(
    readonly plan: ScalePlan,
    users: ScaleUser[],
    readonly options: SimOptions,
  ) {
    this.users = users.map((user) => ({
      ...user,
      unitsLeft: unitsNeeded(user.mailbox) - FIRST_PAGE_UNITS(Math.min(plan.firstPage, user.mailbox)),
      stored: 0,
      allowance: 0,
      spent: 0,
      firstDataMs: null,
      finishedAtMs: null,
      backoffs: 0,
      backoffUntil: 0,
      debt: 0,
      waited: false,
    }));
    this.#random = seededRandom(plan.seed + 1);
  }

  run(maxMs: number): void {
    let nextSample = 0;
    while (this.#now <= maxMs) {
      this.#tick();
      if (this.#now >= nextSample) {
        this.samples.push(this.#sample());
        nextSample += this.options.sampleEveryMs;
      }
      if (this.users.every((user) => user.finishedAtMs !== null)) break;
      this.#now += this.options.tickMs;
    }
    this.samples.push(this.#sample());
  }

  #tick(): void {
    const signedIn = this.users.filter((user) => user.signInAtMs <= this.#now && user.finishedAtMs === null);
    if (this.options.mode === 'baseline') this.#baselineTick(signedIn);
    else this.#scheduledTick(signedIn);
  }

  #scheduledTick(signedIn: SimUser[]): void {
    const { tickMs } = this.options;
    const credit = projectRatePerMs(this.plan) * this.plan.utilisation * tickMs;
    // A full reserve's refill goes to the background classes. The bank is what the utilisation target leaves
    // of a window (at least one first page): background at the full credit plus the bank spent at once then
    // stays under Google's limit. A window's worth of refill (the first cap tried) overshot it by 36 %
    // after a quiet spell (sim-model.test.ts, the burst).
    const reserveCap = Math.max(
      FIRST_PAGE_UNITS(this.plan.firstPage),
      (1 - this.plan.utilisation) * projectRatePerMs(this.plan) * this.plan.windowMs,
    );
    const refill = Math.min(credit * this.plan.interactiveReserve, Math.max(0, reserveCap - this.#reserve));
    this.#reserve += refill;
    for (const user of signedIn) {
      if (user.firstDataMs !== null) continue;
      const cost = FIRST_PAGE_UNITS(Math.min(this.plan.firstPage, user.mailbox));
      if (this.#reserve < cost) {
        // First come, first served: this one and every later one wait for the next ticks' refill.
        for (const waiting of signedIn) if (waiting.firstDataMs === null) waiting.waited = true;
        break;
      }
      this.#reserve -= cost;
      this.#firstPage(user, cost);
      user.debt += cost; // the user's window paid it too
    }
    const demands: AllocationDemand[] = signedIn.flatMap((user) =>
      user.firstDataMs === null || user.unitsLeft <= 0
        ? []
        : [
            {
              key: user.email,
              user: user.email,
              class: this.#tier(user),
              wants: user.unitsLeft - user.allowance,
            },
          ],
    );
    const userCap = userRatePerMs(this.plan) * this.plan.utilisation * tickMs;
    const capOf = new Map(signedIn.map((user) => [user.email, this.#capAfterDebt(user, userCap)]));
    const grants = allocate({ capacity: credit - refill, demands, userCap: (user) => capOf.get(user) ?? 0 });
    for (const user of signedIn) {
      const grant = grants.get(user.email) ?? 0;
      // Unused credit never grows into a burst: the allowance holds at most two ticks of the user's rate.
      user.allowance = Math.min(user.allowance + grant, Math.max(UNITS_PER_GET, 2 * userCap));
      this.#spend(user, Math.floor(Math.max(0, user.allowance) / UNITS_PER_GET) * UNITS_PER_GET);
    }
  }

  /** Per-user pacing alone; Google's window (the project limit) refuses what does not fit. */
  #baselineTick(signedIn: SimUser[]): void {
    const userUnits = userRatePerMs(this.plan) * this.plan.utilisation * this.options.tickMs;
    const ticksPerWindow = Math.max(1, Math.round(this.plan.windowMs / this.options.tickMs));
    const limit = projectRatePerMs(this.plan) * this.plan.windowMs;
    let used = this.#window.reduce((sum, units) => sum + units, 0);
    let charged = 0;
    // Google answers whoever's call arrives first: no order among users.
    for (const user of shuffled(signedIn, this.#random)) {
      if (user.backoffUntil > this.#now) continue;
      user.allowance = Math.min(user.allowance + userUnits, this.plan.userUnits * this.plan.utilisation);
      const firstPage = user.firstDataMs === null;
      const cost = firstPage
        ? FIRST_PAGE_UNITS(Math.min(this.plan.firstPage, user.mailbox))
        : Math.floor(Math.min(user.allowance, user.unitsLeft + UNITS_PER_GET) / UNITS_PER_GET) *
          UNITS_PER_GET;
      if (cost <= 0 || (!firstPage && user.allowance < cost)) continue;
      if (used + cost > limit) {
        // Every part of the refused call is a 429; the caller backs off (doubling, at most a window).
        this.#refusals += Math.ceil(cost / UNITS_PER_GET);
        if (firstPage) user.waited = true;
        user.backoffs++;
        user.backoffUntil =
          this.#now + Math.min(this.plan.windowMs, this.options.tickMs * 2 ** user.backoffs);
        continue;
      }
      user.backoffs = 0;
      used += cost;
      charged += cost;
      user.allowance -= cost;
      if (firstPage) this.#firstPage(user, cost);
      else this.#spend(user, cost, false);
    }
    this.#window.push(charged);
    if (this.#window.length > ticksPerWindow) this.#window.shift();
  }

  /**
   * A first page's units count against the user's own window, so its next ticks' rate is smaller. `user`
   * (default): the debt lowers the user's cap and leaves the project's credit to others. `project`
   * (SIM_DEBT=project, design-17 as written: interactive also charged to the allowance): the project's
   * credit pays the debt a second time — measured at ~7 points of utilisation at 1,000 sign-ins.
   */
  #capAfterDebt(user: SimUser, userCap: number): number {
    if (user.debt <= 0) return userCap;
    const repaid = Math.min(user.debt, userCap);
    user.debt -= repaid;
    if (this.options.debt === 'project') {
      user.allowance -= repaid;
      return userCap;
    }
    return userCap - repaid;
  }

  #firstPage(user: SimUser, cost: number): void {
    // A take from a reserve that has the units answers at once; one that was refused waited until this tick.
    const waitedMs = user.waited ? this.#now - user.signInAtMs : 0;
    user.firstDataMs = Math.round(waitedMs + this.options.firstPageBaseMs);
    user.stored += Math.min(this.plan.firstPage, user.mailbox);
    user.spent += cost;
    this.#projectUnits += cost;
    if (user.unitsLeft <= 0) user.finishedAtMs = this.#now;
  }

  #spend(user: SimUser, units: number, fromAllowance = true): void {
    const spend = Math.min(units, Math.ceil(user.unitsLeft / UNITS_PER_GET) * UNITS_PER_GET);
    if (spend <= 0) return;
    if (fromAllowance) user.allowance -= spend;
    user.unitsLeft -= spend;
    user.spent += spend;
    user.stored = Math.min(user.mailbox, user.stored + spend / UNITS_PER_GET);
    this.#projectUnits += spend;
    if (user.unitsLeft <= 0) {
      user.finishedAtMs = this.#now;
      user.stored = user.mailbox;
    }
  }

  #tier(user: SimUser): 'high' | 'low' {
    return user.stored < this.plan.firstPage + HIGH_TIER_MESSAGES ? 'high' : 'low';
  }

  #sample(): Sample {
    const jobs = new Map<string, JobState>();
    const units = new Map<string, number>();
    for (const user of this.users) {
      if (user.signInAtMs > this.#now) continue;
      const done = user.finishedAtMs !== null;
      jobs.set(user.email, {
        status: done ? 'complete' : 'running',
        tier: done || user.firstDataMs === null ? null : this.#tier(user),
        firstPageDone: user.firstDataMs !== null,
        createdAtMs: user.signInAtMs,
        finishedAtMs: user.finishedAtMs,
        firstDataMs: user.firstDataMs,
      });
      units.set(user.email, user.spent);
    }
    return {
      atMs: this.#now,
      gmailUnits: this.#projectUnits,
      units,
      quotaRefusals: this.#refusals,
      concurrencyRefusals: 0,
      jobs,
    };
  }
}
