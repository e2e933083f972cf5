import type { Database } from '@firstlight/db';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { healthRoutes } from './health/health-routes.ts';
import { registerErrorHandler } from './lib/errors.ts';
import { webRoutes } from './web/web-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    config: Config;
  }
}

export interface AppDependencies {
  config: Config;
  db: Kysely<Database>;
  /** Fastify's logger option: pino settings, or false (tests). */
  logger?: FastifyServerOptions['logger'];
}

/** Builds the API from its feature plugins. Never listens: `main.ts` does, tests use `app.inject()`. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.logLevel },
    // Behind Cloud Run or a local proxy, X-Forwarded-* tell us the client's protocol (Secure cookies).
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('db', deps.db);
  app.decorate('config', deps.config);
  registerErrorHandler(app);

  await app.register(healthRoutes);
  await app.register(webRoutes, { distDir: deps.config.webDistDir });
  return app;
}
