import fp from 'fastify-plugin';
import { CalendarRuntime, type WritebackEnqueuer } from './calendar/index.ts';
import type { BackfillSettings } from './ingestion/backfill-deps.ts';
import { type BackfillStarter, deferredBackfill } from './ingestion/backfill-port.ts';
import { createBackfill } from './ingestion/ingestion-plugin.ts';
import { GoogleCalendarProvider } from './providers/google-calendar/index.ts';
import { OidcVerifier } from './tasks/oidc-verifier.ts';
import type { TaskQueue } from './tasks/task-queue.ts';
import { taskRoutes } from './tasks/task-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    background: Background;
  }
}

/** What the routes hand to background work: the rest of a mailbox, a calendar sync, an edit's write-back. */
export interface Background {
  backfill: BackfillStarter;
  /** Background work other capabilities start for a signed-in account (the calendar sync). */
  onSignedIn?: (accountId: string) => Promise<void>;
  enqueueWriteback: WritebackEnqueuer;
}

/**
 * The instance works the task queue: backfill, incremental sync, calendar sync and write-back, their schedulers
 * and (Cloud Tasks) the push routes the tasks arrive on. Both this plugin and `webOnlyInstance` are named
 * `background`: the capabilities that hand work on depend on that name, whichever of the two provides it.
 */
export const backgroundWorkers = fp<{ queue: TaskQueue; settings?: Partial<BackfillSettings> | undefined }>(
  async (app, { queue, settings }) => {
    const { bus, google, clients, interactive, mail } = app.platform;
    const calendar = new CalendarRuntime({
      db: app.db,
      bus,
      queue,
      // One adapter per `accounts.provider`: the calendar core knows only the port (calendar/calendar-source.ts).
      sources: new Map([['google', new GoogleCalendarProvider(clients, google, app.quota)]]),
      log: app.log,
      syncEveryMs: app.config.backfill.calendarSyncEveryMs,
      writebackAttempts: app.config.backfill.writebackAttempts,
    });
    const ingestion = createBackfill(app, {
      config: app.config,
      bus,
      queue,
      metrics: app.metrics,
      // Mail adapters by `accounts.provider`, as the calendar's sources above: the cores know only the ports.
      mailProviders: mail,
      quota: app.quota,
      interactive,
      moreHandlers: calendar.handlers,
      ...(settings ? { settings } : {}),
    });
    app.addHook('onReady', async () => calendar.start());
    app.addHook('onClose', async () => calendar.stop());
    const tasks = app.config.tasks;
    if (tasks.mode === 'cloud-tasks') {
      await app.register(taskRoutes, {
        dispatch: ingestion.dispatch,
        verifier: new OidcVerifier({
          audience: tasks.audience,
          serviceAccount: tasks.serviceAccount,
          certsUrl: tasks.certsUrl,
          issuers: tasks.issuers,
        }),
      });
    }
    app.decorate('background', {
      backfill: ingestion.service,
      onSignedIn: (accountId: string) => calendar.syncAccount(accountId),
      enqueueWriteback: calendar.enqueueWriteback,
    } satisfies Background);
  },
  { name: 'background', dependencies: ['platform', 'quota'] },
);

/**
 * A web-only instance (no task queue in this process): it serves every route and records the work in the
 * database — a new mailbox job stays `pending` with its first page counted, an edit stays `pending` in the
 * outbox — and runs none of it. Tests of features other than background work run this way (runtime.ts
 * `queue: false`). A worker instance's reconciler and calendar sweep would pick such work up; one gap keeps
 * this from being a deployment role yet: `first_page_ids` is written by `BackfillService.start`, not by
 * onboarding, so a job recorded here and listed later by a worker would count its first page twice.
 */
export const webOnlyInstance = fp(
  async (app) => {
    app.decorate('background', {
      backfill: deferredBackfill,
      enqueueWriteback: async () => {},
    } satisfies Background);
  },
  { name: 'background', dependencies: ['platform'] },
);
