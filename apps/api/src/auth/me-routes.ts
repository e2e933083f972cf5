import { MeResponse } from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import { hasOpsRole } from '../ops/index.ts';
import { describeMe, type MeProgress } from './me-service.ts';

export interface MeRouteOptions {
  opsAccess: Config['ops'];
  progress: MeProgress;
}

export const meRoutes: FastifyPluginAsyncZod<MeRouteOptions> = async (app, options) => {
  const deps = {
    db: app.db,
    progress: options.progress,
    isOps: (email: string) => hasOpsRole(options.opsAccess, email),
  };
  // preParsing: anonymous callers get 401 before any body is parsed or input validated (no schema details),
  // and after every onRequest hook (the rate limiter counts them too).
  app.addHook('preParsing', async (request) => app.requireUser(request));
  app.get('/api/me', { schema: { response: { 200: MeResponse } } }, async (request) =>
    describeMe(deps, request.userId!),
  );
};
