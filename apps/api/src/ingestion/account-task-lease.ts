import { TaskPayloads } from '@firstlight/contracts';
import type { TaskContext, TaskResult } from '../tasks/index.ts';
import { type WorkLeaseDeps, withWorkLease } from './work-lease.ts';

type Handler = (payload: unknown, context: TaskContext) => Promise<TaskResult>;

/**
 * An account's calendar sync runs once at a time across instances (a sign-in's sync and the periodic one can
 * be delivered together, to different instances): the handler runs under the named lease
 * `calendar-sync:<account>`, renewed by the heartbeat. It gets the lease's signal as its task signal, aborted
 * when the lease is taken over or the process stops; it stops between steps then. A delivery finding the lease
 * held elsewhere is retried by the queue.
 */
export function leasedCalendarSync(handler: Handler, leases: WorkLeaseDeps): Handler {
  return async (payload, context) => {
    const { accountId } = TaskPayloads['calendar-sync'].parse(payload);
    let lost = false;
    const result = await withWorkLease(
      leases,
      `calendar-sync:${accountId}`,
      async (held) => {
        const outcome = await handler(payload, { ...context, signal: held.signal });
        lost = held.stopped === 'lease-lost';
        return outcome;
      },
      context.signal,
    );
    if (result === undefined) return { outcome: 'retry', reason: 'the calendar is syncing elsewhere' };
    // Taken over: the worker that holds the lease now finishes the sync.
    return lost ? { outcome: 'done' } : result;
  };
}
