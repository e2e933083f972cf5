import type { QueueSettings } from './options.ts';
import { TaskHeap } from './task-heap.ts';
import { TokenBucket } from './token-bucket.ts';

/** google.cloud.tasks.v2.HttpMethod names; proto-loader hands enums over as these strings. */
export const HTTP_METHODS = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpTarget {
  url: string;
  httpMethod: HttpMethod;
  headers: Record<string, string>;
  body: Buffer;
  oidcToken?: { serviceAccountEmail: string; audience?: string };
  oauthToken?: { serviceAccountEmail: string; scope?: string };
}

/** All times are epoch ms. */
export interface Attempt {
  scheduleTime: number;
  dispatchTime: number;
  responseTime?: number;
  /** google.rpc.Status derived from the HTTP answer (or the failure to get one). */
  responseStatus?: { code: number; message: string };
}

export interface TaskRecord {
  name: string;
  queueName: string;
  httpRequest: HttpTarget;
  scheduleTime: number;
  createTime: number;
  dispatchDeadlineMs: number;
  dispatchCount: number;
  responseCount: number;
  firstAttempt?: Attempt;
  lastAttempt?: Attempt;
  inFlight: boolean;
  /** HTTP code of the last attempt, sent as X-CloudTasks-TaskPreviousResponse on the next one. */
  previousResponse?: number;
  /** Why the last attempt failed, sent as X-CloudTasks-TaskRetryReason on the next one. */
  retryReason?: string;
}

export interface QueueStats {
  /** Attempts started (RunTask included). */
  dispatched: number;
  /** Tasks that got a 2xx and were removed. */
  succeeded: number;
  /** Tasks dropped because their retry budget ran out. */
  failed: number;
  /** Failed attempts that were scheduled again. */
  retried: number;
  inFlight: number;
  /** Tasks waiting in the queue (not in flight), due or scheduled later. */
  pending: number;
  maxObservedConcurrency: number;
}

export class QueueRecord {
  readonly tasks = new Map<string, TaskRecord>();
  /** Pending tasks ordered by schedule time, so each dispatch decision is O(log n). */
  readonly due = new TaskHeap<TaskRecord>();
  state: 'RUNNING' | 'PAUSED' = 'RUNNING';
  purgeTime: number | undefined;
  deleted = false;
  inFlight = 0;
  readonly counters = { dispatched: 0, succeeded: 0, failed: 0, retried: 0, maxObservedConcurrency: 0 };
  readonly bucket: TokenBucket;
  timer: NodeJS.Timeout | undefined;
  pumpQueued = false;

  constructor(
    readonly name: string,
    public settings: QueueSettings,
    now: number,
  ) {
    this.bucket = new TokenBucket(settings.rateLimits.maxDispatchesPerSecond, now);
  }

  stats(): QueueStats {
    let waiting = 0;
    for (const task of this.tasks.values()) if (!task.inFlight) waiting++;
    return { ...this.counters, inFlight: this.inFlight, pending: waiting };
  }
}
