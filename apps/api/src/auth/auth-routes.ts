import { LogoutEverywhereResponse } from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TokenCipher } from '../accounts/index.ts';
import type { GoogleSettings } from '../google/index.ts';
import { type CallbackDeps, finishSignIn } from './callback-service.ts';
import { cookieOptions, sessionToken } from './session-plugin.ts';
import { endAllSessions, endSession } from './session-service.ts';
import { beginSignIn, type PendingSignIn } from './sign-in-service.ts';

const PENDING_COOKIE = 'fl_oauth';
const PENDING_LIFETIME_S = 600; // an unfinished sign-in expires after 10 minutes

const PendingCookie = z.object({
  state: z.string(),
  codeVerifier: z.string(),
  consent: z.boolean(),
  addTo: z.string().optional(),
});

const StartQuery = z.object({
  /** Ask Google for consent again (a new refresh token), e.g. after access was revoked. */
  consent: z.enum(['0', '1']).optional(),
  login_hint: z.string().max(320).optional(),
  /** A signed-in user connects another Google account (401 when signed out). */
  intent: z.enum(['add_account']).optional(),
});

// Google adds parameters of its own (authuser, prompt, hd, scope...): accept them, bound their size.
const CallbackQuery = z.looseObject({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

export interface AuthRouteOptions {
  cipher: TokenCipher;
  settings: GoogleSettings;
  /** The first page and the backfill's hand-off (ingestion's onboardMailbox). */
  onboard: CallbackDeps['onboard'];
  firstPageBudgetMs: number;
  /** Sign-ins in progress, which background work yields to. */
  interactive?: CallbackDeps['interactive'];
  /** Background work other capabilities start for a signed-in account (the calendar sync). */
  onSignedIn?: CallbackDeps['onSignedIn'];
}

/**
 * Google sign-in (ARCHITECTURE §3 steps 1–3): state + PKCE kept in a signed, short-lived cookie; the callback
 * verifies them, stores the account, starts a session, then fetches the first page within a time budget
 * before redirecting — past the budget it redirects anyway and the page arrives over the WebSocket.
 */
export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const deps: CallbackDeps = {
    db: app.db,
    settings: options.settings,
    cipher: options.cipher,
    onboard: options.onboard,
    firstPageBudgetMs: options.firstPageBudgetMs,
    interactive: options.interactive,
    onSignedIn: options.onSignedIn,
    sessionsEnded: (ids) => app.sessionsEnded(ids),
    observeFirstData: (ms) => app.metrics.timeToFirstData.observe(ms / 1000),
  };

  app.get('/auth/google', { schema: { querystring: StartQuery } }, async (request, reply) => {
    if (request.query.intent === 'add_account') await app.requireUser(request);
    const { url, pending } = await beginSignIn(options.settings, {
      consent: request.query.consent === '1',
      ...(request.query.login_hint ? { loginHint: request.query.login_hint } : {}),
      ...(request.userId ? { addTo: request.userId } : {}),
    });
    reply.setCookie(PENDING_COOKIE, JSON.stringify(pending), {
      ...cookieOptions(request, PENDING_LIFETIME_S),
      path: '/auth/google',
    });
    return reply.redirect(url);
  });

  app.get('/auth/google/callback', { schema: { querystring: CallbackQuery } }, async (request, reply) => {
    const startedAt = performance.now();
    const pending = readPending(request.cookies[PENDING_COOKIE], (raw) => request.unsignCookie(raw));
    reply.clearCookie(PENDING_COOKIE, { path: '/auth/google' });
    const outcome = await finishSignIn(deps, {
      query: request.query,
      pending,
      previousSessionToken: sessionToken(request),
      currentUser: () => app.sessionUser(request),
      userAgent: request.headers['user-agent'] ?? null,
      startedAt,
      log: request.log,
    });
    if (outcome.setSession) reply.setSessionCookie(outcome.setSession);
    return reply.redirect(outcome.to);
  });

  app.post('/auth/logout', async (request, reply) => {
    const token = sessionToken(request);
    if (token) app.sessionsEnded([await endSession(app.db, token)]);
    reply.clearSessionCookie();
    return reply.status(204).send();
  });

  // Sign out everywhere: every session of the user (other browsers, a lost phone), this one included.
  app.post(
    '/auth/logout-everywhere',
    {
      preParsing: async (request) => app.requireUser(request),
      schema: { response: { 200: LogoutEverywhereResponse } },
    },
    async (request, reply) => {
      const ended = await endAllSessions(app.db, request.userId!);
      app.sessionsEnded(ended);
      reply.clearSessionCookie();
      return { sessionsEnded: ended.length };
    },
  );
};

function readPending(
  raw: string | undefined,
  unsign: (raw: string) => { valid: boolean; value: string | null },
) {
  if (!raw) return undefined;
  const unsigned = unsign(raw);
  if (!unsigned.valid || !unsigned.value) return undefined;
  try {
    return PendingCookie.parse(JSON.parse(unsigned.value)) satisfies PendingSignIn;
  } catch {
    return undefined;
  }
}
