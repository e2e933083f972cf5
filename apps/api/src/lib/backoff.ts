/** Exponential backoff with full jitter: attempt 0 → up to base, doubling, capped. */
export function backoffMs(attempt: number, baseMs = 500, capMs = 32_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
