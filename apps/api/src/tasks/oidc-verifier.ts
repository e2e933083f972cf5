import { OAuth2Client } from 'google-auth-library';

export class TaskAuthError extends Error {}

/**
 * Verifies the OIDC token Cloud Tasks attaches to each request: signed by Google (or the emulator's key in
 * docker-compose), for our audience, issued to our service account. Keys are fetched from `certsUrl` and
 * cached by google-auth-library per their max-age.
 */
export class OidcVerifier {
  readonly #client: OAuth2Client;

  constructor(private readonly options: { audience: string; serviceAccount: string; certsUrl: string }) {
    this.#client = new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: options.certsUrl } });
  }

  async verify(authorization: string | undefined): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new TaskAuthError('missing bearer token');
    let email: unknown;
    try {
      const { certs } = await this.#client.getFederatedSignonCertsAsync();
      const ticket = await this.#client.verifySignedJwtWithCertsAsync(token, certs, this.options.audience, [
        'https://accounts.google.com',
        'accounts.google.com',
      ]);
      email = ticket.getPayload()?.email;
    } catch (error) {
      throw new TaskAuthError(
        `invalid OIDC token: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (email !== this.options.serviceAccount)
      throw new TaskAuthError('the token is not our service account’s');
  }
}
