/**
 * Token bucket for dispatch starts. Cloud Tasks derives the burst size from max_dispatches_per_second
 * rather than letting it be set; we use one second's worth of tokens (at least 1), which keeps a queue
 * at the rate over any window longer than a second.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private ratePerSecond: number,
    now: number,
  ) {
    this.tokens = this.burst;
    this.updatedAt = now;
  }

  get burst(): number {
    return burstSize(this.ratePerSecond);
  }

  setRate(ratePerSecond: number, now: number): void {
    this.refill(now);
    this.ratePerSecond = ratePerSecond;
    this.tokens = Math.min(this.tokens, this.burst);
  }

  /** Takes a token if one is there. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until the next token; 0 when one is available now. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = now;
  }
}

/** The burst size reported in `Queue.rateLimits.maxBurstSize`. */
export const burstSize = (ratePerSecond: number) => Math.max(1, Math.min(500, Math.floor(ratePerSecond)));
