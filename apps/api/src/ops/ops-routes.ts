import {
  ApiError,
  OpsIngestFailuresResponse,
  OpsIngestionDetailResponse,
  OpsIngestionListQuery,
  OpsIngestionListResponse,
  OpsJobParams,
  OpsQuotaPlanResponse,
} from '@firstlight/contracts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Metrics } from './metrics.ts';
import { requireOpsRole } from './ops-access.ts';
import { ingestFailures, ingestionDetail, listIngestions } from './ops-service.ts';
import { quotaPlan } from './quota-plan.ts';

export interface OpsRoutesOptions {
  metrics: Metrics;
  access: Config['ops'];
  /** The quota scheduler's budget (`GET /api/ops/quota`); the route is absent without it. */
  quota?: Config['quota'];
}

const denied = { 401: ApiError, 403: ApiError };

/** `/api/ops/*` and `/metrics`, ops role only. ARCHITECTURE.md §6. */
export const opsRoutes: FastifyPluginAsyncZod<OpsRoutesOptions> = async (app, options) => {
  const deps = { db: app.db, metrics: options.metrics };
  // preParsing, not preHandler: access is decided before parsing and validation, so strangers learn nothing from
  // a 400; and after the onRequest hooks, so the rate limiter counts refused callers (token guessing) too.
  const authenticate = async (request: FastifyRequest) => {
    const { userId } = await requireOpsRole(app.db, options.access, {
      authorization: request.headers.authorization,
      sessionUser: () => app.sessionUser(request),
    });
    if (userId) request.userId = userId;
  };

  app.get(
    '/api/ops/ingestions',
    {
      schema: {
        querystring: OpsIngestionListQuery,
        response: { 200: OpsIngestionListResponse, 400: ApiError, ...denied },
      },
      preParsing: authenticate,
    },
    async (request) => listIngestions(deps, request.query),
  );

  app.get(
    '/api/ops/ingestions/:jobId',
    {
      schema: {
        params: OpsJobParams,
        response: { 200: OpsIngestionDetailResponse, 400: ApiError, ...denied, 404: ApiError },
      },
      preParsing: authenticate,
    },
    async (request) => ingestionDetail(deps, request.params.jobId),
  );

  app.get(
    '/api/ops/ingest-failures',
    { schema: { response: { 200: OpsIngestFailuresResponse, ...denied } }, preParsing: authenticate },
    async () => ingestFailures(deps),
  );

  const quota = options.quota;
  if (quota) {
    app.get(
      '/api/ops/quota',
      { schema: { response: { 200: OpsQuotaPlanResponse, ...denied } }, preParsing: authenticate },
      async () => quotaPlan(app.db, quota, options.metrics),
    );
  }

  // Prometheus text, not JSON: no response schema, the registry serialises itself.
  app.get('/metrics', { preParsing: authenticate }, async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
};
