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
   */
  hit(windows: readonly RateWindow[]): Promise<RateVerdict>;
  /** Takes back one counted attempt (it turned out to cost nothing, e.g. Twilio was down). */
  undo(keys: readonly string[], hitId: string): Promise<void>;
  /** Forgets every attempt counted under these keys (e.g. a success ends a run of failures). */
  clear(keys: readonly string[]): Promise<void>;
}
