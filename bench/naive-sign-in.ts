import { randomBytes } from 'node:crypto';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { beginSignIn, type CompletedSignIn, completeSignIn } from '../apps/api/src/auth/sign-in-service.ts';
import { TokenCipher } from '../apps/api/src/auth/token-cipher.ts';
import { EMULATOR_CLIENT } from '../apps/api/src/config.ts';
import { emulatedGoogle, type GoogleSettings } from '../apps/api/src/google/google-settings.ts';
import type { Gmail } from '../apps/api/src/providers/index.ts';

/**
 * A naive design's sign-in, built from the product's own sign-in service so only what follows differs: the
 * authorization code from the auto-approving emulator, then the timer, then the same code exchange and id_token
 * check as our callback. `startedAt` is where `first_data_ms` starts in the product.
 */
export async function naiveSignIn(
  db: Kysely<Database>,
  emulatorUrl: string,
  email: string,
): Promise<{ startedAt: number; signIn: CompletedSignIn; settings: GoogleSettings }> {
  const settings = emulatedGoogle(emulatorUrl, {
    ...EMULATOR_CLIENT,
    redirectUri: 'http://127.0.0.1/naive/callback',
    requestTimeoutMs: 15_000,
  });
  const { url, pending } = await beginSignIn(settings, { consent: false, loginHint: email });
  const consent = await fetch(url, { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`no authorization code for ${email}`);
  const startedAt = performance.now();
  const signIn = await completeSignIn(
    { db, settings, cipher: new TokenCipher(randomBytes(32)) },
    { code, codeVerifier: pending.codeVerifier },
  );
  return { startedAt, signIn, settings };
}

/** The newest `limit` message ids (all of them by default), newest first, in `messages.list` pages of ≤ 500. */
export async function listMessageIds(gmail: Gmail, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await gmail.users.messages.list({
      userId: 'me',
      maxResults: Math.min(500, limit - ids.length),
      ...(pageToken ? { pageToken } : {}),
    });
    for (const message of page.data.messages ?? []) if (message.id) ids.push(message.id);
    pageToken = page.data.nextPageToken ?? undefined;
  } while (pageToken && ids.length < limit);
  return ids;
}
