import { errorKey, RepeatFilter } from '../lib/repeat-filter.ts';
import type { ProjectQuotaScheduler } from './project-scheduler.ts';

interface LoopLog {
  error(object: unknown, message: string): void;
}

/**
 * Runs the scheduler's tick on this instance every `tickMs`. Every instance runs one: the tick itself decides
 * (the clock row, `skip locked`) whether this instance plans this time, so there is no leader to elect and a
 * dead instance's turn is simply taken by the next. Ticks never overlap within the process.
 */
export class QuotaTickLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  // A database outage fails every tick of every instance: a line a minute, not ten a second.
  readonly #errors = new RepeatFilter(60_000);

  constructor(
    private readonly scheduler: Pick<ProjectQuotaScheduler, 'tick' | 'tickMs'>,
    private readonly log: LoopLog,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Stops the loop and waits for a tick in progress (its transaction) to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#once().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
      // Twice a tick period: with several instances one of them starts a due tick soon after it is due.
    }, this.scheduler.tickMs / 2);
    this.#timer.unref();
  }

  async #once(): Promise<void> {
    try {
      await this.scheduler.tick();
    } catch (error) {
      // The next tick (here or on another instance) plans again; a missed tick only delays credits.
      const repeat = this.#errors.pass(errorKey('quota tick', error));
      if (repeat) this.log.error({ err: error, suppressed: repeat.suppressed }, 'quota tick failed');
    }
  }
}
