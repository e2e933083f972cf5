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

export interface RequestOptions {
  /** Non-2xx statuses whose body still matches the schema (e.g. /readyz's 503). */
  acceptStatuses?: number[];
  signal?: AbortSignal;
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
}

/** True for the API's "not signed in" answer: the page goes back to sign-in. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 401;
}

/**
 * Every API request of this page belongs to the signed-in session until sign-out starts: from then on none is
 * sent, and those in flight are cancelled, so a WebSocket event that lands during the sign-out cannot read the
 * API once more (and be refused with a 401) after the session ended on the server.
 */
const session = new AbortController();

/** Stops every API request of this page for good (sign-out: the page is left for a fresh one right after). */
export function endSessionRequests(): void {
  session.abort(new DOMException('signed out', 'AbortError'));
}

/**
 * Calls the API and parses the answer with its contract. Non-2xx answers that still carry a valid body for the
 * given statuses (e.g. /readyz's 503) are parsed too; anything else becomes an ApiRequestError.
 */
export async function requestJson<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: RequestOptions = {},
): Promise<z.infer<Schema>> {
  const method = options.method ?? 'GET';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headersFor(method, options.body),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: options.signal ? AbortSignal.any([options.signal, session.signal]) : session.signal,
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

/**
 * GETs send no custom headers: Chromium reuses a `Link: rel=preload` response (the inbox's first page, see the
 * API's web-routes) only for a request whose headers match the preload's, and a preload cannot send `Accept`. The
 * API answers JSON whatever the request accepts. Edits say what they send and accept.
 */
function headersFor(method: string, body: unknown): Record<string, string> {
  if (method === 'GET') return {};
  return body === undefined
    ? { accept: 'application/json' }
    : { accept: 'application/json', 'content-type': 'application/json' };
}
