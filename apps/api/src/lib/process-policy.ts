import type { pino } from 'pino';
import { errorKey, RepeatFilter } from './repeat-filter.ts';

/**
 * An unhandled rejection is a bug (a promise nobody awaited or caught: ours, or a library's — pg-boss 10's
 * `Manager.fail` during a database outage), never a reason to stop serving: Node's default
 * (`--unhandled-rejections=throw`) would end the process and every user's backfill with it. We log it at
 * error level, once per distinct cause per `REPEAT_MS`, and keep running; tests fail on such a line.
 *
 * Uncaught exceptions keep Node's default (the process exits, after the exit hooks): after a synchronous
 * throw nobody caught, state may be half-updated. Every 'error' emitter of ours has a listener instead.
 */
const REPEAT_MS = 10 * 60_000;

export function keepRunningOnUnhandledRejection(log: pino.Logger): void {
  const filter = new RepeatFilter(REPEAT_MS);
  process.on('unhandledRejection', (reason) => {
    const passed = filter.pass(errorKey('unhandled rejection', reason));
    if (!passed) return;
    log.error(
      { err: reason, ...(passed.suppressed ? { suppressedRepeats: passed.suppressed } : {}) },
      'unhandled rejection (a bug; the process keeps running)',
    );
  });
}
