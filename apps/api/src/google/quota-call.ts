import type { QuotaClass, QuotaGrants, QuotaResource } from '../quota/index.ts';
import { classifyGoogleError } from './google-call.ts';

/** How long a rate-limited subject is held when Google gave no Retry-After. */
const DEFAULT_HOLD_MS = 1_000;

/**
 * Who Google's rate limit was about: 403 `rateLimitExceeded` is the project's limit (GOOGLE-FACTS: over the
 * project limit), a 429 or 403 `userRateLimitExceeded` the user's. Undefined when the call was not rate-limited.
 */
export function rateLimitScope(error: unknown): 'user' | 'project' | undefined {
  const failure = classifyGoogleError(error);
  if (failure.kind !== 'rate_limited') return undefined;
  const data = (error as { response?: { data?: { error?: { errors?: { reason?: string }[] } } } }).response
    ?.data;
  return failure.status === 403 && data?.error?.errors?.[0]?.reason === 'rateLimitExceeded'
    ? 'project'
    : 'user';
}

/** One subject's Google calls charged to the quota port: asks before each call, reports a rate limit after. */
export class QuotaCharge {
  constructor(
    private readonly grants: QuotaGrants,
    private readonly resource: QuotaResource,
    /** The per-user quota's subject: the account whose grant the call uses. */
    private readonly user: string,
  ) {}

  async call<T>(cls: QuotaClass, units: number, run: () => Promise<T>): Promise<T> {
    await this.grants.take({ resource: this.resource, user: this.user, class: cls, units });
    try {
      return await run();
    } catch (error) {
      const scope = rateLimitScope(error);
      if (scope) {
        const failure = classifyGoogleError(error);
        const holdMs = (failure.kind === 'rate_limited' ? failure.retryAfterMs : null) ?? DEFAULT_HOLD_MS;
        await this.grants.penalise(
          this.resource,
          scope === 'project' ? 'project' : { user: this.user },
          holdMs,
        );
      }
      throw error;
    }
  }
}

/** For callers without a quota port (tests of a source alone): every call goes ahead. */
export const UNCHARGED: Pick<QuotaCharge, 'call'> = { call: (_cls, _units, run) => run() };
