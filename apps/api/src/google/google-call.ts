/**
 * Classifying what Google answered, so callers retry what is worth retrying (with backoff and jitter,
 * honouring Retry-After), stop on what is not, and pause the account when the grant is gone.
 */

export type GoogleFailure =
  /** 429, or 403 with a rate-limit reason: back off, drain the pacer, retry. */
  | { kind: 'rate_limited'; retryAfterMs: number | null; status: number }
  /** 5xx, timeouts, dropped connections: retry with backoff. */
  | { kind: 'transient'; message: string }
  /** The refresh token no longer works (revoked, expired): the user must sign in again. */
  | { kind: 'reauth'; message: string }
  /** 401: the access token was refused (Google can end one before its expiry); a refresh decides. */
  | { kind: 'unauthorized'; message: string }
  /** 404: the message or history id is gone. */
  | { kind: 'not_found'; message: string }
  | { kind: 'fatal'; message: string; status: number | null };

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

interface ErrorLike {
  message?: string;
  code?: string | number;
  status?: number;
  response?: { status?: number; data?: unknown; headers?: Headers | Record<string, string> };
}

export function classifyGoogleError(error: unknown): GoogleFailure {
  const e = (error ?? {}) as ErrorLike;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const data = e.response?.data as { error?: unknown; error_description?: string } | undefined;
  const message = e.message ?? String(error);
  // google-auth-library surfaces a refused refresh as the token endpoint's body: {error: 'invalid_grant'}.
  if (data?.error === 'invalid_grant' || /invalid_grant/.test(message)) {
    return { kind: 'reauth', message: data?.error_description ?? 'invalid_grant' };
  }
  if (status === 401) return { kind: 'unauthorized', message };
  const reason = reasonOf(data);
  if (status === 429 || (status === 403 && reason && RATE_LIMIT_REASONS.has(reason))) {
    return { kind: 'rate_limited', retryAfterMs: retryAfterOf(e.response?.headers), status };
  }
  if (status === 404) return { kind: 'not_found', message };
  if (status === undefined || status >= 500 || status === 408) return { kind: 'transient', message };
  return { kind: 'fatal', message, status };
}

function reasonOf(data: unknown): string | undefined {
  const error = (data as { error?: { errors?: { reason?: string }[] } } | undefined)?.error;
  return typeof error === 'object' ? error?.errors?.[0]?.reason : undefined;
}

export function retryAfterOf(headers: Headers | Record<string, string> | undefined): number | null {
  if (!headers) return null;
  const value = headers instanceof Headers ? headers.get('retry-after') : headers['retry-after'];
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

// Generic (any provider's retries use it): lib/backoff.ts; re-exported for the Google callers.
export { backoffMs } from '../lib/backoff.ts';
