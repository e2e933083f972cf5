import type { QueueName, TaskKind, TaskPayload } from '@firstlight/contracts';

/**
 * The task queue port (ARCHITECTURE §1): Cloud Tasks in production and docker-compose, a durable queue in
 * Postgres in embedded mode. Delivery is at least once in both: every handler is idempotent.
 */

export interface TaskRequest<K extends TaskKind = TaskKind> {
  kind: K;
  queue: QueueName;
  /**
   * Unique per unit of work (`[A-Za-z0-9_-]`, derived from job, batch and generation): a second enqueue of the
   * same name is refused by the queue, so a retried "enqueue" never doubles the work.
   */
  name: string;
  payload: TaskPayload<K>;
  /** Not due before this long from now (pg-boss `startAfter`, Cloud Tasks `scheduleTime`). */
  delayMs?: number;
  /**
   * Work any instance should take (a user's next batch), not this process: the embedded queue neither hands it
   * to one of its own idle workers nor lets the worker that just enqueued it fetch it first (see
   * EmbeddedQueueOptions.spreadMs). Cloud Tasks pushes through the load balancer: nothing to do there.
   */
  anyInstance?: boolean;
}

export type TaskResult =
  | { outcome: 'done' }
  /** Not done: the queue retries with its backoff, no sooner than `retryAfterMs` when given. */
  | { outcome: 'retry'; reason: string; retryAfterMs?: number };

export interface TaskContext {
  name: string;
  /** 0 on the first delivery. */
  retryCount: number;
  /**
   * Aborted when this process stops (SIGINT/SIGTERM): a long handler hands its work back (lease released,
   * progress kept) and returns `retry`, so a shutdown never waits for a whole batch.
   */
  signal?: AbortSignal;
}

/** Runs one task: the payload is validated by the dispatcher against the kind's contract. */
export type TaskDispatcher = (kind: TaskKind, payload: unknown, context: TaskContext) => Promise<TaskResult>;

export interface TaskQueue {
  readonly description: string;
  /** `accepted: false` when a task of that name exists or existed (a duplicate). */
  enqueue(task: TaskRequest): Promise<{ accepted: boolean }>;
  /** Starts delivering tasks to the dispatcher (embedded) or lets the HTTP routes do it (Cloud Tasks). */
  start(dispatch: TaskDispatcher): Promise<void>;
  stop(): Promise<void>;
}

/** Task names: Cloud Tasks allows `[A-Za-z0-9_-]{1,500}`; ours stay short and readable. */
export function taskName(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9_-]/g, '_')).join('-');
}
