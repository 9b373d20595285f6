import type { RateLimitStorage } from './rate-limit-storage.interface.js';

/** What the storage needs of a Redis client (an `ioredis` client fits). */
export interface RedisEvalClient {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * A sliding window in a sorted set: drop hits older than the window, then count; below the
 * limit, record this hit. Returns the count, the ms until the oldest hit leaves the window, and
 * whether the limit was reached.
 */
const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ttl)
local count = redis.call('ZCARD', key)
local blocked = 0
if count >= limit then
  blocked = 1
else
  redis.call('ZADD', key, now, member)
  count = count + 1
end
redis.call('PEXPIRE', key, ttl)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local wait = ttl
if oldest[2] then wait = tonumber(oldest[2]) + ttl - now end
return { count, wait, blocked }
`;

/**
 * Counters on Redis (a `ThrottlerStorage` in `@nestjs/throttler`'s terms), so that several app
 * instances share one set of counters: `rateLimit: { storage: new RedisThrottlerStorage(new Redis(url)) }`. Each key is
 * a sliding window (the semantics of the in-memory storage without a block duration); the
 * window is atomic through one Lua script.
 */
export class RedisThrottlerStorage implements RateLimitStorage {
  private sequence = 0;

  constructor(
    private readonly redis: RedisEvalClient,
    private readonly prefix = 'nestjs-otp:',
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ) {
    const now = Date.now();
    const member = `${now}-${process.pid}-${(this.sequence = (this.sequence + 1) % 1e9)}-${Math.random()}`;
    const [count, waitMs, blocked] = (await this.redis.eval(
      SLIDING_WINDOW,
      1,
      `${this.prefix}${throttlerName}:${key}`,
      now,
      ttl,
      limit,
      member,
    )) as [number, number, number];
    const seconds = Math.max(1, Math.ceil(Number(waitMs) / 1000));
    return {
      totalHits: Number(count),
      timeToExpire: seconds,
      isBlocked: Number(blocked) === 1,
      timeToBlockExpire: Number(blocked) === 1 ? seconds : 0,
    };
  }
}
