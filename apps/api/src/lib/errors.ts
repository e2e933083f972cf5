/**
 * A failure a service reports on purpose; the error handler (error-handler-plugin.ts) maps `status` and `code`
 * to the reply. Plain TypeScript: services throw it without importing Fastify.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
