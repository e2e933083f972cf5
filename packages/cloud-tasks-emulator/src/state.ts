import { Dispatcher } from './dispatcher.ts';
import { type HttpTarget, QueueRecord, type QueueStats, type TaskRecord } from './model.ts';
import { checkLocationName, checkQueueName, checkTaskName, generateTaskName } from './names.ts';
import type { OidcSigner } from './oidc.ts';
import { type EmulatorOptions, type QueueSettings, QueueSettings as QueueSettingsSchema } from './options.ts';
import { alreadyExists, invalid, notFound } from './rpc-error.ts';

export interface NewTask {
  name?: string;
  httpRequest: HttpTarget;
  scheduleTime?: number;
  dispatchDeadlineMs?: number;
}

export interface SettingsPatch {
  rateLimits?: Partial<QueueSettings['rateLimits']>;
  retryConfig?: Partial<QueueSettings['retryConfig']>;
}

/** Cloud Tasks limits (quotas page): task ≤ 100 KB, headers < 80 KB, URL ≤ 2083 chars, ETA ≤ 30 days out. */
const MAX_TASK_BYTES = 100 * 1024;
const MAX_HEADER_BYTES = 80 * 1024;
const MAX_URL_LENGTH = 2083;
const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600_000;
/** CreateTask's dispatch_deadline must lie in [15 s, 30 min] (task.proto). */
const DEADLINE_RANGE_MS = [15_000, 30 * 60_000] as const;

/** Queues, their tasks and reserved task names; every method is one RPC's semantics. */
export class CloudTasksState {
  private readonly queues = new Map<string, QueueRecord>();
  /** Task name → when it stops being reserved (completed, dropped, deleted or purged tasks). */
  private readonly retired = new Map<string, number>();
  readonly dispatcher: Dispatcher;

  constructor(
    private readonly options: EmulatorOptions,
    signer: OidcSigner,
  ) {
    this.dispatcher = new Dispatcher({
      signer,
      log: options.log,
      retire: (task, now) => this.retire(task.name, now),
    });
  }

  createQueue(name: string, patch: SettingsPatch = {}, parent?: string): QueueRecord {
    checkQueueName(name);
    if (parent !== undefined && !name.startsWith(`${checkLocationName(parent)}/queues/`)) {
      throw invalid(`Queue name "${name}" must be under parent "${parent}"`);
    }
    if (this.queues.has(name)) throw alreadyExists(`Queue already exists: ${name}`);
    const base = this.options.queueSettings[name] ?? this.options.defaults;
    const queue = new QueueRecord(name, mergeSettings(base, patch), Date.now());
    this.queues.set(name, queue);
    return queue;
  }

  queue(name: string): QueueRecord {
    const queue = this.queues.get(checkQueueName(name));
    if (!queue) throw notFound(`queue ${name}`);
    return queue;
  }

  listQueues(parent: string): QueueRecord[] {
    const prefix = `${checkLocationName(parent)}/queues/`;
    return [...this.queues.values()].filter((queue) => queue.name.startsWith(prefix));
  }

  /** Google's UpdateQueue creates the queue when it does not exist. */
  updateQueue(name: string, patch: SettingsPatch): QueueRecord {
    const existing = this.queues.get(checkQueueName(name));
    if (!existing) return this.createQueue(name, patch);
    existing.settings = mergeSettings(existing.settings, patch);
    existing.bucket.setRate(existing.settings.rateLimits.maxDispatchesPerSecond, Date.now());
    this.dispatcher.schedule(existing);
    return existing;
  }

  deleteQueue(name: string): void {
    const queue = this.queue(name);
    this.purge(queue);
    queue.deleted = true;
    this.queues.delete(name);
  }

  purgeQueue(name: string): QueueRecord {
    const queue = this.queue(name);
    this.purge(queue);
    queue.purgeTime = Date.now();
    return queue;
  }

  setQueueState(name: string, state: 'RUNNING' | 'PAUSED'): QueueRecord {
    const queue = this.queue(name);
    queue.state = state;
    if (state === 'RUNNING') this.dispatcher.schedule(queue);
    else this.dispatcher.stop(queue);
    return queue;
  }

  createTask(queueName: string, input: NewTask): TaskRecord {
    const queue = this.queue(queueName);
    const now = Date.now();
    const name = input.name ? checkTaskName(queue.name, input.name) : generateTaskName(queue.name);
    checkTarget(input, name, now);
    if (queue.tasks.has(name)) throw alreadyExists(`Requested entity already exists: ${name}`);
    if (this.isRetired(name, now)) {
      throw alreadyExists(
        `The task cannot be created because a task with this name existed too recently: ${name}`,
      );
    }
    const task: TaskRecord = {
      name,
      queueName: queue.name,
      httpRequest: input.httpRequest,
      scheduleTime: input.scheduleTime ?? now,
      createTime: now,
      dispatchDeadlineMs: input.dispatchDeadlineMs ?? this.options.dispatchDeadlineMs,
      dispatchCount: 0,
      responseCount: 0,
      inFlight: false,
    };
    queue.tasks.set(name, task);
    queue.due.push(task);
    this.dispatcher.schedule(queue);
    return task;
  }

  task(name: string): { queue: QueueRecord; task: TaskRecord } {
    const queue = this.queue(queueOfTask(name));
    const task = queue.tasks.get(checkTaskName(queue.name, name));
    if (!task) throw notFound(`task ${name}`);
    return { queue, task };
  }

  deleteTask(name: string): void {
    const { queue, task } = this.task(name);
    queue.tasks.delete(task.name);
    this.retire(task.name, Date.now());
  }

  runTask(name: string): TaskRecord {
    const { queue, task } = this.task(name);
    this.dispatcher.runNow(queue, task);
    return task;
  }

  stats(): Record<string, QueueStats> {
    return Object.fromEntries([...this.queues.values()].map((queue) => [queue.name, queue.stats()]));
  }

  allQueues(): QueueRecord[] {
    return [...this.queues.values()];
  }

  close(): void {
    for (const queue of this.queues.values()) this.dispatcher.stop(queue);
    this.dispatcher.close();
  }

  private purge(queue: QueueRecord): void {
    const now = Date.now();
    for (const name of queue.tasks.keys()) this.retire(name, now);
    queue.tasks.clear();
    queue.due.clear();
  }

  private retire(name: string, now: number): void {
    this.retired.set(name, now + this.options.nameRetentionMs);
    // Prune now and then so a long-running emulator does not grow without bound.
    if (this.retired.size % 1024 === 0) {
      for (const [retiredName, until] of this.retired) if (until <= now) this.retired.delete(retiredName);
    }
  }

  private isRetired(name: string, now: number): boolean {
    const until = this.retired.get(name);
    return until !== undefined && until > now;
  }
}

function queueOfTask(taskName: string): string {
  const at = taskName.indexOf('/tasks/');
  if (at < 0) throw invalid(`Invalid task name "${taskName}"`);
  return taskName.slice(0, at);
}

function mergeSettings(base: QueueSettings, patch: SettingsPatch): QueueSettings {
  const parsed = QueueSettingsSchema.safeParse({
    rateLimits: { ...base.rateLimits, ...patch.rateLimits },
    retryConfig: { ...base.retryConfig, ...patch.retryConfig },
  });
  if (!parsed.success)
    throw invalid(`Invalid queue settings: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

function checkTarget(input: NewTask, name: string, now: number): void {
  const { url, httpMethod, headers, body } = input.httpRequest;
  if (!/^https?:\/\//.test(url) || url.length > MAX_URL_LENGTH || !URL.canParse(url)) {
    throw invalid(
      `HttpRequest.url must be an http:// or https:// URL of at most ${MAX_URL_LENGTH} characters`,
    );
  }
  if (body.length > 0 && !['POST', 'PUT', 'PATCH'].includes(httpMethod)) {
    throw invalid(`A body is allowed only with POST, PUT or PATCH, not ${httpMethod}`);
  }
  const headerBytes = Object.entries(headers).reduce(
    (sum, [key, value]) => sum + key.length + value.length,
    0,
  );
  if (headerBytes >= MAX_HEADER_BYTES) throw invalid('The size of the headers must be less than 80KB');
  const taskBytes = name.length + url.length + headerBytes + body.length;
  if (taskBytes > MAX_TASK_BYTES)
    throw invalid(`Task size too large: ${taskBytes} bytes (limit ${MAX_TASK_BYTES})`);
  if (input.scheduleTime !== undefined && input.scheduleTime > now + MAX_SCHEDULE_AHEAD_MS) {
    throw invalid('schedule_time is more than 30 days in the future');
  }
  const deadline = input.dispatchDeadlineMs;
  if (deadline !== undefined && (deadline < DEADLINE_RANGE_MS[0] || deadline > DEADLINE_RANGE_MS[1])) {
    throw invalid('dispatch_deadline must be between 15 seconds and 30 minutes');
  }
}
