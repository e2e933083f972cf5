import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DeliveredTaskKind, QueueName, type TaskKind } from '@firstlight/contracts';
import { createDatabase, withMigrationLock } from '@firstlight/db';
import { type Job, PgBoss } from 'pg-boss';
import { carryOverPgBoss10Tasks, setAsidePgBoss10 } from './pgboss-v10-upgrade.ts';
import { QueueErrorLog } from './queue-error-log.ts';
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
  /**
   * How long `stop()` waits for running handlers to hand their task back once their signal is aborted; one still
   * running then is failed by pg-boss (and retried with its backoff). pg-boss waits at least 1 s.
   */
  stopGraceMs?: number;
  /**
   * An `anyInstance` task is due this long after its enqueue at the earliest. Its enqueuer is usually a worker
   * finishing the user's previous batch, and pg-boss's worker fetches again at once after a handler that ran
   * longer than its poll: due at once, the task went to that same worker every time, so one instance did a
   * user's whole backfill while the others idled. Due a moment later, it goes to whichever idle worker of any
   * instance polls first — work spreads by idle capacity. Default 250 ms.
   */
  spreadMs?: number;
  log?: { warn(object: object, message: string): void; error(object: object, message: string): void };
}

interface JobData {
  kind: TaskKind;
  name: string;
  payload: unknown;
}

/**
 * Until issue 17 a Gmail batch held its worker while the user's pacer spaced its calls (~50 s for 1,000
 * messages), so the ingest queues needed about one worker per user being backfilled at once (bench `load`: with
 * 4 per queue, 200 users signing in within 10 s had no message backfilled in the following minute; the figures
 * for 4, 16/32 and 48 workers are in bench/README.md). A batch now gives its worker back while it waits for
 * quota (ingestion/batch-handler.ts); the defaults stay until a benchmark says otherwise. Sign-ins still come
 * first: background work yields to callbacks in progress (InteractiveGate).
 */
/**
 * Polls find what no wake-up announced: delayed tasks, retries, tasks enqueued by another process. Every worker
 * polls on its own, so 52 workers at 0.5 s would be ~100 queries a second on an idle instance.
 */
const DEFAULT_POLLING_SECONDS = 2;
/** Handlers honour their signal and return `retry` within a moment; the whole stop stays well under 3 s. */
const DEFAULT_STOP_GRACE_MS = 1_000;
const DEFAULT_SPREAD_MS = 250;
/** A completion that failed because the database is away is tried again this often until it lands. */
const SETTLE_RETRY_MS = [250, 500, 1_000, 2_000, 5_000];

export const DEFAULT_WORKERS: Record<QueueName, number> = {
  // While the project quota binds, users take turns of a few ticks and a batch in its turn waits in place for
  // the next tick's credit (quota/time-slice.ts): ~100 users served at once at the benchmark's plan, which 16
  // per instance (3 instances) could not hold — turns were missed and the plan's credit sat unspent.
  'ingest-high': 48,
  'ingest-low': 32,
  writeback: 4,
};

export class EmbeddedTaskQueue implements TaskQueue {
  readonly description = 'embedded task queue (pg-boss in PostgreSQL)';
  readonly #boss: PgBoss;
  readonly #options: EmbeddedQueueOptions;
  readonly #errors: QueueErrorLog;
  readonly #workers = new Map<QueueName, string[]>();
  /** Workers running a task now. */
  readonly #busy = new Set<string>();
  readonly #lastWoken = new Map<QueueName, number>();
  /** Aborted by `stop()`: every dispatched task's signal, and the settle retries below. */
  readonly #stopping = new AbortController();
  #starting: Promise<void> | undefined;

  constructor(options: EmbeddedQueueOptions) {
    this.#options = options;
    this.#errors = new QueueErrorLog(options.log, this.#stopping.signal);
    this.#boss = new PgBoss({
      connectionString: options.connectionString,
      // Few connections: the API's own pool matters more.
      max: 4,
      // Maintenance (archiving, expiry) in the background; schedules are not used.
      schedule: false,
    });
    // Every error path of pg-boss (workers' fetches and completions, maintenance, its pool's idle clients) ends
    // in this event; unheard, it would throw. A database outage shows here as connection errors until it is
    // back: the workers keep polling and resume by themselves.
    this.#boss.on('error', (error) => this.#errors.report(error));
    this.#boss.on('warning', (warning) =>
      options.log?.warn({ warning: warning.data }, `task queue: ${warning.message}`),
    );
  }

  async enqueue(task: TaskRequest): Promise<{ accepted: boolean }> {
    await this.#ensureStarted();
    const data: JobData = { kind: task.kind, name: task.name, payload: task.payload };
    const spread = task.anyInstance ? (this.#options.spreadMs ?? DEFAULT_SPREAD_MS) : 0;
    const delayMs = Math.max(task.delayMs ?? 0, spread);
    const id = await this.#boss.send(task.queue, data, {
      id: uuidFromName(task.name),
      retryLimit: this.#options.retryLimit ?? 100,
      retryDelay: this.#options.retryDelaySeconds ?? 1,
      retryBackoff: true,
      // A handler that hangs past this is failed and retried (Cloud Tasks' dispatch deadline).
      expireInSeconds: 15 * 60,
      ...(delayMs > 0 ? { startAfter: new Date(Date.now() + delayMs) } : {}),
    });
    // A task due later is found by a poll; waking a worker now would fetch nothing.
    if (id && delayMs === 0) this.#wake(task.queue);
    return { accepted: id !== null };
  }

  async start(dispatch: TaskDispatcher): Promise<void> {
    await this.#ensureStarted();
    for (const queue of QueueName.options) {
      const count = this.#options.concurrency?.[queue] ?? DEFAULT_WORKERS[queue];
      const ids: string[] = [];
      // One work() per worker rather than localConcurrency: each has its own id, so #wake can pick an idle one.
      for (let i = 0; i < count; i++) {
        const worker = { id: '' };
        worker.id = await this.#boss.work<JobData>(
          queue,
          {
            pollingIntervalSeconds: this.#options.pollingIntervalSeconds ?? DEFAULT_POLLING_SECONDS,
          },
          async ([job]) => {
            if (!job) return;
            this.#busy.add(worker.id);
            try {
              await this.#run(queue, job, dispatch);
            } finally {
              this.#busy.delete(worker.id);
              // Fetch again at once rather than after the poll: pg-boss waits its poll less the job's duration
              // after every job, so a worker whose jobs are short (a batch deferred for quota hands its task
              // back in milliseconds) ran one job a poll — the queue, not the quota, set the pace. A fetch that
              // finds nothing waits its poll as usual.
              if (!this.#stopping.signal.aborted) this.#boss.notifyWorker(worker.id);
            }
          },
        );
        ids.push(worker.id);
      }
      this.#workers.set(queue, ids);
    }
  }

  /**
   * Aborts every running task's signal and stops fetching at once; handlers hand their tasks back (`retry`),
   * which are then due again at once for whichever instance runs next. A handler still running after the grace
   * is failed by pg-boss. Then the pool closes.
   */
  async stop(): Promise<void> {
    if (!this.#starting) return;
    this.#stopping.abort();
    await this.#starting.catch(() => {});
    await this.#boss.stop({
      graceful: true,
      close: true,
      timeout: this.#options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    });
  }

  async #run(queue: QueueName, job: Job<JobData>, dispatch: TaskDispatcher): Promise<void> {
    // A fetch that returned while stop() began: hand the job back untouched rather than start it.
    if (this.#stopping.signal.aborted) return this.#handBack(queue, job, 'stopping');
    const kind = DeliveredTaskKind.parse(job.data.kind); // an old name queued before a deploy is still handled
    const result = await dispatch(kind, job.data.payload, {
      name: job.data.name,
      retryCount: job.retryCount,
      // job.signal: pg-boss aborts it when it fails the job under a handler (timeout, shutdown past the grace).
      signal: AbortSignal.any([this.#stopping.signal, job.signal]),
    });
    if (result.outcome === 'retry') {
      if (this.#stopping.signal.aborted) return this.#handBack(queue, job, result.reason);
      // pg-boss retries a job whose handler throws, with its exponential backoff.
      throw new Error(result.reason);
    }
    // Completed here rather than by pg-boss after the handler returns: pg-boss tries once, and a completion
    // lost to a database outage would leave the job active until it expires (15 minutes) and then run it again.
    // pg-boss's own completion afterwards finds the attempt settled and does nothing.
    await this.#settle(() => this.#boss.complete(queue, attempt(job)));
  }

  /**
   * A task handed back on shutdown is not a failure of the task: it is failed (so it leaves `active`) and made
   * due at once, so the next process (or another instance) picks it up without the backoff a failure earns.
   */
  async #handBack(queue: QueueName, job: Job<JobData>, reason: string): Promise<void> {
    await this.#boss.fail(queue, attempt(job), { reason, handedBack: true });
    await this.#boss.update(queue, undefined, { id: job.id, startAfter: new Date() });
  }

  /** Retries a settle that failed for want of the database, until it lands or this queue stops. */
  async #settle(operation: () => Promise<unknown>): Promise<void> {
    for (let attemptNo = 0; ; attemptNo++) {
      try {
        await operation();
        return;
      } catch (error) {
        if (this.#stopping.signal.aborted || !QueueErrorLog.isConnectionError(error)) throw error;
        this.#errors.report(error as Error);
        const wait = SETTLE_RETRY_MS[Math.min(attemptNo, SETTLE_RETRY_MS.length - 1)]!;
        // A stop ends the wait: the settle is then pg-boss's to try (or the job's expiry's).
        await delay(wait, undefined, { signal: this.#stopping.signal }).catch(() => {});
      }
    }
  }

  #ensureStarted(): Promise<void> {
    this.#starting ??= this.#startBoss().catch((error) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /**
   * pg-boss creates its schema and our queues on first start. Two instances doing that at once on an empty
   * database deadlocked in createQueue (pg-boss 10), so it runs under the migration lock: one instance at a
   * time, and each after the migrations of any instance that holds the lock.
   */
  async #startBoss(): Promise<void> {
    const lockDb = createDatabase({ connectionString: this.#options.connectionString, max: 1 });
    try {
      await withMigrationLock(lockDb, async (conn) => {
        await setAsidePgBoss10(conn);
        await this.#boss.start();
        for (const queue of QueueName.options) {
          await this.#boss.createQueue(queue, { policy: 'standard' });
        }
        const carried = await carryOverPgBoss10Tasks(conn, this.#boss);
        if (carried) this.#options.log?.warn({ carried }, 'task queue: tasks carried over from pg-boss 10');
      });
    } catch (error) {
      // Its pool would otherwise stay open (and report the server's goodbye as an error) after a failed start.
      await this.#boss.stop({ graceful: false, close: true }).catch(() => {});
      throw error;
    } finally {
      await lockDb.destroy();
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

/** The attempt a worker holds: pg-boss settles it only while that claim is still the job's current one. */
function attempt(job: Job<JobData>) {
  return { id: job.id, retryCount: job.retryCount };
}

/** A deterministic UUID (v5-shaped) for a task name: the same name always maps to the same job id. */
function uuidFromName(name: string): string {
  const hex = createHash('sha1').update(`firstlight-task:${name}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
