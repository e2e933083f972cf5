import { EmailListQuery, EmailListResponse } from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listEmails } from './email-service.ts';

export const emailRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/emails',
    {
      schema: { querystring: EmailListQuery, response: { 200: EmailListResponse } },
      preHandler: (request) => app.requireUser(request),
    },
    async (request) => listEmails(app.db, request.userId!, request.query),
  );
};
