import { DeliveredTaskKind } from '@firstlight/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { type OidcVerifier, TaskAuthError } from './oidc-verifier.ts';
import type { TaskDispatcher } from './task-queue.ts';

const Params = z.object({ kind: DeliveredTaskKind });

/**
 * Cloud Tasks' HTTP targets: `POST /tasks/<kind>`. 2xx only when the work is durably done; 503 (with
 * Retry-After when we know better than the queue's backoff) to ask for a retry; 401 for a call without a
 * valid OIDC token of our service account, before anything is read or done.
 */
export const taskRoutes: FastifyPluginAsync<{ dispatch: TaskDispatcher; verifier: OidcVerifier }> = async (
  app,
  { dispatch, verifier },
) => {
  // Cloud Tasks sends no Content-Type unless the task set one: parse every body as JSON text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('the task body is not JSON'), { statusCode: 400 }), undefined);
    }
  });

  // Aborted as the app closes: a running task hands its work back (503, so Cloud Tasks retries it, on this
  // instance's successor or another) instead of holding the shutdown until its batch is done.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  // The token is checked on request, before any body is read or parsed: an anonymous caller learns nothing
  // about what we accept (not even that its body is not JSON), and gets one answer whatever it sent.
  app.addHook('onRequest', async (request, reply) => {
    try {
      await verifier.verify(request.headers.authorization);
    } catch (error) {
      if (!(error instanceof TaskAuthError)) throw error;
      request.log.debug({ reason: error.detail }, 'task token refused');
      return reply.code(401).send({ error: { code: 'unauthorized', message: error.message } });
    }
  });

  app.post('/tasks/:kind', async (request, reply) => {
    const params = Params.safeParse(request.params);
    if (!params.success)
      return reply.code(404).send({ error: { code: 'unknown_task', message: 'no such task kind' } });
    const retryCount = Number(request.headers['x-cloudtasks-taskretrycount'] ?? 0);
    const name = String(request.headers['x-cloudtasks-taskname'] ?? '');
    const log = request.log.child({ task: name, kind: params.data.kind, retryCount });
    let result: Awaited<ReturnType<TaskDispatcher>>;
    try {
      result = await dispatch(params.data.kind, request.body, { name, retryCount, signal: closing.signal });
    } catch (error) {
      if (error instanceof z.ZodError) {
        log.warn({ err: error }, 'task payload refused');
        return reply.code(400).send({ error: { code: 'invalid_payload', message: error.message } });
      }
      throw error;
    }
    if (result.outcome === 'done') return reply.code(204).send();
    log.info({ reason: result.reason }, 'task asks for a retry');
    if (result.retryAfterMs) reply.header('retry-after', String(Math.ceil(result.retryAfterMs / 1000)));
    return reply.code(503).send({ error: { code: 'retry', message: result.reason } });
  });
};
