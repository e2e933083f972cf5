import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { pingDatabase } from './health-repository.ts';

/** What the rest of the app needs to know: can we reach the database now, and if not, why. */
export interface DatabaseState {
  available: boolean;
  /** The last probe's error while unavailable (for logs and /readyz; not sent to browsers). */
  reason: string | null;
}

export interface DatabaseStatusOptions {
  /** Probe period while the database answers (default 2 s): how soon an outage is noticed when idle. */
  probeEveryMs?: number;
  /** Probe period while it does not (default 1 s): how soon a recovery is noticed. */
  probeWhileDownMs?: number;
  /** A probe that has not answered by then counts as a failure (a black-holed host never refuses). */
  probeTimeoutMs?: number;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
}

/**
 * Watches the database with a cheap `select 1`, so an outage is told once — to the log and, through the
 * WebSocket route, to every open page — and so is the recovery. Work itself needs no gate: queue workers and
 * timers fail, retry later and resume on their own; this only makes the pause visible and honest.
 */
export class DatabaseStatus {
  #state: DatabaseState = { available: true, reason: null };
  readonly #listeners = new Set<(state: DatabaseState) => void>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #probing: Promise<DatabaseState> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: DatabaseStatusOptions,
  ) {}

  get state(): DatabaseState {
    return this.#state;
  }

  /** Called on each change (available ↔ unavailable). Returns the unsubscribe function. */
  onChange(listener: (state: DatabaseState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** Probes now (one probe at a time); resolves with the state it found. */
  probeNow(): Promise<DatabaseState> {
    this.#probing ??= this.#probe().finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #probe(): Promise<DatabaseState> {
    const timeoutMs = this.options.probeTimeoutMs ?? 3_000;
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([
      pingDatabase(this.db).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)) || 'unknown error',
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    this.#set(reason === null ? { available: true, reason: null } : { available: false, reason });
    return this.#state;
  }

  #set(next: DatabaseState): void {
    const changed = next.available !== this.#state.available;
    this.#state = next;
    if (!changed) return;
    if (next.available) this.options.log.info({}, 'database available again: work resumes');
    else
      this.options.log.warn(
        { reason: next.reason },
        'database unavailable: work is paused and resumes by itself when it is back',
      );
    for (const listener of this.#listeners) listener(next);
  }

  #schedule(): void {
    if (!this.#running) return;
    const every = this.#state.available
      ? (this.options.probeEveryMs ?? 2_000)
      : (this.options.probeWhileDownMs ?? 1_000);
    this.#timer = setTimeout(() => {
      void this.probeNow().finally(() => this.#schedule());
    }, every);
    this.#timer.unref();
  }
}
