import type { Database } from '@firstlight/db';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { DestinationStream } from 'pino';
import { authRoutes } from './auth/auth-routes.ts';
import { meRoutes } from './auth/me-routes.ts';
import { sessionPlugin } from './auth/session-plugin.ts';
import type { TokenCipher } from './auth/token-cipher.ts';
import { calendarRoutes } from './calendar/calendar-routes.ts';
import { CalendarRuntime } from './calendar/calendar-runtime.ts';
import type { Config } from './config.ts';
import { emailRoutes } from './emails/email-routes.ts';
import { AccountClients } from './google/account-clients.ts';
import type { GoogleSettings } from './google/google-settings.ts';
import { DatabaseStatus } from './health/database-status.ts';
import { healthRoutes } from './health/health-routes.ts';
import {
  type BackfillSettings,
  type BackfillStarter,
  createBackfill,
  deferredBackfill,
  InteractiveGate,
} from './ingestion/index.ts';
import { registerErrorHandler } from './lib/errors.ts';
import { loggerOptions } from './lib/log-redaction.ts';
import { Metrics } from './ops/metrics.ts';
import { opsRoutes } from './ops/ops-routes.ts';
import type { EventBus } from './realtime/event-bus.ts';
import { realtimeRoutes } from './realtime/ws-routes.ts';
import { securityPlugin } from './security/security-plugin.ts';
import { fastifyTrustProxy } from './security/trust-proxy.ts';
import { OidcVerifier } from './tasks/oidc-verifier.ts';
import type { TaskQueue } from './tasks/task-queue.ts';
import { taskRoutes } from './tasks/task-routes.ts';
import { webRoutes } from './web/web-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    config: Config;
    metrics: Metrics;
  }
}

/** How long one background step waits for sign-ins in progress before going ahead anyway. */
const INTERACTIVE_MAX_WAIT_MS = 5_000;

export interface AppDependencies {
  config: Config;
  db: Kysely<Database>;
  /** LISTEN/NOTIFY fan-out, started by the caller. */
  bus: EventBus;
  google: GoogleSettings;
  tokenCipher: TokenCipher;
  sessionSecret: string;
  /** A test's stand-in for the backfill; without it and without `queue`, jobs are only recorded. */
  backfill?: BackfillStarter;
  /** The task queue the backfill runs on (embedded pg-boss or Cloud Tasks). */
  queue?: TaskQueue;
  /** Override backfill tunables (tests: small leases, fast stall detection). */
  backfillSettings?: Partial<BackfillSettings>;
  /** false: no logs (tests); otherwise the level and destination of the app's redacting logger. */
  logger?: false | { level?: string; stream?: DestinationStream };
  heartbeatMs?: number;
}

/** Builds the API from its feature plugins. Never listens: `main.ts` does, tests use `app.inject()`. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Always the redacting options (lib/log-redaction.ts): no secrets or user content in any log line.
    logger:
      deps.logger === false
        ? false
        : { ...loggerOptions(deps.logger?.level ?? deps.config.logLevel), ...pickStream(deps.logger) },
    // Off unless TRUST_PROXY names our proxies: otherwise any client's X-Forwarded-For would become request.ip.
    trustProxy: fastifyTrustProxy(deps.config.security.trustProxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('db', deps.db);
  app.decorate('config', deps.config);
  registerErrorHandler(app);
  // Before every route: headers, the cross-origin check and rate limits apply to all of them.
  await app.register(securityPlugin, {
    publicUrl: deps.config.publicUrl,
    rateLimit: deps.config.security.rateLimit,
  });
  const metrics = new Metrics(deps.db);
  app.decorate('metrics', metrics);
  const clients = new AccountClients(deps.db, deps.google, deps.tokenCipher);
  const interactive = new InteractiveGate(INTERACTIVE_MAX_WAIT_MS);
  const calendar = deps.queue
    ? new CalendarRuntime({
        db: deps.db,
        bus: deps.bus,
        queue: deps.queue,
        clients,
        google: deps.google,
        log: app.log,
        syncEveryMs: deps.config.backfill.calendarSyncEveryMs,
        writebackAttempts: deps.config.backfill.writebackAttempts,
      })
    : undefined;
  const tasksRuntime = deps.queue
    ? createBackfill(app, {
        config: deps.config,
        bus: deps.bus,
        google: deps.google,
        cipher: deps.tokenCipher,
        queue: deps.queue,
        metrics,
        clients,
        interactive,
        ...(calendar ? { moreHandlers: calendar.handlers } : {}),
        ...(deps.backfillSettings ? { settings: deps.backfillSettings } : {}),
      })
    : undefined;
  if (calendar) {
    app.addHook('onReady', async () => calendar.start());
    app.addHook('onClose', async () => calendar.stop());
  }
  const backfill = deps.backfill ?? tasksRuntime?.service ?? deferredBackfill;
  const tasks = deps.config.tasks;
  if (tasksRuntime && tasks.mode === 'cloud-tasks') {
    await app.register(taskRoutes, {
      dispatch: tasksRuntime.dispatch,
      verifier: new OidcVerifier({
        audience: tasks.audience,
        serviceAccount: tasks.serviceAccount,
        certsUrl: tasks.certsUrl,
        issuers: tasks.issuers,
      }),
    });
  }

  await app.register(sessionPlugin, { secret: deps.sessionSecret, policy: deps.config.sessions });
  await app.register(healthRoutes);
  await app.register(authRoutes, {
    cipher: deps.tokenCipher,
    firstPageBudgetMs: deps.config.firstPage.budgetMs,
    interactive,
    onboarding: {
      db: deps.db,
      bus: deps.bus,
      settings: deps.google,
      backfill,
      pageSize: deps.config.firstPage.size,
    },
    ...(calendar ? { onSignedIn: (accountId: string) => calendar.syncAccount(accountId) } : {}),
  });
  await app.register(meRoutes, { opsAccess: deps.config.ops });
  await app.register(emailRoutes);
  await app.register(calendarRoutes, {
    // Without a queue (tests of other features) edits stay in the outbox, pending.
    enqueue: calendar?.enqueueWriteback ?? (async () => {}),
  });
  await app.register(opsRoutes, { metrics, access: deps.config.ops });
  // Watches the database so open pages are told, honestly, when work pauses for an outage and resumes.
  const database = new DatabaseStatus(deps.db, { log: app.log });
  app.addHook('onReady', async () => database.start());
  app.addHook('onClose', async () => database.stop());
  await app.register(realtimeRoutes, {
    bus: deps.bus,
    database,
    limits: deps.config.realtime,
    ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
  });
  await app.register(webRoutes, {
    distDir: deps.config.webDistDir,
    serveSourceMaps: deps.config.security.serveSourceMaps,
  });
  return app;
}

const pickStream = (logger: { stream?: DestinationStream } | undefined) =>
  logger?.stream ? { stream: logger.stream } : {};
