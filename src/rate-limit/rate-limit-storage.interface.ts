/** One sliding window an attempt is counted in. */
export interface RateWindow {
  /** What is counted, e.g. `sendsPerIp:203.0.113.7`. */
  key: string;
  /** Attempts the window holds. */
  limit: number;
  /** Length of the window, in milliseconds. */
  windowMs: number;
}

/** What a storage answers for one attempt counted in several windows. */
export type RateVerdict =
  | {
      allowed: true;
      /** Names this attempt in every window, for `undo`. */
      hitId: string;
    }
  | {
      allowed: false;
      /** Milliseconds until the fullest window has room again. */
      retryAfterMs: number;
      /** The key of that window. */
      key: string;
    };

/**
 * Where the module's attempt counters live: sliding windows of attempt times, counted all or
 * none. The module ships `MemoryRateLimitStorage` (the default, one instance) and
 * `RedisRateLimitStorage` (several instances).
 */
export interface RateLimitStorage {
  /**
   * Counts one attempt in every window, or in none: when any window already holds its limit,
   * nothing is counted and the verdict says how long to wait. A refused attempt costs nothing.
   * A storage that cannot count (its server unreachable) throws, e.g. an `OtpException` with
   * `SERVICE_UNAVAILABLE` and `retryAfterSeconds`, which the client receives as 503.
   */
  hit(windows: readonly RateWindow[]): Promise<RateVerdict>;
  /**
   * Takes back one counted attempt (it turned out to cost nothing, e.g. Twilio was down). Should
   * not wait long; a failure is logged by the module and does not change the request's answer.
   */
  undo(keys: readonly string[], hitId: string): Promise<void>;
  /**
   * Forgets every attempt counted under these keys (e.g. a success ends a run of failures).
   * Should not wait long; a failure is logged by the module and the success stands.
   */
  clear(keys: readonly string[]): Promise<void>;
}
