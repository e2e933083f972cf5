import { createHash, createSign, generateKeyPair, type KeyObject, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Signs the OIDC tokens Cloud Tasks attaches when a task has `oidcToken`. Each emulator has its own RSA
 * key, published like Google's `https://www.googleapis.com/oauth2/v1/certs` (kid → PEM) so a target can
 * verify tokens with google-auth-library pointed at the emulator's certs.
 */
export interface OidcSigner {
  readonly kid: string;
  /** kid → PEM public key: the shape `OAuth2Client.verifySignedJwtWithCertsAsync` takes. */
  pemCerts(): Record<string, string>;
  /** The JWK set Google serves at `/oauth2/v3/certs`, for verifiers that want JWKs (jose and friends). */
  jwks(): { keys: Array<Record<string, unknown>> };
  sign(claims: { serviceAccountEmail: string; audience: string }, nowMs: number): string;
}

/** Google issues ID tokens valid for one hour. */
const TOKEN_LIFETIME_SECONDS = 3600;

/** Async so the ~100 ms of RSA key generation overlaps the server start instead of blocking it. */
export async function createOidcSigner(): Promise<OidcSigner> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const kid = randomBytes(20).toString('hex');
  return {
    kid,
    pemCerts: () => ({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    jwks: () => ({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }),
    sign: (claims, nowMs) => signJwt(privateKey, kid, claims, nowMs),
  };
}

function signJwt(
  key: KeyObject,
  kid: string,
  { serviceAccountEmail, audience }: { serviceAccountEmail: string; audience: string },
  nowMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', kid, typ: 'JWT' };
  const payload = {
    iss: 'https://accounts.google.com',
    aud: audience,
    azp: subjectId(serviceAccountEmail),
    email: serviceAccountEmail,
    email_verified: true,
    sub: subjectId(serviceAccountEmail),
    iat,
    exp: iat + TOKEN_LIFETIME_SECONDS,
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key);
  return `${unsigned}.${signature.toString('base64url')}`;
}

/** Google's `sub` for a service account is a stable 21-digit number; derive one from the email. */
export function subjectId(email: string): string {
  const digest = createHash('sha256').update(email.toLowerCase()).digest();
  const digits = [...digest.subarray(0, 20)].map((byte) => String(byte % 10)).join('');
  return `1${digits}`;
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');
