import { createHash, hash, randomBytes } from 'node:crypto';
import { invalidGrant, invalidRequest } from './oauth-error.ts';

/**
 * Codes and tokens the emulator has issued. Tokens are kept by their SHA-256, as a token server should: the
 * state file (see src/state) then holds no usable credential. Codes live ten minutes and stay in memory only.
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
  /** Digest of the refresh token that minted it (revoking that token ends this one too). */
  refreshTokenHash?: string;
}

export interface RefreshGrant {
  email: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
  /** The token itself, only while this process lives (admin `refreshTokensOf`); never saved. */
  token?: string;
}

/** What survives a restart (src/state): digests and grants, never a token in clear. */
export interface TokenStoreState {
  refresh: [hash: string, grant: Omit<RefreshGrant, 'token'>][];
  access: [hash: string, grant: AccessGrant][];
}

/** Google's codes live about ten minutes and work once. */
const CODE_TTL_MS = 10 * 60_000;

const random = (bytes: number) => randomBytes(bytes).toString('base64url');
// One-shot `hash` (no Hash object per call): every guarded call and batch part digests its bearer token.
const digest = (token: string) => hash('sha256', token, 'base64url');

export class TokenStore {
  readonly #codes = new Map<string, CodeGrant>();
  readonly #access = new Map<string, AccessGrant>();
  readonly #refresh = new Map<string, RefreshGrant>();

  constructor(
    private readonly accessTtlMs: () => number,
    private readonly now: () => number = Date.now,
    /** Called after every change worth keeping (grants, not codes). */
    private readonly onChange: () => void = () => {},
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

  /** Whether (email, client) holds a live refresh token: Google returns a new one only on re-consent. */
  hasLiveRefreshToken(email: string, clientId: string): boolean {
    for (const grant of this.#refresh.values()) {
      if (grant.email === email && grant.clientId === clientId && !grant.revoked) return true;
    }
    return false;
  }

  issueRefreshToken(grant: Omit<RefreshGrant, 'revoked' | 'token'>): string {
    const token = `1//0${random(48)}`;
    this.#refresh.set(digest(token), { ...grant, revoked: false, token });
    this.onChange();
    return token;
  }

  issueAccessToken(grant: Omit<AccessGrant, 'expiresAt' | 'refreshTokenHash'> & { refreshToken?: string }): {
    token: string;
    expiresIn: number;
  } {
    const token = `ya29.${random(64)}`;
    const ttl = this.accessTtlMs();
    const { refreshToken, ...rest } = grant;
    this.#access.set(digest(token), {
      ...rest,
      expiresAt: this.now() + ttl,
      ...(refreshToken ? { refreshTokenHash: digest(refreshToken) } : {}),
    });
    this.onChange();
    return { token, expiresIn: Math.round(ttl / 1000) };
  }

  refreshGrant(token: string, clientId: string): RefreshGrant {
    const grant = this.#refresh.get(digest(token));
    if (!grant || grant.revoked || grant.clientId !== clientId)
      throw invalidGrant('Token has been expired or revoked.');
    return grant;
  }

  /** The grant behind a bearer token, or undefined when unknown, expired or revoked. */
  accessGrant(token: string): AccessGrant | undefined {
    const hash = digest(token);
    const grant = this.#access.get(hash);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now()) {
      // Forgetting an expired token changes nothing anyone can observe: no onChange.
      this.#access.delete(hash);
      return undefined;
    }
    return grant;
  }

  /** Revokes an access or refresh token; revoking a refresh token also kills the access tokens it minted. */
  revoke(token: string): boolean {
    const hash = digest(token);
    const refresh = this.#refresh.get(hash);
    if (refresh) {
      refresh.revoked = true;
      for (const [accessHash, grant] of this.#access)
        if (grant.refreshTokenHash === hash) this.#access.delete(accessHash);
      this.onChange();
      return true;
    }
    const deleted = this.#access.delete(hash);
    if (deleted) this.onChange();
    return deleted;
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
    for (const [hash, grant] of this.#access) if (grant.email === email) this.#access.delete(hash);
    this.onChange();
    return count;
  }

  /** Ends the access tokens of an account early (tests of the refresh path), keeping refresh tokens. */
  expireAccessTokens(email: string): number {
    let count = 0;
    for (const [hash, grant] of this.#access) {
      if (grant.email === email) {
        this.#access.delete(hash);
        count++;
      }
    }
    if (count) this.onChange();
    return count;
  }

  /** Refresh tokens this process issued to the account (live or revoked); a restart keeps only digests. */
  refreshTokensOf(email: string): string[] {
    return [...this.#refresh.values()]
      .filter((grant) => grant.email === email && grant.token !== undefined)
      .map((grant) => grant.token!);
  }

  exportState(): TokenStoreState {
    const now = this.now();
    return {
      refresh: [...this.#refresh].map(([hash, { token: _token, ...grant }]) => [hash, grant]),
      access: [...this.#access].filter(([, grant]) => grant.expiresAt > now),
    };
  }

  restoreState(state: TokenStoreState): void {
    for (const [hash, grant] of state.refresh) this.#refresh.set(hash, { ...grant });
    for (const [hash, grant] of state.access) this.#access.set(hash, { ...grant });
  }
}
