import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/**
 * The key that signs id_tokens (RS256, like Google). Generated per emulator instance, so nothing secret is
 * checked in; with a state dir it is kept there, because clients cache the public half for hours (the certs
 * say max-age 6 h) and a product that outlives an emulator restart must still verify new id_tokens. The
 * public half is served in both of Google's formats (PEM map and JWKS).
 */
export class SigningKey {
  readonly kid: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  /** `privatePem`: a PKCS#8 key saved by `exportPrivatePem` (a restart); otherwise a new key. */
  constructor(privatePem?: string) {
    if (privatePem) {
      this.#privateKey = createPrivateKey(privatePem);
      this.#publicKey = createPublicKey(this.#privateKey);
    } else {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.#privateKey = privateKey;
      this.#publicKey = publicKey;
    }
    const der = this.#publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('hex').slice(0, 40);
  }

  exportPrivatePem(): string {
    return this.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** A compact JWS (header.payload.signature) over the claims. */
  sign(claims: Record<string, unknown>): string {
    const header = { alg: 'RS256', kid: this.kid, typ: 'JWT' };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${encode(header)}.${encode(claims)}`;
    const signature = createSign('RSA-SHA256')
      .update(signingInput)
      .sign(this.#privateKey)
      .toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /** `GET /oauth2/v1/certs`: kid → PEM, the format google-auth-library's `verifyIdToken` reads. */
  pemCerts(): Record<string, string> {
    return { [this.kid]: this.#publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  /** `GET /oauth2/v3/certs`: a JWKS. */
  jwks() {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
}
