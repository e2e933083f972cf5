/**
 * Google-shaped errors (https://developers.google.com/gmail/api/guides/handle-errors): a JSON body
 * `{error: {code, message, errors: [{domain, reason, message, ...}]}}`.
 */

export class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: { location?: string; locationType?: string } = {},
  ) {
    super(message);
  }

  body() {
    return {
      error: {
        code: this.status,
        message: this.message,
        errors: [{ domain: 'global', reason: this.reason, message: this.message, ...this.extra }],
      },
    };
  }
}
