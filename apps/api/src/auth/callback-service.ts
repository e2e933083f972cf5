import { timingSafeEqual } from 'node:crypto';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { TokenCipher } from '../accounts/index.ts';
import type { GoogleSettings, OAuth2Client } from '../google/index.ts';
import { DomainError } from '../lib/errors.ts';
import { endSession, startSession } from './session-service.ts';
import { type CompletedSignIn, completeSignIn, type PendingSignIn } from './sign-in-service.ts';

/** The mailbox's first page and the hand-off to the backfill (ingestion's onboardMailbox, wired by the app). */
export type Onboard = (input: {
  userId: string;
  accountId: string;
  /** The sign-in's fresh credentials: the first page uses them rather than reading them back. */
  grant: OAuth2Client;
  startedAt: number;
}) => Promise<{ firstDataMs: number; phases: Record<string, number> }>;

export interface CallbackDeps {
  db: Kysely<Database>;
  settings: GoogleSettings;
  cipher: TokenCipher;
  onboard: Onboard;
  firstPageBudgetMs: number;
  /** Sign-ins in progress, which background work yields to (ingestion's InteractiveGate). */
  interactive?: { enter(): () => void } | undefined;
  /** Background work other capabilities start for a signed-in account (the calendar sync). */
  onSignedIn?: ((accountId: string) => Promise<void>) | undefined;
  /** Sessions this callback ended (the WebSocket route closes their sockets). */
  sessionsEnded(sessionIds: readonly string[]): void;
  observeFirstData(ms: number): void;
}

export interface CallbackInput {
  query: { code?: string | undefined; state?: string | undefined; error?: string | undefined };
  /** The signed pending cookie's contents; undefined when absent, forged or expired. */
  pending: PendingSignIn | undefined;
  /** The session token the browser came with, if any. */
  previousSessionToken: string | undefined;
  /** The user of that session (asked only when an account is being added). */
  currentUser(): Promise<string | undefined>;
  userAgent: string | null;
  /** performance.now() when the callback arrived: the time to first data counts from here. */
  startedAt: number;
  log: Record<'info' | 'warn' | 'error', (object: object, message: string) => void>;
}

/** What the route answers. The pending cookie is cleared on every outcome (a state is good for one try). */
export interface CallbackOutcome {
  kind: 'redirect';
  to: string;
  /** A new session's token for the session cookie (a sign-in; adding an account keeps the session). */
  setSession?: string;
}

const redirect = (to: string, setSession?: string): CallbackOutcome =>
  setSession ? { kind: 'redirect', to, setSession } : { kind: 'redirect', to };

/**
 * Google sign-in, step 3 (ARCHITECTURE §3): the callback verifies state, stores the account, starts a session,
 * then fetches the first page within a time budget before redirecting — past the budget it redirects anyway and
 * the page arrives over the WebSocket. Throws DomainError for a callback that did not start here.
 */
export async function finishSignIn(deps: CallbackDeps, input: CallbackInput): Promise<CallbackOutcome> {
  // Background Google work holds back until the callback has answered (InteractiveGate).
  const leave = deps.interactive?.enter();
  try {
    return await callback(deps, input);
  } finally {
    leave?.();
  }
}

async function callback(deps: CallbackDeps, input: CallbackInput): Promise<CallbackOutcome> {
  const { query, pending } = input;
  if (query.error) {
    // The user pressed "Cancel" (access_denied) or Google refused: back to the sign-in page, saying why.
    return redirect(`/?signin_error=${encodeURIComponent(query.error)}`);
  }
  if (!pending || !query.state || !sameText(pending.state, query.state)) {
    throw new DomainError(
      400,
      'invalid_state',
      'this sign-in did not start here or has expired; sign in again',
    );
  }
  if (!query.code) throw new DomainError(400, 'invalid_request', 'the callback has no code');
  // Adding an account: the user who started it must still be the one signed in in this browser.
  if (pending.addTo && (await input.currentUser()) !== pending.addTo) {
    throw new DomainError(401, 'unauthenticated', 'sign in first, then add the account');
  }

  const signedIn = await completeSignIn(
    { db: deps.db, settings: deps.settings, cipher: deps.cipher },
    {
      code: query.code,
      codeVerifier: pending.codeVerifier,
      ...(pending.addTo ? { addTo: pending.addTo } : {}),
    },
  ).catch((error: unknown) => {
    // Nothing was stored; back to the sign-in page, which says why.
    if (
      error instanceof DomainError &&
      (error.code === 'email_unverified' || error.code === 'account_in_use')
    )
      return error.code;
    throw error;
  });
  if (typeof signedIn === 'string') return redirect(`/?signin_error=${signedIn}`);
  if (!signedIn.hasRefreshToken && !pending.consent) {
    // Google sends a refresh token on first consent only; without one the backfill cannot run later.
    return redirect(pending.addTo ? '/auth/google?intent=add_account&consent=1' : '/auth/google?consent=1');
  }
  const session = pending.addTo ? undefined : await rotateSession(deps, input, signedIn.userId);
  await onboardWithinBudget(deps, input, signedIn);
  return redirect('/inbox', session);
}

/**
 * Rotation: a sign-in never keeps the session id the browser came with (a token planted before sign-in, or left
 * by a previous user of this browser, must not become — or stay — a signed-in session). Sessions of the user's
 * other browsers stay: ending them is what "sign out everywhere" is for.
 */
async function rotateSession(deps: CallbackDeps, input: CallbackInput, userId: string): Promise<string> {
  if (input.previousSessionToken) deps.sessionsEnded([await endSession(deps.db, input.previousSessionToken)]);
  const session = await startSession(deps.db, userId, input.userAgent);
  return session.token;
}

/** The first page, raced against its budget; the calendar sync starts once it is in. */
async function onboardWithinBudget(deps: CallbackDeps, input: CallbackInput, signedIn: CompletedSignIn) {
  const { userId, accountId } = signedIn;
  const onboarding = deps
    .onboard({ userId, accountId, grant: signedIn.oauth, startedAt: input.startedAt })
    .then((result) => {
      deps.observeFirstData(result.firstDataMs);
      input.log.info({ userId, firstDataMs: result.firstDataMs, ...result.phases }, 'first page stored');
    })
    .catch((error: unknown) => {
      input.log.error({ err: error, userId }, 'first page failed');
    });
  // Started together, the calendar sync would compete with the page the user is waiting for (Google's latency,
  // our CPU), and it is not on screen yet.
  void onboarding.then(() =>
    deps.onSignedIn?.(accountId).catch((error: unknown) => {
      input.log.warn({ err: error, userId }, 'could not start the calendar sync');
    }),
  );
  const finishedInTime = await Promise.race([
    onboarding.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), deps.firstPageBudgetMs).unref()),
  ]);
  if (!finishedInTime) input.log.warn({ userId }, 'first page over budget: redirecting anyway');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
