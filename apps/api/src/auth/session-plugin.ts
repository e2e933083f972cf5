import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../lib/errors.ts';
import { resolveSession, SESSION_LIFETIME_MS } from './session-service.ts';

export const SESSION_COOKIE = 'fl_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user's id, set by `requireUser`. */
    userId?: string;
  }
  interface FastifyInstance {
    /** preHandler: 401 unless the request carries a live session; sets `request.userId`. */
    requireUser(request: FastifyRequest): Promise<void>;
    /** The session user's id, or undefined (never throws). */
    sessionUser(request: FastifyRequest): Promise<string | undefined>;
  }
  interface FastifyReply {
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
}

export interface SessionPluginOptions {
  /** Signs cookies (HMAC); from SESSION_SECRET or the embedded secrets file. */
  secret: string;
}

/** The raw token of the request's session cookie, if present and correctly signed. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/**
 * Cookies: httpOnly, SameSite=Lax (the OAuth redirect back to us is a top-level GET), Secure when PUBLIC_URL is
 * https: decided by configuration, never by a client's X-Forwarded-Proto.
 */
export function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.server.config.publicUrl.startsWith('https:'),
    signed: true,
    maxAge: maxAgeSeconds,
  };
}

export const sessionPlugin = fp<SessionPluginOptions>(
  async (app, options) => {
    await app.register(fastifyCookie, { secret: options.secret });

    app.decorate('sessionUser', async (request: FastifyRequest) => {
      const token = sessionToken(request);
      return token ? resolveSession(app.db, token) : undefined;
    });
    app.decorate('requireUser', async (request: FastifyRequest) => {
      const userId = await app.sessionUser(request);
      if (!userId) throw new DomainError(401, 'unauthenticated', 'sign in first');
      request.userId = userId;
    });
    app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string) {
      return this.setCookie(SESSION_COOKIE, token, cookieOptions(this.request, SESSION_LIFETIME_MS / 1000));
    });
    app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
      return this.clearCookie(SESSION_COOKIE, { path: '/' });
    });
  },
  { name: 'session' },
);
