import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.interface.js';

/** Keys kept at most; the least recently counted go first beyond that. */
const MAX_KEYS = 100_000;

/**
 * Counters of one app instance: a sliding window of attempt times per key, pruned on use and
 * bounded in size. For several instances use `RedisThrottlerStorage`.
 */
export class MemoryRateLimitStorage implements RateLimitStorage {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    const id = `${throttlerName}:${key}`;
    const now = this.now();
    const hits = (this.windows.get(id) ?? []).filter((at) => at > now - ttl);
    const isBlocked = hits.length >= limit;
    if (!isBlocked) hits.push(now);
    this.windows.delete(id);
    if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(id, hits);
    const wait = Math.max(1, Math.ceil((hits[0] + ttl - now) / 1000));
    return {
      totalHits: hits.length,
      timeToExpire: wait,
      isBlocked,
      timeToBlockExpire: isBlocked ? wait : 0,
    };
  }
}
