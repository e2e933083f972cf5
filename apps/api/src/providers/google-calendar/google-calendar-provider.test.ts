import { describe, expect, it } from 'vitest';
import { ReauthRequired } from '../../google/index.ts';
import { classifyCalendarFailure } from './google-calendar-provider.ts';

/** Google's answers, as gaxios reports them, and what the calendar core is told they mean. */
const answer = (status: number, data?: unknown, headers?: Record<string, string>) =>
  Object.assign(new Error(`status ${status}`), { response: { status, data, headers } });

describe('classifyCalendarFailure: Google Calendar failures in the port’s terms', () => {
  it('names a lost grant reauth: no usable refresh token, or Google refusing it (invalid_grant)', () => {
    expect(classifyCalendarFailure(new ReauthRequired('no token')).kind).toBe('reauth');
    expect(classifyCalendarFailure(answer(400, { error: 'invalid_grant' })).kind).toBe('reauth');
  });

  it('names a missing event or occurrence gone (404, and 410 Gone)', () => {
    expect(classifyCalendarFailure(answer(404)).kind).toBe('gone');
    expect(classifyCalendarFailure(answer(410)).kind).toBe('gone');
  });

  it('retries rate limits with their Retry-After, 5xx, dropped connections and refused access tokens', () => {
    expect(classifyCalendarFailure(answer(429, undefined, { 'retry-after': '3' }))).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 3000,
    });
    const rateLimit = { error: { errors: [{ reason: 'rateLimitExceeded' }] } };
    expect(classifyCalendarFailure(answer(403, rateLimit)).kind).toBe('rate_limited');
    expect(classifyCalendarFailure(answer(503)).kind).toBe('transient');
    expect(classifyCalendarFailure(new Error('socket hang up')).kind).toBe('transient');
    expect(classifyCalendarFailure(answer(401)).kind).toBe('transient');
  });

  it('names a refusal that will not change fatal (400, a 403 that is not a rate limit)', () => {
    expect(classifyCalendarFailure(answer(400, { error: { message: 'bad' } })).kind).toBe('fatal');
    expect(classifyCalendarFailure(answer(403, { error: { errors: [{ reason: 'forbidden' }] } })).kind).toBe(
      'fatal',
    );
  });
});
