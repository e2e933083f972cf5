import { ApiError } from '@firstlight/contracts';
import type { z } from 'zod';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/**
 * Calls the API and parses the answer with its contract. Non-2xx answers that still carry a valid body for the
 * given statuses (e.g. /readyz's 503) are parsed too; anything else becomes an ApiRequestError.
 */
export async function requestJson<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: { acceptStatuses?: number[]; signal?: AbortSignal; method?: string } = {},
): Promise<z.infer<Schema>> {
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    // No custom headers: Chromium reuses a `Link: rel=preload` response (the inbox's first page, see the API's
    // web-routes) only for a request whose headers match the preload's, and a preload cannot send `Accept`. The
    // API answers JSON whatever the request accepts.
    credentials: 'same-origin',
    signal: options.signal ?? null,
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok || options.acceptStatuses?.includes(response.status)) {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new ApiRequestError(response.status, `unexpected response from ${path}`);
  }
  const error = ApiError.safeParse(body);
  throw new ApiRequestError(
    response.status,
    error.success ? error.data.error.message : `${path} answered ${response.status}`,
    error.success ? error.data.error.code : undefined,
  );
}
