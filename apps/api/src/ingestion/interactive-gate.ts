/**
 * Sign-ins in progress in this process. Background Google work (paced Gmail calls, task starts) waits while one
 * is, for at most `maxWaitMs` per wait: the first page is what a person is looking at, and on a small machine
 * dozens of backfill batches and calendar syncs would otherwise take the CPU (and the event loop) it needs.
 * Measured with `npm run bench -- load` (200 sign-ins in 10 s): see bench/README.md.
 * The bound keeps background work moving under a steady stream of sign-ins, only slower.
 */
export class InteractiveGate {
  #active = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly maxWaitMs: number) {}

  /** Marks one interactive request; call the returned function when it is done (idempotent). */
  enter(): () => void {
    this.#active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#active--;
      if (this.#active > 0) return;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const resume of waiters) resume();
    };
  }

  get busy(): boolean {
    return this.#active > 0;
  }

  /** Resolves at once when no sign-in is in progress, else when the last one ends or after `maxWaitMs`. */
  async idle(): Promise<void> {
    if (this.#active === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.maxWaitMs);
      timer.unref();
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
