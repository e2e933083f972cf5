import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.ts';
import {
  injectedServerError,
  insufficientScopes,
  invalidCredentials,
  projectQuotaExceeded,
  tooManyConcurrent,
  userQuotaExceeded,
} from '../google-error.ts';
import { scopesAllow } from '../oauth/scopes.ts';
import { BATCH_PART_HEADER, type GoogleRouteConfig } from '../types.ts';
import type { ErrorCause } from './counters.ts';
import { latencyFor, sleep } from './latency.ts';

/**
 * Stands in front of every Google API route (those with `config.google`), in Google's order: authenticate the
 * bearer token, check scopes, inject faults, the per-user concurrency limit, the quota windows, then the
 * latency of the method. Refusals are Google-shaped and counted.
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
    const refuse = (status: number, body: unknown, cause: ErrorCause) => {
      context.counters.error(route.api, route.method, status, cause);
      return reply.code(status).send(body);
    };

    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer ? context.tokens.accessGrant(bearer) : undefined;
    const account = grant ? context.accounts.get(grant.email) : undefined;
    if (!grant || !account) return refuse(401, invalidCredentials(), 'auth');
    if (!scopesAllow(grant.scopes, route.api, request.method !== 'GET')) {
      return refuse(403, insufficientScopes(), 'auth');
    }
    request.googleAccount = account;

    const isBatchPart = request.headers[BATCH_PART_HEADER] === context.batchPartToken;
    const faults = context.faults.for(account.email);
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      const status = faults.errorStatuses[Math.floor(Math.random() * faults.errorStatuses.length)]!;
      return refuse(status, injectedServerError(status), 'fault');
    }
    if (!isBatchPart && faults.dropRate > 0 && Math.random() < faults.dropRate) {
      context.counters.error(route.api, route.method, 0, 'drop');
      return dropMidResponse(reply);
    }

    const quota = context.quota.settings;
    if (!isBatchPart && quota.enabled) {
      const current = inFlight.get(account.email) ?? 0;
      if (current >= quota.concurrentPerUser) {
        context.quota.refused(route.api, account.email, 'concurrency');
        return refuse(429, tooManyConcurrent(), 'concurrency');
      }
      inFlight.set(account.email, current + 1);
      holding.add(request);
    }

    const verdict = context.quota.charge(route.api, account.email, route.cost);
    if (!verdict.ok) {
      release(request);
      const body =
        verdict.scope === 'project'
          ? projectQuotaExceeded()
          : userQuotaExceeded(route.api, quota.userErrorStyle);
      return refuse(body.error.code, body, 'quota');
    }
    context.counters.charge(route.api, route.method, account.email, route.cost);

    const slow = faults.slowRate > 0 && Math.random() < faults.slowRate ? faults.slowMs : 0;
    await sleep(latencyFor(context.options.latency, keyOf(route)) + slow);
  });

  app.addHook('onResponse', async (request) => release(request));
  app.addHook('onRequestAbort', async (request) => release(request));
}

const keyOf = (route: GoogleRouteConfig) => `${route.api}.${route.method}`;

/** Sends headers and half a JSON body, then cuts the connection: the client sees a premature close. */
function dropMidResponse(reply: FastifyReply): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': '4096' });
  raw.write('{\n  "messages": [\n    {\n      "id": "');
  setImmediate(() => raw.socket?.destroy());
}
