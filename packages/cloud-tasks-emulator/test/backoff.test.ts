import { describe, expect, it } from 'vitest';
import { attemptsExhausted, backoffMs, retryAfterMs } from '../src/backoff.ts';
import { RetryConfig } from '../src/options.ts';

describe('retry schedule', () => {
  it('doubles max_doublings times, then grows linearly up to max_backoff (Cloud Tasks docs example)', () => {
    const config = RetryConfig.parse({ minBackoffSeconds: 10, maxBackoffSeconds: 300, maxDoublings: 3 });
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => backoffMs(config, retry) / 1000);
    expect(delays).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  it('uses Google defaults: 0.1 s doubling 16 times, capped at an hour', () => {
    const config = RetryConfig.parse({});
    expect(backoffMs(config, 1)).toBe(100);
    expect(backoffMs(config, 2)).toBe(200);
    expect(backoffMs(config, 40)).toBe(3_600_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('stops after maxAttempts, never with -1', () => {
    expect(attemptsExhausted(RetryConfig.parse({ maxAttempts: 3 }), 3, 0, 0)).toBe(true);
    expect(attemptsExhausted(RetryConfig.parse({ maxAttempts: 3 }), 2, 0, 0)).toBe(false);
    expect(attemptsExhausted(RetryConfig.parse({ maxAttempts: -1 }), 10_000, 0, 0)).toBe(false);
  });
});
