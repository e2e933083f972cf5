import type { InteractiveGate } from './interactive-gate.ts';
/**
 * Per-user pacing under Gmail's limits (GOOGLE-FACTS): a token bucket refilled at the per-user quota rate and
 * a cap on concurrent calls (Gmail's concurrency limit bites long before the quota). Callers `acquire` the
 * call's quota units first; a 429 from Google `penalise`s the user: the bucket is drained and calls wait out
 * the backoff. Process-local on purpose: one batch in flight per user (a database lease) means one process
 * works a user at a time.
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
  /** Sign-ins in progress: background calls wait for them (bounded) before taking a slot. */
  interactive?: InteractiveGate;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface UserState {
  tokens: number;
  refilledAt: number;
  inFlight: number;
  waiters: (() => void)[];
  blockedUntil: number;
  /** Serialises token waits so a big request cannot be starved by small ones. */
  queue: Promise<void>;
}

export class Pacer {
  readonly #users = new Map<string, UserState>();
  readonly #options: Required<Omit<PacerOptions, 'interactive'>> & Pick<PacerOptions, 'interactive'>;

  constructor(options: PacerOptions) {
    this.#options = {
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
    };
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

  /**
   * Waits for a concurrency slot and `units` tokens, then runs `call`. Units above the capacity (a 100-part
   * batch) are paid in instalments: the call starts once the bucket has paid for all of it.
   */
  async run<T>(user: string, units: number, call: () => Promise<T>): Promise<T> {
    await this.#options.interactive?.idle();
    const state = this.#state(user);
    await this.#slot(state);
    try {
      await this.#pay(state, units);
      return await call();
    } finally {
      state.inFlight--;
      state.waiters.shift()?.();
    }
  }

  /** Google said 429: drain the bucket and hold every call of this user for `ms`. */
  penalise(user: string, ms: number): void {
    const state = this.#state(user);
    state.tokens = Math.min(state.tokens, 0);
    state.blockedUntil = Math.max(state.blockedUntil, this.#options.now() + ms);
  }

  async #slot(state: UserState): Promise<void> {
    while (state.inFlight >= this.#options.maxConcurrent) {
      await new Promise<void>((resolve) => state.waiters.push(resolve));
    }
    state.inFlight++;
  }

  #pay(state: UserState, units: number): Promise<void> {
    const turn = state.queue.then(async () => {
      for (;;) {
        const now = this.#options.now();
        if (state.blockedUntil > now) {
          await this.#options.sleep(state.blockedUntil - now);
          continue;
        }
        this.#refill(state, now);
        if (state.tokens >= Math.min(units, this.capacity)) {
          state.tokens -= units; // may go negative: the debt delays the next caller
          return;
        }
        const missing = Math.min(units, this.capacity) - state.tokens;
        await this.#options.sleep(Math.ceil(missing / this.ratePerMs));
      }
    });
    state.queue = turn.catch(() => {});
    return turn;
  }

  #refill(state: UserState, now: number): void {
    const elapsed = now - state.refilledAt;
    state.refilledAt = now;
    state.tokens = Math.min(this.capacity, state.tokens + elapsed * this.ratePerMs);
  }

  #state(user: string): UserState {
    let state = this.#users.get(user);
    if (!state) {
      state = {
        tokens: this.capacity,
        refilledAt: this.#options.now(),
        inFlight: 0,
        waiters: [],
        blockedUntil: 0,
        queue: Promise.resolve(),
      };
      this.#users.set(user, state);
    }
    return state;
  }
}
