import { timingSafeEqual } from 'node:crypto';
import { LogoutEverywhereResponse } from '@firstlight/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type InteractiveGate, type OnboardingDeps, onboardMailbox } from '../ingestion/index.ts';
import { DomainError } from '../lib/errors.ts';
import { cookieOptions, sessionToken } from './session-plugin.ts';
import { endAllSessions, endSession, startSession } from './session-service.ts';
import { beginSignIn, completeSignIn, type PendingSignIn } from './sign-in-service.ts';
import type { TokenCipher } from './token-cipher.ts';

const PENDING_COOKIE = 'fl_oauth';
const PENDING_LIFETIME_S = 600; // an unfinished sign-in expires after 10 minutes

const PendingCookie = z.object({ state: z.string(), codeVerifier: z.string(), consent: z.boolean() });

const StartQuery = z.object({
  /** Ask Google for consent again (a new refresh token), e.g. after access was revoked. */
  consent: z.enum(['0', '1']).optional(),
  login_hint: z.string().max(320).optional(),
});

// Google adds parameters of its own (authuser, prompt, hd, scope...): accept them, bound their size.
const CallbackQuery = z.looseObject({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().min(1).max(512).optional(),
  error: z.string().max(200).optional(),
});

type CallbackRequest = FastifyRequest & { query: z.infer<typeof CallbackQuery> };

export interface AuthRouteOptions {
  cipher: TokenCipher;
  onboarding: OnboardingDeps;
  firstPageBudgetMs: number;
  /** Sign-ins in progress, which background work yields to. */
  interactive?: InteractiveGate;
  /** Background work other capabilities start for a signed-in account (the calendar sync). */
  onSignedIn?: (accountId: string) => Promise<void>;
}

/**
 * Google sign-in (ARCHITECTURE §3 steps 1–3): state + PKCE kept in a signed, short-lived cookie; the callback
 * verifies them, stores the account, starts a session, then fetches the first page within a time budget
 * before redirecting — past the budget it redirects anyway and the page arrives over the WebSocket.
 */
export const authRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (app, options) => {
  const settings = options.onboarding.settings;

  app.get('/auth/google', { schema: { querystring: StartQuery } }, async (request, reply) => {
    const { url, pending } = await beginSignIn(settings, {
      consent: request.query.consent === '1',
      ...(request.query.login_hint ? { loginHint: request.query.login_hint } : {}),
    });
    reply.setCookie(PENDING_COOKIE, JSON.stringify(pending), {
      ...cookieOptions(request, PENDING_LIFETIME_S),
      path: '/auth/google',
    });
    return reply.redirect(url);
  });

  app.get('/auth/google/callback', { schema: { querystring: CallbackQuery } }, async (request, reply) => {
    // Background Google work holds back until the callback has answered (InteractiveGate).
    const leave = options.interactive?.enter();
    try {
      return await callback(request, reply);
    } finally {
      leave?.();
    }
  });

  const callback = async (request: CallbackRequest, reply: FastifyReply) => {
    const startedAt = performance.now();
    const pending = readPending(request.cookies[PENDING_COOKIE], (raw) => request.unsignCookie(raw));
    reply.clearCookie(PENDING_COOKIE, { path: '/auth/google' });
    if (request.query.error) {
      // The user pressed "Cancel" (access_denied) or Google refused: back to the sign-in page, saying why.
      return reply.redirect(`/?signin_error=${encodeURIComponent(request.query.error)}`);
    }
    if (!pending || !request.query.state || !sameText(pending.state, request.query.state)) {
      throw new DomainError(
        400,
        'invalid_state',
        'this sign-in did not start here or has expired; sign in again',
      );
    }
    if (!request.query.code) throw new DomainError(400, 'invalid_request', 'the callback has no code');

    const signedIn = await completeSignIn(
      { db: app.db, settings, cipher: options.cipher },
      { code: request.query.code, codeVerifier: pending.codeVerifier },
    ).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'email_unverified') return undefined;
      throw error;
    });
    // An unverified address: nothing was stored; back to the sign-in page, which says why.
    if (!signedIn) return reply.redirect('/?signin_error=email_unverified');
    if (!signedIn.hasRefreshToken && !pending.consent) {
      // Google sends a refresh token on first consent only; without one the backfill cannot run later.
      return reply.redirect('/auth/google?consent=1');
    }
    // Rotation: a sign-in never keeps the session id the browser came with (a token planted before sign-in, or
    // left by a previous user of this browser, must not become — or stay — a signed-in session). Sessions of the
    // user's other browsers stay: ending them is what "sign out everywhere" is for.
    const previous = sessionToken(request);
    if (previous) app.sessionsEnded([await endSession(app.db, previous)]);
    const session = await startSession(app.db, signedIn.userId, request.headers['user-agent'] ?? null);
    reply.setSessionCookie(session.token);

    const onboarding = onboardMailbox(options.onboarding, {
      userId: signedIn.userId,
      accountId: signedIn.accountId,
      oauth: signedIn.oauth,
      startedAt,
    })
      .then((result) => app.metrics.timeToFirstData.observe(result.firstDataMs / 1000))
      .catch((error: unknown) => {
        request.log.error({ err: error, userId: signedIn.userId }, 'first page failed');
      });
    // The calendar sync starts once the first page is in: started together, it competes with the page the user is
    // waiting for (Google's latency, our CPU) and is not on screen yet.
    void onboarding.then(() =>
      options.onSignedIn?.(signedIn.accountId).catch((error: unknown) => {
        request.log.warn({ err: error, userId: signedIn.userId }, 'could not start the calendar sync');
      }),
    );
    const finishedInTime = await Promise.race([
      onboarding.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), options.firstPageBudgetMs).unref()),
    ]);
    if (!finishedInTime)
      request.log.warn({ userId: signedIn.userId }, 'first page over budget: redirecting anyway');
    return reply.redirect('/inbox');
  };

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

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
