/**
 * Google's JSON error envelope (AIP-193 with the legacy `errors` array Gmail and Calendar still send):
 * `{"error": {"code", "message", "errors": [{"message", "domain", "reason", ...}], "status"}}`.
 */
export function googleErrorBody(
  code: number,
  message: string,
  reason: string,
  options: {
    domain?: string;
    status?: string;
    location?: string;
    locationType?: string;
    details?: unknown[];
  } = {},
) {
  const { domain = 'global', status = STATUS_BY_CODE[code], location, locationType, details } = options;
  return {
    error: {
      code,
      message,
      errors: [{ message, domain, reason, ...(location ? { location, locationType } : {}) }],
      ...(status ? { status } : {}),
      ...(details ? { details } : {}),
    },
  };
}

const STATUS_BY_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  410: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export const invalidCredentials = () =>
  googleErrorBody(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'authError',
    { location: 'Authorization', locationType: 'header' },
  );

export const insufficientScopes = () =>
  googleErrorBody(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
      },
    ],
  });

export const tooManyConcurrent = () =>
  googleErrorBody(429, 'Too many concurrent requests for user.', 'rateLimitExceeded');

const SERVICE = { gmail: 'gmail.googleapis.com', calendar: 'calendar-json.googleapis.com' } as const;

/** Over the per-user quota: today Google answers 429 RESOURCE_EXHAUSTED; older projects saw 403. */
export function userQuotaExceeded(api: 'gmail' | 'calendar', style: '429' | '403') {
  if (style === '403') {
    return googleErrorBody(403, 'User-rate limit exceeded.', 'userRateLimitExceeded', {
      domain: 'usageLimits',
      status: 'PERMISSION_DENIED',
    });
  }
  const metric = api === 'gmail' ? 'Queries' : 'Queries';
  return googleErrorBody(
    429,
    `Quota exceeded for quota metric '${metric}' and limit 'Queries per minute per user' of service '${SERVICE[api]}' for consumer 'project_number:100000000001'.`,
    'rateLimitExceeded',
    {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RATE_LIMIT_EXCEEDED',
          domain: 'googleapis.com',
          metadata: {
            service: SERVICE[api],
            quota_limit: 'QueriesPerMinutePerUser',
            consumer: 'projects/100000000001',
          },
        },
      ],
    },
  );
}

export const projectQuotaExceeded = () =>
  googleErrorBody(403, 'Rate Limit Exceeded', 'rateLimitExceeded', { domain: 'usageLimits' });

export function injectedServerError(status: 429 | 500 | 503) {
  if (status === 429)
    return googleErrorBody(429, 'Resource has been exhausted (e.g. check quota).', 'rateLimitExceeded');
  if (status === 500) return googleErrorBody(500, 'Internal error encountered.', 'backendError');
  return googleErrorBody(503, 'The service is currently unavailable.', 'backendError');
}
