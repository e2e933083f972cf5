import type { ApiError } from '@firstlight/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError } from './errors.ts';

/**
 * The one error handler: validation errors → 400 with the offending inputs, domain errors → their status,
 * anything else → 500 with no internals (logged in full).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const body: ApiError = {
        error: {
          code: 'invalid_request',
          message: `invalid ${error.validationContext ?? 'request'}`,
          issues: error.validation.map((issue) => ({
            path: [error.validationContext, ...issue.instancePath.split('/')].filter(Boolean).join('.'),
            message: issue.message ?? 'invalid',
          })),
        },
      };
      return reply.status(400).send(body);
    }
    if (error instanceof DomainError) {
      return reply
        .status(error.status)
        .send({ error: { code: error.code, message: error.message } } satisfies ApiError);
    }
    if ((error.statusCode ?? 500) < 500) {
      const status = error.statusCode ?? 400;
      return reply
        .status(status)
        .send({ error: { code: error.code ?? 'bad_request', message: error.message } } satisfies ApiError);
    }
    const what = isResponseSerializationError(error)
      ? 'response did not match its contract'
      : 'unhandled error';
    request.log.error({ err: error }, what);
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: 'internal server error' } } satisfies ApiError);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url}` },
    } satisfies ApiError);
  });
}
