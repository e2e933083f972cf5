import type { Database } from '@firstlight/db';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { DestinationStream } from 'pino';
import type { TokenCipher } from './accounts/index.ts';
import { sessionPlugin } from './auth/index.ts';
import { backgroundWorkers, webOnlyInstance } from './background.ts';
import {
  authCapability,
  calendarCapability,
  emailsCapability,
  healthCapability,
  meCapability,
  opsCapability,
  platformCapability,
  realtimeCapability,
  webCapability,
} from './capabilities.ts';
import type { Config } from './config.ts';
import type { GoogleSettings } from './google/google-settings.ts';
import type { BackfillSettings } from './ingestion/backfill-deps.ts';
import { registerErrorHandler } from './lib/error-handler-plugin.ts';
import { loggerOptions } from './lib/log-redaction.ts';
import { quotaCapability } from './quota/index.ts';
import type { EventBus } from './realtime/event-bus.ts';
import { securityPlugin } from './security/security-plugin.ts';
import { fastifyTrustProxy } from './security/trust-proxy.ts';
import type { TaskQueue } from './tasks/task-queue.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    config: Config;
  }
}

/** false: no logs; otherwise the level and destination of the app's redacting logger. */
export type AppLogger = false | { level?: string; stream?: DestinationStream };

export interface AppDependencies {
  config: Config;
  db: Kysely<Database>;
  /** LISTEN/NOTIFY fan-out, started by the caller. */
  bus: EventBus;
  google: GoogleSettings;
  tokenCipher: TokenCipher;
  sessionSecret: string;
  /**
   * The task queue this instance works (embedded pg-boss or Cloud Tasks). Without one the instance is web-only:
   * it serves every route and records work, which a worker instance's reconciler and sweeps pick up.
   */
  queue?: TaskQueue;
  /** Backfill tunables on top of the configuration's (small leases, fast stall detection). */
  backfillSettings?: Partial<BackfillSettings>;
  logger?: AppLogger;
  heartbeatMs?: number;
}

/**
 * The API from its capability plugins, each naming the ones it needs (fastify-plugin `dependencies`: Fastify
 * refuses to boot when one is missing or registered later). Never listens: the runtime does, tests inject.
 */
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
  await app.register(platformCapability, deps);
  // Before the background: every Google call of this instance asks `app.quota` first.
  await app.register(quotaCapability);
  if (deps.queue) {
    await app.register(backgroundWorkers, { queue: deps.queue, settings: deps.backfillSettings });
  } else {
    await app.register(webOnlyInstance);
  }
  await app.register(sessionPlugin, { secret: deps.sessionSecret, policy: deps.config.sessions });
  await app.register(healthCapability);
  await app.register(authCapability);
  await app.register(meCapability);
  await app.register(emailsCapability);
  await app.register(calendarCapability);
  await app.register(opsCapability);
  await app.register(realtimeCapability, { heartbeatMs: deps.heartbeatMs });
  await app.register(webCapability);
  return app;
}

const pickStream = (logger: { stream?: DestinationStream } | undefined) =>
  logger?.stream ? { stream: logger.stream } : {};
