import http from 'node:http';
import https from 'node:https';
import { attemptsExhausted, backoffMs, retryAfterMs } from './backoff.ts';
import { type AttemptOutcome, rpcCodeForHttp, sendAttempt, targetHeaders } from './http-attempt.ts';
import type { Attempt, QueueRecord, TaskRecord } from './model.ts';
import { shortQueueId, shortTaskId } from './names.ts';
import type { OidcSigner } from './oidc.ts';

export interface DispatcherDeps {
  signer: OidcSigner;
  /** Called when a task leaves its queue for good, so its name stays reserved. */
  retire(task: TaskRecord, now: number): void;
  log: ((line: string) => void) | undefined;
}

/**
 * Starts attempts for due tasks within each queue's rate (token bucket) and concurrency limits, and
 * decides after each attempt: done, retry with backoff, or drop.
 */
export class Dispatcher {
  private closed = false;
  // Own agents, destroyed on close, so keep-alive sockets to targets never outlive the emulator.
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };

  constructor(private readonly deps: DispatcherDeps) {}

  /** Coalesces wake-ups: many attempts settling in one tick lead to one pass over the queue. */
  schedule(queue: QueueRecord): void {
    if (queue.pumpQueued || this.closed) return;
    queue.pumpQueued = true;
    setImmediate(() => {
      queue.pumpQueued = false;
      this.pump(queue);
    });
  }

  /** RunTask: dispatch now, ignoring pause and rate limits (Cloud Tasks does the same). */
  runNow(queue: QueueRecord, task: TaskRecord): void {
    if (!task.inFlight) this.start(queue, task, Date.now());
  }

  stop(queue: QueueRecord): void {
    clearTimeout(queue.timer);
    queue.timer = undefined;
  }

  close(): void {
    this.closed = true;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private pump(queue: QueueRecord): void {
    this.stop(queue);
    if (this.closed || queue.deleted || queue.state !== 'RUNNING') return;
    const now = Date.now();
    const { maxConcurrentDispatches } = queue.settings.rateLimits;
    let wakeAt: number | undefined;
    for (;;) {
      const task = queue.due.peek((candidate) => queue.tasks.get(candidate.name) === candidate);
      if (!task) break;
      if (task.scheduleTime > now) {
        wakeAt = task.scheduleTime;
        break;
      }
      // Full: the next settle calls schedule() again.
      if (queue.inFlight >= maxConcurrentDispatches) break;
      if (!queue.bucket.tryTake(now)) {
        wakeAt = now + queue.bucket.waitMs(now);
        break;
      }
      queue.due.pop();
      this.start(queue, task, now);
    }
    if (wakeAt !== undefined) queue.timer = setTimeout(() => this.pump(queue), Math.max(0, wakeAt - now));
  }

  private start(queue: QueueRecord, task: TaskRecord, now: number): void {
    const retryCount = task.dispatchCount;
    task.inFlight = true;
    task.dispatchCount += 1;
    queue.inFlight += 1;
    queue.counters.dispatched += 1;
    queue.counters.maxObservedConcurrency = Math.max(queue.counters.maxObservedConcurrency, queue.inFlight);
    const attempt: Attempt = { scheduleTime: task.scheduleTime, dispatchTime: now };
    // Google keeps only the dispatch time of the first attempt.
    task.firstAttempt ??= { scheduleTime: task.scheduleTime, dispatchTime: now };
    task.lastAttempt = attempt;
    const headers = targetHeaders(
      task.httpRequest,
      this.cloudTasksHeaders(task, retryCount),
      this.authorization(task, now),
    );
    this.deps.log?.(
      `dispatch ${task.name} try ${retryCount} → ${task.httpRequest.httpMethod} ${task.httpRequest.url}`,
    );
    void sendAttempt(task.httpRequest, headers, task.dispatchDeadlineMs, this.agents).then((outcome) =>
      this.settle(queue, task, attempt, outcome),
    );
  }

  private cloudTasksHeaders(task: TaskRecord, retryCount: number): Record<string, string> {
    const headers: Record<string, string> = {
      'X-CloudTasks-QueueName': shortQueueId(task.queueName),
      'X-CloudTasks-TaskName': shortTaskId(task.name),
      'X-CloudTasks-TaskRetryCount': String(retryCount),
      'X-CloudTasks-TaskExecutionCount': String(task.responseCount),
      'X-CloudTasks-TaskETA': (task.scheduleTime / 1000).toFixed(6),
    };
    if (task.previousResponse !== undefined) {
      headers['X-CloudTasks-TaskPreviousResponse'] = String(task.previousResponse);
    }
    if (task.retryReason !== undefined) headers['X-CloudTasks-TaskRetryReason'] = task.retryReason;
    return headers;
  }

  private authorization(task: TaskRecord, now: number): string | undefined {
    const oidc = task.httpRequest.oidcToken;
    if (!oidc) return undefined;
    // Google: the audience defaults to the target URL.
    const audience = oidc.audience || task.httpRequest.url;
    return `Bearer ${this.deps.signer.sign({ serviceAccountEmail: oidc.serviceAccountEmail, audience }, now)}`;
  }

  private settle(queue: QueueRecord, task: TaskRecord, attempt: Attempt, outcome: AttemptOutcome): void {
    const now = Date.now();
    task.inFlight = false;
    queue.inFlight -= 1;
    const ok = outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
    recordOutcome(task, attempt, outcome, now);
    // Deleted or purged while in flight (or the queue is gone): the answer changes nothing.
    if (queue.deleted || queue.tasks.get(task.name) !== task) {
      if (ok) queue.counters.succeeded += 1;
      this.schedule(queue);
      return;
    }
    if (ok) {
      queue.counters.succeeded += 1;
      this.remove(queue, task, now);
    } else if (
      attemptsExhausted(queue.settings.retryConfig, task.dispatchCount, task.firstAttempt!.dispatchTime, now)
    ) {
      queue.counters.failed += 1;
      this.deps.log?.(`drop ${task.name} after ${task.dispatchCount} attempts (${describe(outcome)})`);
      this.remove(queue, task, now);
    } else {
      queue.counters.retried += 1;
      let delay = backoffMs(queue.settings.retryConfig, task.dispatchCount);
      if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503)) {
        delay = Math.max(delay, retryAfterMs(outcome.retryAfter, now) ?? 0);
      }
      task.scheduleTime = now + delay;
      queue.due.push(task);
    }
    this.schedule(queue);
  }

  private remove(queue: QueueRecord, task: TaskRecord, now: number): void {
    queue.tasks.delete(task.name);
    this.deps.retire(task, now);
  }
}

function recordOutcome(task: TaskRecord, attempt: Attempt, outcome: AttemptOutcome, now: number): void {
  if (outcome.kind === 'response') {
    task.responseCount += 1;
    attempt.responseTime = now;
    attempt.responseStatus = { code: rpcCodeForHttp(outcome.status), message: `HTTP ${outcome.status}` };
    task.previousResponse = outcome.status;
    task.retryReason = 'HTTP_ERROR';
  } else if (outcome.kind === 'timeout') {
    attempt.responseStatus = { code: 4, message: 'dispatch deadline exceeded' };
    task.previousResponse = undefined;
    task.retryReason = 'DEADLINE_EXCEEDED';
  } else {
    attempt.responseStatus = { code: 14, message: outcome.message };
    task.previousResponse = undefined;
    task.retryReason = 'UNAVAILABLE';
  }
}

const describe = (outcome: AttemptOutcome) =>
  outcome.kind === 'response'
    ? `HTTP ${outcome.status}`
    : outcome.kind === 'timeout'
      ? 'timeout'
      : outcome.message;
