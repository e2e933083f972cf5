import { TaskPayloads } from '@firstlight/contracts';
import { repeatLimited, type WarnErrorLogger } from '../lib/repeat-filter.ts';
import type { TaskHandlers } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import type { BackfillStarter } from './backfill-port.ts';
import { runBatch } from './batch-handler.ts';
import { runIncrementalSync, type SyncOutcome, syncAccount } from './incremental-sync.ts';
import { resumeJob } from './job-repository.ts';
import { runLister } from './lister.ts';
import { reclaimLeases, reconcile } from './reconciler.ts';
import { enqueueLister, scheduleNextBatch, wakeCreditedBatches } from './scheduler.ts';
import { enqueueSyncs } from './sync-scheduler.ts';

/**
 * The background backfill behind onboarding: `start` hands a job to the lister (or, for a paused job after the
 * user signed in again, resumes it); `dispatch` runs the tasks the queue delivers; a reconciler runs at start
 * and every `reconcileEveryMs`.
 */
export class BackfillService implements BackfillStarter {
  #timer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  /** The timers' failures: a database outage fails every tick the same way, one line per cause is enough. */
  readonly #timerLog: WarnErrorLogger;

  constructor(private readonly deps: BackfillDeps) {
    this.#timerLog = repeatLimited(deps.log, 60_000);
  }

  async start(input: {
    jobId: string;
    userId: string;
    accountId: string;
    firstPageIds: string[];
  }): Promise<void> {
    const updated = await resumeJob(this.deps, input.jobId, input.firstPageIds);
    if (!updated) return; // finished: nothing to resume
    if (!updated.listing_done) await enqueueLister(this.deps, updated);
    await scheduleNextBatch(this.deps, input.jobId);
  }

  /** The task kinds the backfill handles; payloads are validated against their contracts. */
  readonly handlers: TaskHandlers = {
    'mail-list': (payload, context) =>
      runLister(this.deps, TaskPayloads['mail-list'].parse(payload), context.signal),
    'mail-batch': (payload, context) =>
      runBatch(this.deps, TaskPayloads['mail-batch'].parse(payload), context.signal),
    'mail-sync': (payload, context) =>
      runIncrementalSync(this.deps, TaskPayloads['mail-sync'].parse(payload), context.signal),
  };

  /**
   * Reconciles now (which reclaims at once what a process that is gone held), then every `everyMs`; and sweeps
   * leases every `sweepEveryMs`, so a dead worker's batch waits about one lease, not one reconciler period.
   * Timers are unref'd: they never keep the process alive.
   */
  async startReconciler(everyMs: number, sweepEveryMs = everyMs): Promise<void> {
    await this.reconcileNow();
    this.#timer = setInterval(() => void this.reconcileNow(), everyMs);
    this.#timer.unref();
    this.#sweepTimer = setInterval(() => void this.sweepLeasesNow(), sweepEveryMs);
    this.#sweepTimer.unref();
  }

  async sweepLeasesNow() {
    try {
      return await reclaimLeases(this.deps);
    } catch (error) {
      this.#timerLog.error({ err: error }, 'lease sweep failed');
      return undefined;
    }
  }

  async reconcileNow() {
    try {
      return await reconcile(this.deps);
    } catch (error) {
      this.#timerLog.error({ err: error }, 'reconciler failed');
      return undefined;
    }
  }

  /**
   * Enqueues a `mail-sync` for every synced active account now, then every `everyMs` (unref'd), one task per
   * account per slot across instances. A backstop poll: production should add `users.watch` + Pub/Sub push
   * (renewed daily) and keep this at a slower period (see sync-scheduler.ts).
   */
  /** The quota credited these accounts: their deferred batches start now (scheduler.ts wakeCreditedBatches). */
  wakeCredited(accountIds: readonly string[], marginMs: number): Promise<void> {
    return wakeCreditedBatches(this.deps, accountIds, marginMs);
  }

  async startSyncScheduler(everyMs: number): Promise<void> {
    const tick = () =>
      enqueueSyncs(this.deps, everyMs).catch((error: unknown) =>
        this.#timerLog.error({ err: error }, 'sync scheduler failed'),
      );
    await tick();
    this.#syncTimer = setInterval(() => void tick(), everyMs);
    this.#syncTimer.unref();
  }

  stopSyncScheduler(): void {
    clearInterval(this.#syncTimer);
  }

  /** One sync of the account now, in this process (tests, ops): the task's work without the queue. */
  syncNow(accountId: string): Promise<SyncOutcome> {
    return syncAccount(this.deps, accountId);
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#sweepTimer);
  }
}
