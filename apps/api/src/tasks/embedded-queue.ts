import { createHash } from 'node:crypto';
import { QueueName, TaskKind } from '@firstlight/contracts';
import PgBoss from 'pg-boss';
import type { TaskDispatcher, TaskQueue, TaskRequest } from './task-queue.ts';

/**
 * The embedded adapter: pg-boss, durable in the product's own PostgreSQL (schema `pgboss`), with the retry and
 * backoff semantics the Cloud Tasks queues are configured with. A task's name becomes its job id (a UUID
 * derived from the name), so a duplicate enqueue is refused exactly like Cloud Tasks' ALREADY_EXISTS.
 */

export interface EmbeddedQueueOptions {
  connectionString: string;
  /** Workers per queue in this process. */
  concurrency?: Partial<Record<QueueName, number>>;
  /** Retry policy (Cloud Tasks: minBackoff / doublings); seconds. */
  retryDelaySeconds?: number;
  retryLimit?: number;
  pollingIntervalSeconds?: number;
  log?: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

interface JobData {
  kind: TaskKind;
  name: string;
  payload: unknown;
}

/**
 * A Gmail batch holds its worker while the user's pacer spaces its calls (~50 s for 1,000 messages at Google's
 * per-user quota), so a worker mostly waits on Google: the ingest queues need about one worker per user being
 * backfilled at once, not one per core. With 4 per queue, 200 users signing in within 10 s had no message
 * backfilled in the following minute: the high queue was still working through their listers and calendar syncs
 * (bench `load`; the figures for 4, 16/32 and 48 workers are in bench/README.md). Sign-ins still come first:
 * background work yields to callbacks in progress (InteractiveGate).
 */
/**
 * Polls find what no wake-up announced: delayed tasks, retries, tasks enqueued by another process. Every worker
 * polls on its own, so 52 workers at 0.5 s would be ~100 queries a second on an idle instance.
 */
const DEFAULT_POLLING_SECONDS = 2;

export const DEFAULT_WORKERS: Record<QueueName, number> = {
  'ingest-high': 16,
  'ingest-low': 32,
  writeback: 4,
};

export class EmbeddedTaskQueue implements TaskQueue {
  readonly description = 'embedded task queue (pg-boss in PostgreSQL)';
  readonly #boss: PgBoss;
  readonly #options: EmbeddedQueueOptions;
  readonly #workers = new Map<QueueName, string[]>();
  /** Workers running a task now. */
  readonly #busy = new Set<string>();
  readonly #lastWoken = new Map<QueueName, number>();
  #started = false;

  constructor(options: EmbeddedQueueOptions) {
    this.#options = options;
    this.#boss = new PgBoss({
      connectionString: options.connectionString,
      // Few connections: the API's own pool matters more.
      max: 4,
      // Maintenance (archiving, expiry) in the background; schedules are not used.
      schedule: false,
    });
    this.#boss.on('error', (error) => options.log?.error({ err: error }, 'task queue error'));
  }

  async enqueue(task: TaskRequest): Promise<{ accepted: boolean }> {
    await this.#ensureStarted();
    const data: JobData = { kind: task.kind, name: task.name, payload: task.payload };
    const id = await this.#boss.send(task.queue, data, {
      id: uuidFromName(task.name),
      retryLimit: this.#options.retryLimit ?? 100,
      retryDelay: this.#options.retryDelaySeconds ?? 1,
      retryBackoff: true,
      // A handler that hangs past this is failed and retried (Cloud Tasks' dispatch deadline).
      expireInMinutes: 15,
      ...(task.delayMs ? { startAfter: new Date(Date.now() + task.delayMs) } : {}),
    });
    if (id) this.#wake(task.queue);
    return { accepted: id !== null };
  }

  async start(dispatch: TaskDispatcher): Promise<void> {
    await this.#ensureStarted();
    for (const queue of QueueName.options) {
      const count = this.#options.concurrency?.[queue] ?? DEFAULT_WORKERS[queue];
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const worker = { id: '' };
        worker.id = await this.#boss.work<JobData>(
          queue,
          {
            pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? DEFAULT_POLLING_SECONDS,
            includeMetadata: true,
          },
          async ([job]) => {
            if (!job) return;
            this.#busy.add(worker.id);
            try {
              const kind = TaskKind.parse(job.data.kind);
              const result = await dispatch(kind, job.data.payload, {
                name: job.data.name,
                retryCount: job.retryCount,
              });
              // pg-boss retries a job whose handler throws, with its exponential backoff.
              if (result.outcome === 'retry') throw new Error(result.reason);
            } finally {
              this.#busy.delete(worker.id);
            }
          },
        );
        ids.push(worker.id);
      }
      this.#workers.set(queue, ids);
    }
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
  }

  async #ensureStarted(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#boss.start();
    for (const queue of QueueName.options) {
      await this.#boss.createQueue(queue, { name: queue, policy: 'standard' });
    }
  }

  /**
   * Lets an idle worker of this process pick the new task now instead of at its next poll (pg-boss only
   * shortens the wait of a worker that is waiting, so notifying a busy one would do nothing).
   */
  #wake(queue: QueueName): void {
    const ids = this.#workers.get(queue) ?? [];
    // Round the workers from the one after the last woken: a burst of enqueues wakes as many idle workers
    // (a woken one is not busy until its handler starts, so "the first idle" would be the same one each time).
    const from = this.#lastWoken.get(queue) ?? -1;
    for (let step = 1; step <= ids.length; step++) {
      const index = (from + step) % ids.length;
      if (this.#busy.has(ids[index]!)) continue;
      this.#lastWoken.set(queue, index);
      this.#boss.notifyWorker(ids[index]!);
      return;
    }
  }
}

/** A deterministic UUID (v5-shaped) for a task name: the same name always maps to the same job id. */
function uuidFromName(name: string): string {
  const hex = createHash('sha1').update(`firstlight-task:${name}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
