import type { InteractiveGate } from './interactive-gate.ts';

/**
 * The per-process half of pacing: a cap on each user's concurrent calls (Gmail's concurrency limit bites long
 * before the quota), and background calls yield to sign-ins in progress. Quota units are not counted here:
 * they come from the quota port (`quota/`), shared by every instance; see quota-pacing.ts for how the two are
 * put together. The cap stays per process: one batch per user runs at a time (a database lease), so one
 * process works a user's backfill at a time.
 */

export interface PacerOptions {
  /** Concurrent Gmail calls per user (a batch request counts once). */
  maxConcurrent: number;
  /** Sign-ins in progress: background calls wait for them (bounded) before taking a slot. */
  interactive?: InteractiveGate;
}

interface UserState {
  inFlight: number;
  waiters: (() => void)[];
}

export class Pacer {
  readonly #users = new Map<string, UserState>();
  readonly #options: PacerOptions;

  constructor(options: PacerOptions) {
    this.#options = options;
  }

  /**
   * Waits for the sign-ins in progress and for one of the user's slots, then runs `call` (which pays its own
   * quota first). `signal` ends the waits early (the work is handed back).
   */
  async run<T>(user: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#options.interactive?.idle();
    const state = this.#state(user);
    await this.#slot(state, signal);
    try {
      return await call();
    } finally {
      state.inFlight--;
      const next = state.waiters.shift();
      // Thousands of users pass through a process: one nobody calls for or waits on is forgotten.
      if (next) next();
      else if (state.inFlight === 0) this.#users.delete(user);
    }
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

  #state(user: string): UserState {
    let state = this.#users.get(user);
    if (!state) {
      state = { inFlight: 0, waiters: [] };
      this.#users.set(user, state);
    }
    return state;
  }
}
