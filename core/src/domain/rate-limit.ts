/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. Pure: the caller
 * passes the time, so it is deterministic under test.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(50, 100, clock.now());
 * if (!bucket.tryTake(clock.now())) reply(errorFrame('RATE_LIMITED', 'slow down'));
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new RangeError('a token bucket needs a rate > 0 and a burst >= 1');
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token if there is one, at time `now` (epoch ms); says whether it did. */
  tryTake(now: number): boolean {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
