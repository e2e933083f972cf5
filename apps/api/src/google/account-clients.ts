import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { findAccountCredentials, type TokenCipher } from '../accounts/index.ts';
import type { GoogleSettings } from './google-settings.ts';
import { createOAuthClient, type OAuth2Client } from './oauth-client.ts';

export class ReauthRequired extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ReauthRequired';
  }
}

/**
 * OAuth clients for background work, one per account, holding the decrypted refresh token. Kept per process so
 * an access token is reused until it expires (google-auth-library refreshes it on its own, then on a 401).
 */
export class AccountClients {
  readonly #clients = new Map<string, { client: OAuth2Client; sealed: Buffer }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settings: GoogleSettings,
    private readonly cipher: TokenCipher,
  ) {}

  async forAccount(accountId: string): Promise<{ client: OAuth2Client; email: string }> {
    const account = await findAccountCredentials(this.db, accountId);
    if (!account?.refresh_token_enc || account.status !== 'active') {
      throw new ReauthRequired('the account has no usable refresh token');
    }
    const cached = this.#clients.get(accountId);
    // A re-sign-in stores a new token: drop the client holding the old one.
    if (cached?.sealed.equals(account.refresh_token_enc))
      return { client: cached.client, email: account.email };
    const client = createOAuthClient(this.settings);
    client.setCredentials({ refresh_token: this.cipher.decrypt(account.refresh_token_enc, accountId) });
    this.#clients.set(accountId, { client, sealed: account.refresh_token_enc });
    return { client, email: account.email };
  }

  forget(accountId: string): void {
    this.#clients.delete(accountId);
  }
}
