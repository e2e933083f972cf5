/**
 * OAuth endpoints answer errors in RFC 6749 §5.2 form, as Google does:
 * `{"error": "invalid_grant", "error_description": "Bad Request"}`.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }

  body() {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidGrant = (description = 'Bad Request') =>
  new OAuthError(400, 'invalid_grant', description);
export const invalidClient = () => new OAuthError(401, 'invalid_client', 'Unauthorized');
export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);
