import { status } from '@grpc/grpc-js';

/** An error that becomes a gRPC status for the caller; anything else thrown by a handler becomes INTERNAL. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const notFound = (what: string) =>
  new RpcError(status.NOT_FOUND, `Requested entity was not found: ${what}`);
export const invalid = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);
export const alreadyExists = (message: string) => new RpcError(status.ALREADY_EXISTS, message);
