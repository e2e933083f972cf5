import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { browserHeaders } from './browser-headers.ts';
import { originGuard } from './origin-guard.ts';
import { type RateLimitSettings, rateLimits } from './rate-limits.ts';

export interface SecurityOptions {
  /** PUBLIC_URL: the one origin browsers may act from, and whether the site is https (HSTS). */
  publicUrl: string;
  rateLimit: RateLimitSettings;
}

/**
 * The guards in front of every route: browser security headers, the cross-origin check, rate limits. Registered
 * before any route (the rate limiter attaches itself to routes as they are added).
 */
export const securityPlugin = fp<SecurityOptions>(
  async (app, options) => {
    await app.register(fastifyHelmet, browserHeaders(options.publicUrl));
    // preParsing, not onRequest: still before any body is read or handler runs, but after @fastify/websocket's own
    // onRequest hook has marked an upgrade, so a refused handshake's socket is destroyed instead of left open.
    app.addHook('preParsing', originGuard(new URL(options.publicUrl).origin));
    await app.register(fastifyRateLimit, rateLimits(options.rateLimit));
  },
  { name: 'security' },
);
