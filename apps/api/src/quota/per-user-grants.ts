import { abortableSleep } from '../lib/abortable-sleep.ts';
import type { Bucket, BudgetStore } from './quota-budget-repository.ts';
import type { QuotaAnswer, QuotaGrants, QuotaRequest, QuotaResource } from './quota-grants.ts';

/** One resource's per-user limit (GOOGLE-FACTS): units per window, and the fraction of it we aim at. */
export interface PerUserQuota {
  /** Gmail: 6,000 units per user per minute for new projects (15,000 for older ones). */
  unitsPerWindow: number;
  /** Google's window: 60,000 ms. A benchmark against a time-scaled emulator shortens it. */
  windowMs: number;
  /** Below 1 to leave room for the user's other clients. */
  utilisation: number;
}

export interface PerUserGrantsOptions {
  gmail: PerUserQuota;
  /** Calendar's per-user request quota; without it Calendar calls are not paced (what the product did before). */
  calendar?: PerUserQuota;
  /** Told of every unit granted, on the bucket's clock (tests check the quota over any window). */
  onGrant?: (grant: { resource: QuotaResource; user: string; units: number; atMs: number }) => void;
}

/**
 * `QUOTA_SCHEDULER=per-user`: the product's pacing before the project scheduler, behind the quota port. Each
 * user has a token bucket per resource in PostgreSQL (`PostgresBudgetStore`), so every instance pays from the
 * same bucket and a takeover never overshoots; there is no project budget and no priority class — the
 * `scale` benchmark's baseline. `tryTake` grants at most what the bucket holds at once (its capacity) when
 * `minUnits` allows, else the request whole; a request above the capacity that cannot be split (`take`, or
 * `minUnits` above it) is paid in instalments by the takers after it (the bucket goes negative).
 */
export class PerUserGrants implements QuotaGrants {
  readonly #options: PerUserGrantsOptions;
  /** Serialises this process's blocking waits per (resource, user): a big request is not starved by small ones. */
  readonly #lines = new Map<string, Promise<void>>();

  constructor(
    private readonly store: BudgetStore,
    options: PerUserGrantsOptions,
  ) {
    this.#options = options;
  }

  get userRatePerMs(): number {
    return ratePerMs(this.#options.gmail);
  }

  async tryTake(request: QuotaRequest): Promise<QuotaAnswer> {
    const quota = this.#quota(request.resource);
    if (!quota) return { granted: true, units: request.units };
    const bucket = bucketOf(quota);
    // No more than the bucket holds when the caller can use less: a grant above the capacity is paid in
    // instalments, and a window could then see up to (grant − capacity) more than Google allows.
    const units = Math.max(request.minUnits ?? request.units, Math.min(request.units, bucket.capacity));
    const result = await this.store.take(subjectOf(request.resource, request.user), units, bucket);
    if (!result.granted) {
      return { granted: false, retryInMs: result.waitMs, reason: result.blocked ? 'blocked' : 'quota' };
    }
    const { resource, user } = request;
    this.#options.onGrant?.({ resource, user, units, atMs: result.at });
    return { granted: true, units };
  }

  take(request: Omit<QuotaRequest, 'minUnits'>, signal?: AbortSignal): Promise<void> {
    const line = `${request.resource}:${request.user}`;
    const turn = (this.#lines.get(line) ?? Promise.resolve()).then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const answer = await this.tryTake(request);
        if (answer.granted) return;
        await abortableSleep(answer.retryInMs, signal);
      }
    });
    const settled = turn.catch(() => {});
    this.#lines.set(line, settled);
    // The line forgets a user once nobody waits behind this turn (thousands of users pass through a process).
    void settled.then(() => {
      if (this.#lines.get(line) === settled) this.#lines.delete(line);
    });
    return turn;
  }

  /** A user's 429 drains the bucket and holds the user in every instance. No project budget here: 'project' is a no-op. */
  async penalise(resource: QuotaResource, scope: { user: string } | 'project', ms: number): Promise<void> {
    if (scope === 'project' || !this.#quota(resource)) return;
    await this.store.block(subjectOf(resource, scope.user), ms);
  }

  /** No demands are recorded per user: nothing to withdraw. */
  async withdraw(): Promise<void> {}

  #quota(resource: QuotaResource): PerUserQuota | undefined {
    return resource === 'gmail' ? this.#options.gmail : this.#options.calendar;
  }
}

const ratePerMs = (quota: PerUserQuota) => (quota.unitsPerWindow * quota.utilisation) / quota.windowMs;

/**
 * The bucket's size is what the refill leaves unused of the window: a burst plus a full window of refill then
 * never exceeds Google's limit over any window (capacity + rate × window = unitsPerWindow).
 */
const bucketOf = (quota: PerUserQuota): Bucket => ({
  capacity: Math.max(1, quota.unitsPerWindow * (1 - quota.utilisation)),
  ratePerMs: ratePerMs(quota),
});

/** Gmail keeps the subject the pacer always used (`user:<id>`), so rows written before carry over. */
export const subjectOf = (resource: QuotaResource, user: string) =>
  resource === 'gmail' ? `user:${user}` : `${resource}-user:${user}`;
