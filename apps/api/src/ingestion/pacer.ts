import { abortableSleep } from '../lib/abortable-sleep.ts';
import type { InteractiveGate } from './interactive-gate.ts';
import type { Bucket, BudgetStore } from './quota-budget-repository.ts';

/**
 * Per-user pacing under Gmail's limits (GOOGLE-FACTS): a token bucket refilled at the per-user quota rate and
 * a cap on concurrent calls (Gmail's concurrency limit bites long before the quota). Callers `run` a call with
 * its quota units; a 429 from Google `penalise`s the user: the bucket is drained and calls wait out the backoff.
 *
 * The bucket lives in PostgreSQL (`BudgetStore`), not in this process: when another instance takes a user over
 * (a worker died, a batch moved) it pays from what the previous one left, so a takeover never overshoots the
 * quota. The concurrency cap stays per process: one batch per user runs at a time (a database lease), so one
 * process works a user's backfill at a time. Budgets are keyed by subject (`user:<id>`), so a project-wide
 * budget can be one more subject paid from in the same way.
 */

export interface PacerOptions {
  /** Gmail quota units per user per window (Google: 6,000 for new projects, 15,000 for older ones). */
  unitsPerWindow: number;
  /** Google's window: 60,000 ms. A benchmark against a time-scaled emulator shortens it. */
  windowMs: number;
  /** Fraction of the quota we aim at: below 1 to leave room for the user's other clients. */
  utilisation: number;
  /** Concurrent Gmail calls per user (a batch request counts once). */
  maxConcurrent: number;
  /** Where the buckets live (shared by every instance). */
  budgets: BudgetStore;
  /** Sign-ins in progress: background calls wait for them (bounded) before taking a slot. */
  interactive?: InteractiveGate;
  /** Told of every unit granted (tests check the quota over any window). */
  onGrant?: (user: string, units: number, atMs: number) => void;
}

interface UserState {
  inFlight: number;
  waiters: (() => void)[];
  /** Serialises token waits in this process so a big request cannot be starved by small ones. */
  queue: Promise<void>;
}

export const budgetSubject = (user: string) => `user:${user}`;

export class Pacer {
  readonly #users = new Map<string, UserState>();
  readonly #options: PacerOptions;

  constructor(options: PacerOptions) {
    this.#options = options;
  }

  /** Units per millisecond the bucket refills at. */
  get ratePerMs(): number {
    return (this.#options.unitsPerWindow * this.#options.utilisation) / this.#options.windowMs;
  }

  /**
   * The bucket's size: what the refill leaves unused of the window. A burst plus a full window of refill then
   * never exceeds Google's limit over any window: capacity + rate × window = unitsPerWindow.
   */
  get capacity(): number {
    return Math.max(1, this.#options.unitsPerWindow * (1 - this.#options.utilisation));
  }

  get #bucket(): Bucket {
    return { capacity: this.capacity, ratePerMs: this.ratePerMs };
  }

  /**
   * Waits for a concurrency slot and `units` tokens, then runs `call`. Units above the capacity (a 100-part
   * batch) are paid in instalments: the call starts once the bucket has paid for all of it. `signal` ends the
   * waits early (the work is handed back).
   */
  async run<T>(user: string, units: number, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#options.interactive?.idle();
    const state = this.#state(user);
    await this.#slot(state, signal);
    try {
      await this.#pay(user, state, units, signal);
      return await call();
    } finally {
      state.inFlight--;
      state.waiters.shift()?.();
    }
  }

  /** Google said 429: drain the bucket and hold every call of this user, in every instance, for `ms`. */
  async penalise(user: string, ms: number): Promise<void> {
    await this.#options.budgets.block(budgetSubject(user), ms);
  }

  async #slot(state: UserState, signal?: AbortSignal): Promise<void> {
    while (state.inFlight >= this.#options.maxConcurrent) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        // An aborted waiter leaves the line, so a freed slot wakes someone who still wants it.
        const onAbort = () => {
          state.waiters.splice(state.waiters.indexOf(wake) >>> 0, 1);
          resolve();
        };
        state.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    signal?.throwIfAborted();
    state.inFlight++;
  }

  #pay(user: string, state: UserState, units: number, signal?: AbortSignal): Promise<void> {
    const turn = state.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const result = await this.#options.budgets.take(budgetSubject(user), units, this.#bucket);
        if (result.granted) {
          this.#options.onGrant?.(user, units, result.at);
          return;
        }
        await abortableSleep(result.waitMs, signal);
      }
    });
    state.queue = turn.catch(() => {});
    return turn;
  }

  #state(user: string): UserState {
    let state = this.#users.get(user);
    if (!state) {
      state = { inFlight: 0, waiters: [], queue: Promise.resolve() };
      this.#users.set(user, state);
    }
    return state;
  }
}
