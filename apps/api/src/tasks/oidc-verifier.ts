import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';

/**
 * A refused task token. The message is all a caller learns ("invalid task token"): which check failed, the
 * token's claims and the issuers we accept are `detail`, for a debug log only.
 */
export class TaskAuthError extends Error {
  constructor(readonly detail: string) {
    super('invalid task token');
    this.name = 'TaskAuthError';
  }
}

/** google-auth-library's messages quote the token (or its segments) itself: never let it reach a log. */
function withoutToken(message: string, token: string): string {
  let out = message;
  for (const part of [token, ...token.split('.')].filter((piece) => piece.length >= 8)) {
    out = out.replaceAll(part, '[token]');
  }
  return out;
}

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
const CERTS_TTL_MS = 5 * 60_000;

/**
 * Verifies the OIDC token Cloud Tasks attaches to each request: signed by the issuer's keys, for our audience,
 * issued to our service account. Keys come from `certsUrl` in either of the formats issuers publish — Google's
 * PEM map (`/oauth2/v1/certs`) or a JWKS (Google's `/oauth2/v3/certs`, the community emulator's `/jwks`) —
 * and are cached for a few minutes; google-auth-library checks signature, audience, issuer and expiry.
 */
export class OidcVerifier {
  readonly #client = new OAuth2Client();
  #certs: { value: Record<string, string>; fetchedAt: number } | undefined;

  constructor(
    private readonly options: {
      audience: string;
      serviceAccount: string;
      certsUrl: string;
      issuers?: string[];
    },
  ) {}

  async verify(authorization: string | undefined): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new TaskAuthError('missing bearer token');
    let email: unknown;
    try {
      const ticket = await this.#client.verifySignedJwtWithCertsAsync(
        token,
        await this.#keys(),
        this.options.audience,
        this.options.issuers ?? GOOGLE_ISSUERS,
      );
      email = ticket.getPayload()?.email;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TaskAuthError(`invalid OIDC token: ${withoutToken(reason, token)}`);
    }
    if (email !== this.options.serviceAccount)
      throw new TaskAuthError('the token is not our service account’s');
  }

  async #keys(): Promise<Record<string, string>> {
    if (this.#certs && Date.now() - this.#certs.fetchedAt < CERTS_TTL_MS) return this.#certs.value;
    const response = await fetch(this.options.certsUrl, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`certificates answered ${response.status}`);
    const body = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] } & Record<
      string,
      unknown
    >;
    const value: Record<string, string> = {};
    if (Array.isArray(body.keys)) {
      for (const key of body.keys) {
        if (!key.kid) continue;
        value[key.kid] = createPublicKey({ key, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
      }
    } else {
      for (const [kid, pem] of Object.entries(body)) if (typeof pem === 'string') value[kid] = pem;
    }
    this.#certs = { value, fetchedAt: Date.now() };
    return value;
  }
}
