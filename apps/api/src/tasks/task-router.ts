import type { TaskKind } from '@firstlight/contracts';
import type { TaskContext, TaskDispatcher, TaskResult } from './task-queue.ts';

/** One handler per task kind; each validates its own payload against the kind's contract. */
export type TaskHandlers = {
  [K in TaskKind]?: (payload: unknown, context: TaskContext) => Promise<TaskResult>;
};

/** Routes a delivered task to its capability's handler (ingestion, calendar, ...). */
export function routeTasks(handlers: TaskHandlers): TaskDispatcher {
  return async (kind, payload, context) => {
    const handler = handlers[kind];
    // A kind this deployment does not handle: let the queue retry it (a rolling deploy may be halfway).
    if (!handler) return { outcome: 'retry', reason: `no handler for task kind ${kind}` };
    return handler(payload, context);
  };
}
