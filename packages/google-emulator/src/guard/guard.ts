import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.ts';
import { tooManyConcurrent } from '../google-error.ts';
import { BATCH_PART_HEADER } from '../types.ts';
import { authenticate, chargeQuota, delayOf, injectedFault, type Refusal } from './admission.ts';
import { sleep } from './latency.ts';

/**
 * Stands in front of every Google API route (those with `config.google`), in Google's order: authenticate the
 * bearer token, check scopes, inject faults, the per-user concurrency limit, the quota windows, then the
 * latency of the method (admission.ts). Refusals are Google-shaped and counted.
 */
export function installGuard(app: FastifyInstance, context: EmulatorContext): void {
  const inFlight = new Map<string, number>();
  const holding = new WeakSet<FastifyRequest>();

  const release = (request: FastifyRequest) => {
    if (!holding.has(request) || !request.googleAccount) return;
    holding.delete(request);
    const email = request.googleAccount.email;
    const count = (inFlight.get(email) ?? 1) - 1;
    if (count <= 0) inFlight.delete(email);
    else inFlight.set(email, count);
  };

  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config.google;
    if (!route) return;
    const send = (refused: Refusal) => reply.code(refused.status).send(refused.body);

    const who = authenticate(context, route, request.headers.authorization, request.method);
    if (!who.ok) return send(who);
    const { account, faults } = who;
    request.googleAccount = account;

    const isBatchPart = request.headers[BATCH_PART_HEADER] === context.batchPartToken;
    const fault = injectedFault(context, route, faults);
    if (fault) return send(fault);
    if (!isBatchPart && faults.dropRate > 0 && Math.random() < faults.dropRate) {
      context.counters.error(route.api, route.method, 0, 'drop');
      return dropMidResponse(reply);
    }

    const quota = context.quota.settings;
    if (!isBatchPart && quota.enabled) {
      const current = inFlight.get(account.email) ?? 0;
      if (current >= quota.concurrentPerUser) {
        context.quota.refused(route.api, account.email, 'concurrency');
        context.counters.error(route.api, route.method, 429, 'concurrency');
        return reply.code(429).send(tooManyConcurrent());
      }
      inFlight.set(account.email, current + 1);
      holding.add(request);
    }

    const overQuota = chargeQuota(context, route, account);
    if (overQuota) {
      release(request);
      return send(overQuota);
    }
    await sleep(delayOf(context, route, faults));
  });

  app.addHook('onResponse', async (request) => release(request));
  app.addHook('onRequestAbort', async (request) => release(request));
}

/** Sends headers and half a JSON body, then cuts the connection: the client sees a premature close. */
function dropMidResponse(reply: FastifyReply): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': '4096' });
  raw.write('{\n  "messages": [\n    {\n      "id": "');
  setImmediate(() => raw.socket?.destroy());
}
