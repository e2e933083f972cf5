import { createHash, randomBytes } from 'node:crypto';
import { invalidGrant, invalidRequest } from './oauth-error.ts';

/**
 * Codes and tokens the emulator has issued. Everything is in memory: an emulator restart is a Google that
 * forgot every grant, which the product must survive anyway (re-consent).
 */

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  offline: boolean;
  /** `prompt=consent`: Google issues a new refresh token even when one exists. */
  forceConsent: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  expiresAt: number;
}

export interface AccessGrant {
  email: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  refreshToken?: string;
}

export interface RefreshGrant {
  email: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

/** Google's codes live about ten minutes and work once. */
const CODE_TTL_MS = 10 * 60_000;

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

export class TokenStore {
  readonly #codes = new Map<string, CodeGrant>();
  readonly #access = new Map<string, AccessGrant>();
  readonly #refresh = new Map<string, RefreshGrant>();

  constructor(
    private readonly accessTtlMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  issueCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = `4/0${random(32)}`;
    this.#codes.set(code, { ...grant, expiresAt: this.now() + CODE_TTL_MS });
    return code;
  }

  /** Redeems a code once: a second use, a wrong redirect URI or a failed PKCE check are `invalid_grant`. */
  redeemCode(input: {
    code: string;
    clientId: string;
    redirectUri?: string;
    codeVerifier?: string;
  }): CodeGrant {
    const grant = this.#codes.get(input.code);
    // Google forgets the code on first use, successful or not.
    this.#codes.delete(input.code);
    if (!grant || grant.expiresAt < this.now() || grant.clientId !== input.clientId)
      throw invalidGrant('Bad Request');
    if (grant.redirectUri !== input.redirectUri) throw invalidGrant('Bad Request');
    if (grant.codeChallenge) {
      if (!input.codeVerifier) throw invalidGrant('Missing code verifier.');
      const expected =
        grant.codeChallengeMethod === 'plain'
          ? input.codeVerifier
          : createHash('sha256').update(input.codeVerifier).digest('base64url');
      if (expected !== grant.codeChallenge) throw invalidGrant('Invalid code verifier.');
    } else if (input.codeVerifier) {
      throw invalidRequest('code_verifier given but the authorization request had no code_challenge');
    }
    return grant;
  }

  /** The live refresh token of (email, client), if one exists: Google returns a new one only on re-consent. */
  liveRefreshToken(email: string, clientId: string): string | undefined {
    for (const [token, grant] of this.#refresh) {
      if (grant.email === email && grant.clientId === clientId && !grant.revoked) return token;
    }
    return undefined;
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'revoked'>): string {
    const token = `1//0${random(48)}`;
    this.#refresh.set(token, { ...grant, revoked: false });
    return token;
  }

  issueAccessToken(grant: Omit<AccessGrant, 'expiresAt'>): { token: string; expiresIn: number } {
    const token = `ya29.${random(64)}`;
    const ttl = this.accessTtlMs();
    this.#access.set(token, { ...grant, expiresAt: this.now() + ttl });
    return { token, expiresIn: Math.round(ttl / 1000) };
  }

  refreshGrant(token: string, clientId: string): RefreshGrant {
    const grant = this.#refresh.get(token);
    if (!grant || grant.revoked || grant.clientId !== clientId)
      throw invalidGrant('Token has been expired or revoked.');
    return grant;
  }

  /** The grant behind a bearer token, or undefined when unknown, expired or revoked. */
  accessGrant(token: string): AccessGrant | undefined {
    const grant = this.#access.get(token);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now()) {
      this.#access.delete(token);
      return undefined;
    }
    return grant;
  }

  /** Revokes an access or refresh token; revoking a refresh token also kills the access tokens it minted. */
  revoke(token: string): boolean {
    const refresh = this.#refresh.get(token);
    if (refresh) {
      refresh.revoked = true;
      for (const [accessToken, grant] of this.#access)
        if (grant.refreshToken === token) this.#access.delete(accessToken);
      return true;
    }
    return this.#access.delete(token);
  }

  /** Every grant of an account ends ("the user removed the app" / "the password changed"). */
  revokeAccount(email: string): number {
    let count = 0;
    for (const grant of this.#refresh.values()) {
      if (grant.email === email && !grant.revoked) {
        grant.revoked = true;
        count++;
      }
    }
    for (const [token, grant] of this.#access) if (grant.email === email) this.#access.delete(token);
    return count;
  }

  /** Ends the access tokens of an account early (tests of the refresh path), keeping refresh tokens. */
  expireAccessTokens(email: string): number {
    let count = 0;
    for (const [token, grant] of this.#access) {
      if (grant.email === email) {
        this.#access.delete(token);
        count++;
      }
    }
    return count;
  }

  refreshTokensOf(email: string): string[] {
    return [...this.#refresh].filter(([, grant]) => grant.email === email).map(([token]) => token);
  }
}
