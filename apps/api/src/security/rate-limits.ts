import { createHash } from 'node:crypto';
import { normalizeIP, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { sessionToken } from '../auth/index.ts';
import { DomainError } from '../lib/errors.ts';

export interface RateLimitSettings {
  /** Per IP, per minute, on `/auth/google` and its callback together (a sign-in is 2–3 requests). */
  signInPerMinute: number;
  /** Per session (per IP without one), per minute, on every other route. */
  perMinute: number;
}

const WINDOW_MS = 60_000;
const SIGN_IN_PREFIX = '/auth/google';
/** Addresses and sessions remembered per instance (LRU); ample for thousands of concurrent users. */
const TRACKED_KEYS = 100_000;
/** One IPv6 customer usually holds a whole /56: keyed per address, one machine would have 2^72 budgets. */
const IPV6_SUBNET = 56;

/**
 * Health probes (Cloud Run, load balancers) and Cloud Tasks (which retries on 429 and authenticates with OIDC)
 * are never limited. `/metrics` is: a scraper's few requests a minute never come near the limit, and someone
 * hammering it is bounded like on any other route.
 */
function exempt(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === '/healthz' || route === '/readyz' || route?.startsWith('/tasks/') === true;
}

/**
 * The sign-in routes count per client IP. Elsewhere a signed-in user has a budget of their own, so people behind
 * one NAT do not share it: keyed on a hash of the session token (a signed cookie: a forged or random cookie does
 * not open a fresh budget, it falls back to the IP; the raw token never sits in the limiter's memory).
 */
function keyOf(request: FastifyRequest): string {
  const ip = normalizeIP(request.ip, IPV6_SUBNET);
  if (request.routeOptions.url?.startsWith(SIGN_IN_PREFIX)) return `sign-in:${ip}`;
  const token = sessionToken(request);
  if (!token) return `ip:${ip}`;
  return `session:${createHash('sha256').update(token).digest('base64url')}`;
}

/** @fastify/rate-limit on every route, with its in-memory store: the limits hold per instance. */
export function rateLimits(settings: RateLimitSettings): RateLimitPluginOptions {
  return {
    global: true,
    timeWindow: WINDOW_MS,
    cache: TRACKED_KEYS,
    keyGenerator: keyOf,
    max: (_request, key) => (key.startsWith('sign-in:') ? settings.signInPerMinute : settings.perMinute),
    allowList: exempt,
    // Thrown: the app's error handler answers 429 in the usual error shape; Retry-After is already set.
    errorResponseBuilder: (_request, context) =>
      new DomainError(429, 'rate_limited', `too many requests: try again in ${context.after}`),
  };
}
