import { EmailListQuery, EmailListResponse } from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listEmails } from './email-service.ts';

export const emailRoutes: FastifyPluginAsyncZod = async (app) => {
  // preParsing: anonymous callers get 401 before any body is parsed or input validated (no schema details),
  // and after every onRequest hook (the rate limiter counts them too).
  app.addHook('preParsing', async (request) => app.requireUser(request));
  app.get(
    '/api/emails',
    {
      schema: { querystring: EmailListQuery, response: { 200: EmailListResponse } },
    },
    async (request) => listEmails(app.db, request.userId!, request.query),
  );
};
