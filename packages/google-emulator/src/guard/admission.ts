import type { EmulatorContext } from '../context.ts';
import {
  injectedServerError,
  insufficientScopes,
  invalidCredentials,
  projectQuotaExceeded,
  userQuotaExceeded,
} from '../google-error.ts';
import { scopesAllow } from '../oauth/scopes.ts';
import type { FaultSettings } from '../options.ts';
import type { EmulatorAccount, GoogleRouteConfig } from '../types.ts';
import type { ErrorCause } from './counters.ts';
import { latencyFor } from './latency.ts';

/**
 * The guard's checks, one function each, in Google's order: who (bearer token and scopes), injected faults,
 * the quota windows, then the method's latency. The Fastify hook (guard.ts) runs them around the concurrency
 * limit; the Gmail batch endpoint runs them per part without a round trip through the router (admitPart).
 * A refusal is counted here, as the caller answers it.
 */

export interface Refusal {
  status: number;
  body: unknown;
}

export type Admitted = { ok: true; account: EmulatorAccount; faults: FaultSettings };

function refusal(
  context: EmulatorContext,
  route: GoogleRouteConfig,
  status: number,
  body: unknown,
  cause: ErrorCause,
) {
  context.counters.error(route.api, route.method, status, cause);
  return { ok: false as const, status, body };
}

/** Bearer token, its account and its scopes (401 / 403). */
export function authenticate(
  context: EmulatorContext,
  route: GoogleRouteConfig,
  authorization: string | undefined,
  httpMethod: string,
): Admitted | ({ ok: false } & Refusal) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const grant = bearer ? context.tokens.accessGrant(bearer) : undefined;
  const account = grant ? context.accounts.get(grant.email) : undefined;
  if (!grant || !account) return refusal(context, route, 401, invalidCredentials(), 'auth');
  if (!scopesAllow(grant.scopes, route.api, httpMethod !== 'GET'))
    return refusal(context, route, 403, insufficientScopes(), 'auth');
  return { ok: true, account, faults: context.faults.for(account.email) };
}

/** A random 429/500/503 at the account's error rate, or undefined. */
export function injectedFault(
  context: EmulatorContext,
  route: GoogleRouteConfig,
  faults: FaultSettings,
): Refusal | undefined {
  if (!(faults.errorRate > 0 && Math.random() < faults.errorRate)) return undefined;
  const status = faults.errorStatuses[Math.floor(Math.random() * faults.errorStatuses.length)]!;
  return refusal(context, route, status, injectedServerError(status), 'fault');
}

/** Charges the call's units, or answers the user's (429/403) or the project's (403) refusal. */
export function chargeQuota(
  context: EmulatorContext,
  route: GoogleRouteConfig,
  account: EmulatorAccount,
): Refusal | undefined {
  const verdict = context.quota.charge(route.api, account.email, route.cost);
  if (!verdict.ok) {
    const body =
      verdict.scope === 'project'
        ? projectQuotaExceeded()
        : userQuotaExceeded(route.api, context.quota.settings.userErrorStyle);
    return refusal(context, route, body.error.code, body, 'quota');
  }
  context.counters.charge(route.api, route.method, account.email, route.cost);
  return undefined;
}

/** How long the call takes on Google (the method's latency profile, plus an injected slowdown). */
export function delayOf(context: EmulatorContext, route: GoogleRouteConfig, faults: FaultSettings): number {
  const slow = faults.slowRate > 0 && Math.random() < faults.slowRate ? faults.slowMs : 0;
  return latencyFor(context.options.latency, `${route.api}.${route.method}`) + slow;
}

/**
 * A batch part, checked as the hook checks a call except for the concurrency limit (the batch holds one
 * slot) and dropped connections (a part has none of its own). Answers the account, or the refusal to send.
 */
export function admitPart(
  context: EmulatorContext,
  route: GoogleRouteConfig,
  authorization: string | undefined,
): { ok: true; account: EmulatorAccount; delayMs: number } | ({ ok: false } & Refusal) {
  const who = authenticate(context, route, authorization, 'GET');
  if (!who.ok) return who;
  const refused = injectedFault(context, route, who.faults) ?? chargeQuota(context, route, who.account);
  if (refused) return { ok: false, ...refused };
  return { ok: true, account: who.account, delayMs: delayOf(context, route, who.faults) };
}
