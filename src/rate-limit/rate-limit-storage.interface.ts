/** What a storage answers for one counted attempt (the shape of `@nestjs/throttler`'s record). */
export interface RateLimitRecord {
  /** Attempts in the window, this one included when it was counted. */
  totalHits: number;
  /** Seconds until the window frees a place. */
  timeToExpire: number;
  /** Whether the limit was reached (this attempt was then not counted). */
  isBlocked: boolean;
  /** Seconds to wait when blocked, `0` otherwise. */
  timeToBlockExpire: number;
}

/**
 * Where the module's counters live. It has the shape of `@nestjs/throttler`'s
 * `ThrottlerStorage`, so a storage written for the throttler fits; the module ships an
 * in-memory one (the default) and `RedisThrottlerStorage` for several instances.
 */
export interface RateLimitStorage {
  /**
   * Counts one attempt for `key` in a sliding window of `ttl` milliseconds, unless `limit`
   * attempts are already in the window. The module passes `blockDuration` 0.
   */
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord>;
}
