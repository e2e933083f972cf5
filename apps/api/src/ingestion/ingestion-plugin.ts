import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Metrics } from '../ops/index.ts';
import type { MailProviders } from '../providers/index.ts';
import type { QuotaGrants } from '../quota/index.ts';
import type { EventBus } from '../realtime/index.ts';
import type { TaskDispatcher, TaskQueue } from '../tasks/index.ts';
import { routeTasks, type TaskHandlers } from '../tasks/index.ts';
import { leasedCalendarSync } from './account-task-lease.ts';
import type { BackfillSettings } from './backfill-deps.ts';
import { BackfillService } from './backfill-service.ts';
import { InstanceLiveness } from './instance-liveness.ts';
import type { InteractiveGate } from './interactive-gate.ts';
import { Pacer } from './pacer.ts';
import type { WorkLeaseDeps } from './work-lease.ts';

export const DEFAULT_BATCH_SETTINGS = {
  batchSize: 1000,
  partsPerRequest: 50,
  requestsInFlight: 2,
  listPageSize: 500,
  callAttempts: 8,
  reenqueueAfterMs: 10 * 60_000,
  waitInPlaceMs: 100,
} satisfies Partial<BackfillSettings>;

/**
 * Builds the backfill behind onboarding and ties it to the app's lifecycle: the queue starts delivering and
 * the reconciler runs once the app is ready; both stop when it closes.
 */
export function createBackfill(
  app: FastifyInstance,
  deps: {
    config: Config;
    bus: EventBus;
    queue: TaskQueue;
    metrics: Metrics;
    settings?: Partial<BackfillSettings>;
    /** Handlers of other capabilities' tasks (calendar), delivered by the same queue. */
    moreHandlers?: TaskHandlers;
    /** Sign-ins in progress: paced Gmail calls and ingest task starts wait for them (bounded). */
    interactive?: InteractiveGate;
    /** Mail adapters by `accounts.provider`: the core knows only the port (providers/mail-source.ts). */
    mailProviders: MailProviders;
    /** The app's quota port (`app.quota`), shared with the first page and the calendar. */
    quota: QuotaGrants;
  },
): { service: BackfillService; dispatch: TaskDispatcher; quota: QuotaGrants } {
  const quota = deps.config.backfill;
  const grants = deps.quota;
  const pacer = new Pacer({
    maxConcurrent: quota.maxConcurrent,
    ...(deps.interactive ? { interactive: deps.interactive } : {}),
  });
  // Held before this process takes any lease; released when it closes (or, on a crash, by PostgreSQL).
  const liveness = new InstanceLiveness(deps.bus.connectionString, app.log);
  const settings: BackfillSettings = {
    ...DEFAULT_BATCH_SETTINGS,
    leaseMs: quota.leaseMs,
    leaseRenewEveryMs: quota.leaseRenewEveryMs,
    stallAfterMs: quota.stallAfterMs,
    unitsPerMs: grants.userRatePerMs,
    // A refusal whose credit comes with the next tick (a user in its turn, quota/time-slice.ts) is waited in
    // place: under load a trip through the queue takes longer than a tick, and the turn would be missed.
    waitInPlaceMs: Math.max(DEFAULT_BATCH_SETTINGS.waitInPlaceMs, deps.config.quota.tickMs),
    ...deps.settings,
  };
  const service = new BackfillService({
    db: app.db,
    bus: deps.bus,
    queue: deps.queue,
    quota: grants,
    pacer,
    mail: deps.mailProviders,
    metrics: deps.metrics,
    settings,
    log: app.log,
    instanceId: liveness.id,
  });
  // The project scheduler's turns credit a user whose batch may be asleep: it starts now instead.
  grants.onCredited?.(async (resource, accountIds) => {
    if (resource === 'gmail') await service.wakeCredited(accountIds, deps.config.quota.tickMs);
  });
  const more = withLeasedCalendarSync(deps.moreHandlers, {
    db: app.db,
    instanceId: liveness.id,
    lease: { leaseMs: settings.leaseMs, renewEveryMs: settings.leaseRenewEveryMs },
    log: app.log,
  });
  const route = routeTasks({ ...service.handlers, ...more });
  // A user's own calendar edit is written back at once; ingest tasks (listers, batches, syncs) yield to sign-ins.
  const dispatch: TaskDispatcher = async (kind, payload, context) => {
    if (kind !== 'calendar-writeback') await deps.interactive?.idle();
    return route(kind, payload, context);
  };
  app.addHook('onReady', async () => {
    await liveness.start();
    await deps.queue.start(dispatch);
    await service.startReconciler(quota.reconcileEveryMs, settings.leaseRenewEveryMs);
    await service.startSyncScheduler(quota.syncEveryMs);
  });
  app.addHook('onClose', async () => {
    service.stop();
    service.stopSyncScheduler();
    await deps.queue.stop();
    await liveness.stop();
  });
  return { service, dispatch, quota: grants };
}

/** An account's calendar sync runs under its named lease (see account-task-lease.ts). */
function withLeasedCalendarSync(handlers: TaskHandlers | undefined, leases: WorkLeaseDeps): TaskHandlers {
  const more = { ...handlers };
  const calendarSync = more['calendar-sync'];
  if (calendarSync) more['calendar-sync'] = leasedCalendarSync(calendarSync, leases);
  return more;
}
