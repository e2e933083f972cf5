import { TaskPayloads } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { repeatLimited } from '../lib/repeat-filter.ts';
import type { EventBus } from '../realtime/index.ts';
import type { TaskHandlers } from '../tasks/index.ts';
import { type TaskQueue, taskName } from '../tasks/index.ts';
import { listActiveAccountIds } from './calendar-account-repository.ts';
import type { CalendarSources } from './calendar-source.ts';
import { runCalendarSync } from './calendar-sync.ts';
import type { WritebackEnqueuer } from './occurrence-edits.ts';
import { runWriteback } from './writeback.ts';
import { dueOutbox, type OutboxRow } from './writeback-repository.ts';

export interface CalendarRuntimeDeps {
  db: Kysely<Database>;
  bus: EventBus;
  queue: TaskQueue;
  /** The calendar source of each provider (`accounts.provider`). */
  sources: CalendarSources;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  syncEveryMs: number;
  writebackAttempts: number;
}

/**
 * The calendar's background side: its task handlers (sync, write-back), the enqueuers the routes use, a
 * periodic sync of every active account (one task per account per slot, so several instances enqueue it once)
 * and a sweep re-enqueueing write-backs whose task was lost.
 */
export class CalendarRuntime {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CalendarRuntimeDeps) {}

  readonly handlers: TaskHandlers = {
    'calendar-sync': (payload, context) =>
      runCalendarSync(this.deps, TaskPayloads['calendar-sync'].parse(payload), context.signal),
    'calendar-writeback': (payload) =>
      runWriteback(
        { ...this.deps, maxAttempts: this.deps.writebackAttempts },
        TaskPayloads['calendar-writeback'].parse(payload),
      ),
  };

  readonly enqueueWriteback: WritebackEnqueuer = async (outbox: OutboxRow) => {
    await this.#enqueueWriteback(outbox, 0);
  };

  async #enqueueWriteback(outbox: OutboxRow, round: number) {
    try {
      await this.deps.queue.enqueue({
        kind: 'calendar-writeback',
        queue: 'writeback',
        name: taskName('calendar-writeback', outbox.id, `r${round}`),
        payload: { outboxId: outbox.id },
      });
    } catch (error) {
      this.deps.log.warn(
        { err: error, outboxId: outbox.id },
        'write-back enqueue failed; the sweep will retry',
      );
    }
  }

  /**
   * Syncs the account's calendars now (after sign-in), on the low queue: a first sync waits seconds for the
   * user's Calendar quota (600 requests a minute) while it holds its worker, and on the high queue a burst of
   * sign-ins filled every worker the mailbox's listing and first batches need (the scale benchmark's stall).
   */
  async syncAccount(accountId: string): Promise<void> {
    await this.deps.queue.enqueue({
      kind: 'calendar-sync',
      queue: 'ingest-low',
      name: taskName('calendar-sync', accountId, `now${Date.now()}`),
      payload: { accountId, slot: Math.floor(Date.now() / this.deps.syncEveryMs) },
    });
  }

  async tick(): Promise<void> {
    const slot = Math.floor(Date.now() / this.deps.syncEveryMs);
    for (const accountId of await listActiveAccountIds(this.deps.db)) {
      await this.deps.queue.enqueue({
        kind: 'calendar-sync',
        queue: 'ingest-low',
        name: taskName('calendar-sync', accountId, slot),
        payload: { accountId, slot },
      });
    }
    // A write-back still pending long after it was due lost its task: enqueue it again (a new round name).
    for (const row of await dueOutbox(this.deps.db, 5 * 60_000)) {
      await this.#enqueueWriteback(row, Math.floor(Date.now() / 60_000));
    }
  }

  start(): void {
    // A database outage fails every tick the same way: one line per cause, not one per tick.
    const log = repeatLimited(this.deps.log, 60_000);
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => log.error({ err: error }, 'calendar scheduler failed'));
    }, this.deps.syncEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
