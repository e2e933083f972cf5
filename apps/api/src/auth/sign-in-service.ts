import { randomBytes } from 'node:crypto';
import type { Database } from '@firstlight/db';
import { CodeChallengeMethod } from 'google-auth-library';
import type { Kysely } from 'kysely';
import { attachAccount, type TokenCipher, upsertUserAndAccount } from '../accounts/index.ts';
import { createOAuthClient, GOOGLE_SCOPES, type GoogleSettings, type OAuth2Client } from '../google/index.ts';
import { DomainError } from '../lib/errors.ts';

export const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';

export interface PendingSignIn {
  state: string;
  codeVerifier: string;
  /** The flow asked for consent again (to get a new refresh token). */
  consent: boolean;
  /** Set when a signed-in user adds another account: the callback attaches it to this user. */
  addTo?: string;
}

/** Step 1: the Google authorization URL, with `state` and a PKCE (S256) challenge to keep for step 2. */
export async function beginSignIn(
  settings: GoogleSettings,
  options: { consent: boolean; loginHint?: string; addTo?: string },
): Promise<{ url: string; pending: PendingSignIn }> {
  const oauth = createOAuthClient(settings);
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  const state = randomBytes(24).toString('base64url');
  const url = oauth.generateAuthUrl({
    access_type: 'offline', // a refresh token, for the background backfill
    scope: GOOGLE_SCOPES,
    state,
    code_challenge: codeChallenge!,
    code_challenge_method: CodeChallengeMethod.S256,
    include_granted_scopes: true,
    // Google returns a refresh token only on first consent; asking again is how a lost one is replaced.
    ...(options.consent ? { prompt: 'consent' } : {}),
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  });
  const pending = { state, codeVerifier, consent: options.consent };
  return { url, pending: options.addTo ? { ...pending, addTo: options.addTo } : pending };
}

export interface CompletedSignIn {
  userId: string;
  accountId: string;
  /** Holds the fresh access token: the first page is fetched with it, no refresh needed. */
  oauth: OAuth2Client;
  hasRefreshToken: boolean;
}

/**
 * Step 2: exchange the code (with the PKCE verifier), verify who signed in, store user + account — or, with
 * `addTo`, the account for that user (`account_in_use` when it is another user's).
 */
export async function completeSignIn(
  deps: { db: Kysely<Database>; settings: GoogleSettings; cipher: TokenCipher },
  input: { code: string; codeVerifier: string; addTo?: string },
): Promise<CompletedSignIn> {
  const oauth = createOAuthClient(deps.settings);
  const tokens = await oauth
    .getToken({ code: input.code, codeVerifier: input.codeVerifier })
    .then((response) => response.tokens)
    .catch((error: unknown) => {
      throw oauthError(error);
    });
  oauth.setCredentials(tokens);
  if (!tokens.id_token) throw new DomainError(502, 'google_error', 'Google did not return an id_token');
  const ticket = await oauth.verifyIdToken({ idToken: tokens.id_token, audience: deps.settings.clientId });
  const claims = ticket.getPayload();
  if (!claims?.sub || !claims.email)
    throw new DomainError(502, 'google_error', 'the id_token has no subject or email');
  // OpenID Connect Core §5.1: an address is the user's only when the provider verified it. Without this, an
  // account created with someone else's unverified address would sign in as them (and get their mailbox).
  if (claims.email_verified !== true && String(claims.email_verified) !== 'true') {
    throw new DomainError(
      403,
      'email_unverified',
      'Google has not verified this address; verify it with Google, then sign in again',
    );
  }

  // Users can untick scopes on the consent screen: read what was granted, not what we asked for.
  const scopes = (tokens.scope ?? '').split(' ').filter(Boolean);
  if (!scopes.includes(GMAIL_READONLY)) {
    throw new DomainError(
      403,
      'missing_scope',
      'Firstlight needs permission to read your Gmail; sign in again and allow it',
    );
  }
  const identity = {
    sub: claims.sub,
    email: claims.email,
    name: typeof claims.name === 'string' ? claims.name : null,
  };
  const grant = { refreshToken: tokens.refresh_token ?? null, scopes };
  const seal = (token: string, accountId: string) => deps.cipher.encrypt(token, accountId);
  const stored = input.addTo
    ? await attachAccount(deps.db, input.addTo, identity, grant, seal)
    : await upsertUserAndAccount(deps.db, identity, grant, seal);
  if (!stored) {
    throw new DomainError(409, 'account_in_use', 'this Google account is connected to another user');
  }
  return { ...stored, oauth };
}

/** Google's token endpoint errors, as ours: a bad or reused code is the user's to retry, not a 500. */
function oauthError(error: unknown): DomainError {
  const data = (error as { response?: { data?: { error?: string; error_description?: string } } }).response
    ?.data;
  if (data?.error === 'invalid_grant') {
    return new DomainError(
      400,
      'invalid_grant',
      'this sign-in link was already used or has expired; sign in again',
    );
  }
  if (data?.error) return new DomainError(502, 'google_error', `Google refused the sign-in: ${data.error}`);
  return new DomainError(502, 'google_unreachable', `could not reach Google: ${(error as Error).message}`);
}
