import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../lib/errors.ts';
import { SessionPruner } from './session-pruner.ts';
import { type LiveSession, resolveSession, SESSION_LIFETIME_MS, stillLive } from './session-service.ts';

export const SESSION_COOKIE = 'fl_session';

/** Told the ids of sessions that ended on this instance (logout, sign-out everywhere, rotation at sign-in). */
export type SessionsEndedListener = (sessionIds: readonly string[]) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user's id, set by `requireUser`. */
    userId?: string;
    /** The session's id (SHA-256 of its token), set by `requireUser`. */
    sessionId?: string;
  }
  interface FastifyInstance {
    /**
     * 401 unless the request carries a live session; sets `request.userId` and `sessionId`. Used as a
     * preParsing hook (not preHandler): it answers before the body is parsed or the input validated, so an
     * anonymous caller learns nothing from a 400 — yet after the onRequest hooks (rate limits still count it).
     */
    requireUser(request: FastifyRequest): Promise<void>;
    /** The session user's id, or undefined (never throws). */
    sessionUser(request: FastifyRequest): Promise<string | undefined>;
    /** Of these session ids, those still live (not ended, expired or idle). */
    liveSessions(sessionIds: readonly string[]): Promise<Set<string>>;
    /** Announces ended sessions to this instance's listeners (the WebSocket route closes their sockets). */
    sessionsEnded(sessionIds: readonly string[]): void;
    onSessionsEnded(listener: SessionsEndedListener): () => void;
  }
  interface FastifyReply {
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
}

export interface SessionPluginOptions {
  /** Signs cookies (HMAC); from SESSION_SECRET or the embedded secrets file. */
  secret: string;
  /** SESSION_IDLE_TIMEOUT_MS, SESSION_PRUNE_EVERY_MS. */
  policy: { idleTimeoutMs: number; pruneEveryMs: number };
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
    const policy = options.policy;

    const session = async (request: FastifyRequest): Promise<LiveSession | undefined> => {
      const token = sessionToken(request);
      return token ? resolveSession(app.db, token, policy) : undefined;
    };
    app.decorate('sessionUser', async (request: FastifyRequest) => (await session(request))?.userId);
    app.decorate('requireUser', async (request: FastifyRequest) => {
      if (request.sessionId) return; // already checked for this request
      const live = await session(request);
      if (!live) throw new DomainError(401, 'unauthenticated', 'sign in first');
      request.userId = live.userId;
      request.sessionId = live.sessionId;
    });
    app.decorate('liveSessions', (sessionIds: readonly string[]) => stillLive(app.db, sessionIds, policy));

    const ended = new Set<SessionsEndedListener>();
    app.decorate('sessionsEnded', (sessionIds: readonly string[]) => {
      for (const listener of ended) listener(sessionIds);
    });
    app.decorate('onSessionsEnded', (listener: SessionsEndedListener) => {
      ended.add(listener);
      return () => ended.delete(listener);
    });

    app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string) {
      return this.setCookie(SESSION_COOKIE, token, cookieOptions(this.request, SESSION_LIFETIME_MS / 1000));
    });
    app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
      return this.clearCookie(SESSION_COOKIE, { path: '/' });
    });

    const pruner = new SessionPruner(app.db, policy, app.log);
    app.addHook('onReady', async () => pruner.start());
    app.addHook('onClose', async () => pruner.stop());
  },
  { name: 'session' },
);
