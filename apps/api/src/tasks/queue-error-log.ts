/**
 * Where the task queue's errors go. While the database is away every worker's poll fails (52 workers, one poll
 * each 2 s): that is an outage the readiness check reports, not 26 error lines a second, so connection errors
 * are warnings, one per window with a count of the rest. Errors while the queue stops (a connection the
 * shutdown closed under a query) are expected and dropped. Anything else is an error.
 */

type Log = { warn(object: object, message: string): void; error(object: object, message: string): void };

const WINDOW_MS = 10_000;

/** Codes of a database that is away or going: refused or reset sockets, admin shutdown, crash recovery. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '08000',
  '08001',
  '08003',
  '08006',
]);

export class QueueErrorLog {
  readonly #log: Log | undefined;
  readonly #stopping: AbortSignal;
  #windowStart = 0;
  #suppressed = 0;

  constructor(log: Log | undefined, stopping: AbortSignal) {
    this.#log = log;
    this.#stopping = stopping;
  }

  static isConnectionError(error: unknown): boolean {
    const { code, message } = (error ?? {}) as { code?: string; message?: string };
    if (code && CONNECTION_CODES.has(code)) return true;
    // pg's own wording when a socket ends under a query or a pool cannot connect in time.
    return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
      message ?? '',
    );
  }

  report(error: Error): void {
    if (this.#stopping.aborted) return;
    if (!QueueErrorLog.isConnectionError(error)) {
      this.#log?.error({ err: error }, 'task queue error');
      return;
    }
    const now = Date.now();
    if (now - this.#windowStart < WINDOW_MS) {
      this.#suppressed++;
      return;
    }
    const suppressed = this.#suppressed;
    this.#windowStart = now;
    this.#suppressed = 0;
    this.#log?.warn(
      { err: error, ...(suppressed ? { suppressed } : {}) },
      'task queue: database unavailable; workers retry until it is back',
    );
  }
}
