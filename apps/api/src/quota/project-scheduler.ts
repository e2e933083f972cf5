import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { QuotaConfig, ResourceQuota } from '../config.ts';
import { allowanceCap, planTick, type TickPlan, type TickRates } from './plan-tick.ts';
import type {
  CreditListener,
  QuotaAnswer,
  QuotaClass,
  QuotaGrants,
  QuotaRequest,
  QuotaResource,
} from './quota-grants.ts';
import { QuotaRepository, type TakeOutcome } from './quota-repository.ts';
import { QuotaTickRepository } from './quota-tick-repository.ts';

/** What the scheduler tells metrics: units granted by class, refusals by reason. */
export interface QuotaObserver {
  granted(resource: QuotaResource, cls: QuotaClass, units: number): void;
  refused(resource: QuotaResource, cls: QuotaClass, reason: 'quota' | 'daily_budget' | 'blocked'): void;
}

export interface ProjectSchedulerOptions {
  db: Kysely<Database>;
  config: Omit<QuotaConfig, 'scheduler'>;
  observer?: QuotaObserver;
  /** How long a refused caller's demand stays in the plan unless it asks again (default: 10 ticks, ≥ 5 s). */
  demandTtlMs?: number;
}

const DAY_MS = 86_400_000;
/**
 * A demand outlives the trip of a deferred batch through the task queue: the retry it was told (at most half of
 * this, see #refusal), the queue's spread and a worker's poll (pg-boss: up to 2 s). One that lapsed while its
 * batch slept would drop out of the plan.
 */
const DEMAND_TTL_MIN_MS = 5_000;
const RESOURCES: readonly QuotaResource[] = ['gmail', 'calendar'];

/**
 * The project-wide scheduler (issue 17): every instance grants from the allowances in PostgreSQL and every
 * instance runs the tick (`tick`, driven by quota-tick-loop.ts), which credits allowances from the demands —
 * priority classes, max-min fair within a class, each user under its own rate, the project under its target.
 * The interactive class spends from a reserve the ticks refill, so a first page never waits for the plan.
 */
export class ProjectQuotaScheduler implements QuotaGrants {
  readonly userRatePerMs: number;
  readonly tickMs: number;
  readonly #repository: QuotaRepository;
  readonly #ticks: QuotaTickRepository;
  readonly #config: Omit<QuotaConfig, 'scheduler'>;
  readonly #observer: QuotaObserver | undefined;
  readonly #demandTtlMs: number;
  readonly #creditListeners: CreditListener[] = [];

  constructor(options: ProjectSchedulerOptions) {
    this.#repository = new QuotaRepository(options.db);
    this.#ticks = new QuotaTickRepository(options.db);
    this.#config = options.config;
    this.#observer = options.observer;
    this.tickMs = options.config.tickMs;
    this.#demandTtlMs = options.demandTtlMs ?? Math.max(DEMAND_TTL_MIN_MS, 10 * this.tickMs);
    this.userRatePerMs = rates(options.config.gmail).user;
  }

  async tryTake(request: QuotaRequest): Promise<QuotaAnswer> {
    const quota = this.#config[request.resource];
    // At least one unit (grants are whole multiples of it), at most what an allowance can hold — or it would
    // never be granted.
    const cap = allowanceCap({ tickMs: this.tickMs, userRatePerMs: rates(quota).user });
    const asked = Math.min(request.minUnits ?? request.units, request.units);
    const minUnits = Math.max(1, Math.min(asked, Math.floor(cap)));
    const base = {
      resource: request.resource,
      subject: request.user,
      class: request.class,
      units: request.units,
      dailyLimit: quota.dailyUnits * this.#config.dailyClassShares[request.class],
    };
    const outcome =
      request.class === 'interactive'
        ? await this.#repository.takeFromReserve({
            ...base,
            reserveCap: this.#reserveCap(quota),
            // What the user's plan leaves of its window (1 − utilisation) absorbs a first page: only the rest is
            // charged to the user, so a sign-in's listing and first batch do not wait seconds for a debt.
            userMargin: (1 - quota.utilisation) * quota.userUnits,
            demandTtlMs: this.#demandTtlMs,
          })
        : await this.#repository.tryTake({ ...base, minUnits, demandTtlMs: this.#demandTtlMs });
    if (outcome.granted > 0) {
      this.#observer?.granted(request.resource, request.class, outcome.granted);
      return { granted: true, units: outcome.granted };
    }
    const refusal = this.#refusal(outcome, request, minUnits, base.dailyLimit);
    this.#observer?.refused(request.resource, request.class, refusal.reason);
    // Asked again after its demand would lapse: the demand is held until then, or the plan would forget the
    // caller (no turn, no credit, its debt not forgiven) and it would crawl at a fraction of its share.
    if (refusal.reason === 'quota' && refusal.retryInMs > this.#demandTtlMs / 2)
      await this.#repository.holdDemand(base, refusal.retryInMs, this.#demandTtlMs);
    return refusal;
  }

  async take(request: Omit<QuotaRequest, 'minUnits'>, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const answer = await this.tryTake(request);
      if (answer.granted) return;
      await sleep(answer.retryInMs, undefined, signal ? { signal } : {});
    }
  }

  async penalise(resource: QuotaResource, scope: { user: string } | 'project', ms: number): Promise<void> {
    if (scope === 'project') await this.#repository.penaliseProject(resource, ms);
    else await this.#repository.penaliseSubject(resource, scope.user, ms);
  }

  async withdraw(resource: QuotaResource, user: string): Promise<void> {
    await this.#repository.withdraw(resource, user);
  }

  /** Plans every resource once if it is due and no other instance is planning it; the plans made here. */
  async tick(): Promise<Map<QuotaResource, TickPlan>> {
    const plans = new Map<QuotaResource, TickPlan>();
    for (const resource of RESOURCES) {
      const plan = await this.tickResource(resource);
      if (plan) plans.set(resource, plan);
    }
    // After the plans committed: a listener reads the credits they wrote.
    for (const [resource, plan] of plans) {
      const credited = plan.credits.filter((c) => c.units > 0).map((c) => c.subject);
      if (credited.length > 0)
        for (const listener of this.#creditListeners) await listener(resource, credited);
    }
    return plans;
  }

  onCredited(listener: CreditListener): void {
    this.#creditListeners.push(listener);
  }

  async tickResource(resource: QuotaResource): Promise<TickPlan | undefined> {
    const quota = this.#config[resource];
    const rate = rates(quota);
    const tickRates: TickRates = {
      projectRatePerMs: rate.project,
      userRatePerMs: rate.user,
      tickMs: this.tickMs,
      reserveFraction: this.#config.interactiveReserve,
      reserveCap: this.#reserveCap(quota),
    };
    return this.#ticks.tick(resource, this.tickMs, async (state, write) => {
      const used = [...state.usedToday.values()].reduce((sum, units) => sum + units, 0);
      const plan = planTick(tickRates, {
        atMs: state.nowMs,
        elapsedMs: state.nowMs - state.lastTickMs,
        projectBlocked: state.projectBlocked,
        demands: state.demands,
        reserve: state.reserve,
        outstanding: state.outstanding,
        open: (cls) => used < quota.dailyUnits * this.#config.dailyClassShares[cls],
      });
      // The reserve first: an interactive take locks the reserve, then its user's allowance — the same order.
      if (plan.reserveRefill > 0) await write.refillReserve(plan.reserveRefill, plan.reserveCap);
      await write.credit(plan.credits);
      return plan;
    });
  }

  /** Today's units per class and the budget (ops figures). */
  async dailyUsage(resource: QuotaResource): Promise<{ byClass: Map<QuotaClass, number>; budget: number }> {
    return { byClass: await this.#repository.usedToday(resource), budget: this.#config[resource].dailyUnits };
  }

  /**
   * What a burst of sign-ins may spend before the ticks refill it: the reserve's share of a window, but never
   * more than the margin the utilisation target leaves (1 − utilisation of the limit) — a larger reserve, banked
   * and spent at once on top of a window's plan, would go over Google's limit. A waiting first page raises it to
   * its own cost (planTick).
   */
  #reserveCap(quota: ResourceQuota): number {
    const share = Math.min(this.#config.interactiveReserve * quota.utilisation, 1 - quota.utilisation);
    return share * quota.projectUnits;
  }

  #refusal(
    o: TakeOutcome,
    request: QuotaRequest,
    minUnits: number,
    dailyLimit: number,
  ): QuotaAnswer & { granted: false } {
    if (o.usedToday + minUnits > dailyLimit) {
      return { granted: false, reason: 'daily_budget', retryInMs: DAY_MS - (o.nowMs % DAY_MS) };
    }
    if (o.blockedUntilMs > o.nowMs)
      return { granted: false, reason: 'blocked', retryInMs: Math.ceil(o.blockedUntilMs - o.nowMs) };
    const windowMs = this.#config[request.resource].windowMs;
    // The reserve refills every tick; an allowance at the rate the user was last credited at.
    // While users take turns, the rate is the turn hint (plan-tick.ts): the estimate is the caller's turn.
    const missing = minUnits - o.tokens;
    const estimate =
      request.class !== 'interactive' && o.ratePerMs > 0 ? Math.ceil(missing / o.ratePerMs) : this.tickMs;
    return {
      granted: false,
      reason: 'quota',
      retryInMs: Math.min(windowMs, Math.max(this.tickMs, estimate)),
    };
  }
}

/** Planned rates per ms: each limit over its window, times the utilisation target. */
function rates(quota: ResourceQuota): { project: number; user: number } {
  return {
    project: (quota.projectUnits * quota.utilisation) / quota.windowMs,
    user: (quota.userUnits * quota.utilisation) / quota.windowMs,
  };
}
