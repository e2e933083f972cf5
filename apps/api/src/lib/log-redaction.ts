import type { LoggerOptions } from 'pino';

/**
 * What the logs may carry (issue 14): no OAuth `code`/`state`, no tokens, no cookies, no user content. Three
 * layers, all in the logger itself so that no call site can forget them:
 * - the `req` serializer logs a request's URL with its query values masked (the OAuth callback's `code` and
 *   `state`, a `login_hint` address, an e-mail cursor), keeping only values known to be harmless;
 * - the `err` serializer logs any error as a summary — for a Google error its status, Google's reason, the
 *   method and the URL without query, never gaxios' `config.data` (a user's event), `response.data` or
 *   `config.headers` (the bearer token);
 * - pino `redact` censors token, cookie and authorization fields wherever a log object carries them.
 */

/** Query parameters whose values are kept in logged URLs: windows and page sizes, nothing a user wrote. */
const SAFE_QUERY = new Set(['from', 'to', 'long', 'limit', 'consent', 'error']);
const MASK = '[redacted]';

const SECRET_FIELDS = [
  'access_token',
  'refresh_token',
  'id_token',
  'accessToken',
  'refreshToken',
  'idToken',
  'tokens',
  'authorization',
  'cookie',
  'password',
  'client_secret',
];

export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'query.code',
  'query.state',
  '*.query.code',
  '*.query.state',
];

/** `/auth/google/callback?code=[redacted]&state=[redacted]`: names kept (they help), values masked. */
export function maskedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  const parts = [...query].map(([name, value]) =>
    SAFE_QUERY.has(name)
      ? `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
      : `${encodeURIComponent(name)}=${MASK}`,
  );
  return `${url.slice(0, at)}?${parts.join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's own request fields, with the URL masked. */
function safeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : maskedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

interface GoogleErrorLike {
  config?: { method?: string; url?: string | URL };
  response?: { status?: number; data?: unknown };
  status?: number;
}

const MAX_MESSAGE = 500;
const text = (value: string) => (value.length > MAX_MESSAGE ? `${value.slice(0, MAX_MESSAGE)}…` : value);

/** Google's reason for a refusal: `error.errors[0].reason` (APIs) or `error` (the OAuth token endpoint). */
function googleReason(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const error = (data as { error?: unknown }).error;
  if (typeof error === 'string') return text(error);
  if (typeof error !== 'object' || error === null) return undefined;
  const first = (error as { errors?: { reason?: unknown }[] }).errors?.[0]?.reason;
  const status = (error as { status?: unknown }).status;
  return typeof first === 'string' ? first : typeof status === 'string' ? status : undefined;
}

/** A URL without its query (where a token or a search could be): scheme, host and path. */
function withoutQuery(url: string | URL | undefined): string | undefined {
  if (url === undefined) return undefined;
  const value = String(url);
  const at = value.search(/[?#]/);
  return at < 0 ? value : value.slice(0, at);
}

/**
 * A loggable summary of any thrown value. Only named scalar fields are copied — an error's other own
 * properties (gaxios' request and response, pg's `detail` with row values) stay out of the logs.
 */
export function errorSummary(error: unknown, depth = 0): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { message: text(String(error)) };
  const source = error as Record<string, unknown>;
  const summary: Record<string, unknown> = {};
  if (error instanceof Error) summary.type = error.name;
  if (typeof source.message === 'string') summary.message = text(source.message);
  for (const field of ['code', 'statusCode', 'errno', 'syscall']) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') summary[field] = value;
  }
  const google = error as GoogleErrorLike;
  if (google.config || google.response) {
    summary.status = google.response?.status ?? google.status;
    const reason = googleReason(google.response?.data);
    if (reason) summary.reason = reason;
    if (google.config?.method) summary.method = google.config.method;
    const url = withoutQuery(google.config?.url);
    if (url) summary.url = url;
  }
  if (error instanceof Error && typeof error.stack === 'string') summary.stack = error.stack;
  if (error instanceof Error && error.cause !== undefined && depth < 3) {
    summary.cause = errorSummary(error.cause, depth + 1);
  }
  if (error instanceof AggregateError && depth < 3) {
    summary.errors = error.errors.slice(0, 5).map((inner) => errorSummary(inner, depth + 1));
  }
  return summary;
}

/** The API's pino options (Fastify's logger and main.ts' own): level, serializers, redaction. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { req: safeRequest, err: errorSummary, error: errorSummary },
    redact: { paths: REDACT_PATHS, censor: MASK },
  };
}
