/**
 * Gmail's error bodies (https://developers.google.com/gmail/api/guides/handle-errors) are the common Google
 * shape plus a gRPC-style `status` string, e.g. `"status": "NOT_FOUND"`.
 */
import { GoogleError } from '../errors.ts';

const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class GmailError extends GoogleError {
  override body() {
    const base = super.body();
    return { error: { ...base.error, status: STATUS_BY_CODE[this.status] ?? 'UNKNOWN' } };
  }
}

export const notFound = () => new GmailError(404, 'notFound', 'Requested entity was not found.');

/** What Gmail answers when `userId` names a mailbox the token's user may not read. */
export const delegationDenied = (userId: string) =>
  new GmailError(403, 'forbidden', `Delegation denied for ${userId}`);

export const invalidArgument = (message: string) => new GmailError(400, 'invalidArgument', message);

export const badRequest = (message: string) => new GmailError(400, 'badRequest', message);
