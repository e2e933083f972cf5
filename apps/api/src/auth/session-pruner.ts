import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { errorKey, RepeatFilter } from '../lib/repeat-filter.ts';
import { pruneSessions, type SessionPolicy } from './session-service.ts';

export interface SessionPrunerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/**
 * Deletes expired and idle session rows: at start, then every `everyMs`. Expired rows already let nobody in
 * (every lookup checks both limits); pruning keeps the table, and what a database leak would hold, small.
 * Every instance runs its own: the DELETE is idempotent, a second instance finds nothing left to do.
 */
export class SessionPruner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly #errors = new RepeatFilter(3_600_000);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly policy: SessionPolicy & { pruneEveryMs: number },
    private readonly log: SessionPrunerLogger,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#tick();
  }

  /** Stops the timer and waits for a prune in progress (so the pool can close under it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #tick(): void {
    this.#running = this.#prune().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#tick(), this.policy.pruneEveryMs);
      this.#timer.unref();
    });
  }

  async #prune(): Promise<void> {
    try {
      const deleted = await pruneSessions(this.db, this.policy);
      if (deleted > 0) this.log.info({ deleted }, 'pruned expired sessions');
    } catch (error) {
      // The database may be away (an outage): the next run catches up.
      if (this.#errors.pass(errorKey('session prune', error))) {
        this.log.warn({ err: error }, 'could not prune expired sessions');
      }
    }
  }
}
