import type { RetryConfig } from './options.ts';

/**
 * Delay before retry number `retry` (1 = the first retry), in ms.
 * Cloud Tasks RetryConfig: the interval starts at min_backoff, doubles max_doublings times, then grows
 * linearly by that last doubled step, and never exceeds max_backoff
 * (docs' example min 10 s, max 300 s, 3 doublings: 10, 20, 40, 80, 160, 240, 300, 300 …).
 */
export function backoffMs(config: RetryConfig, retry: number): number {
  const min = config.minBackoffSeconds;
  const steps = Math.max(0, retry - 1);
  const seconds =
    steps <= config.maxDoublings
      ? min * 2 ** steps
      : min * 2 ** config.maxDoublings * (steps - config.maxDoublings + 1);
  return Math.round(Math.min(seconds, config.maxBackoffSeconds) * 1000);
}

/**
 * `Retry-After` as ms (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or undefined when absent or
 * unparsable. Cloud Tasks honours it on 429 and 503.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when no attempt may follow the `attempts` already made (maxAttempts -1 = unlimited). */
export function attemptsExhausted(
  config: RetryConfig,
  attempts: number,
  firstAttemptAt: number,
  now: number,
): boolean {
  const byCount = config.maxAttempts !== -1 && attempts >= config.maxAttempts;
  // Google: once max_retry_duration has passed AND max_attempts were made, the task is deleted.
  if (config.maxRetryDurationSeconds > 0) {
    const expired = now - firstAttemptAt >= config.maxRetryDurationSeconds * 1000;
    return expired && (config.maxAttempts === -1 || byCount);
  }
  return byCount;
}
