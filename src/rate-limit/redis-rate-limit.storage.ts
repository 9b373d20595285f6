import { randomUUID } from 'node:crypto';
import type { RateLimitStorage, RateVerdict, RateWindow } from './rate-limit-storage.interface.js';

/** What the storage needs of a Redis client; an `ioredis` client fits. */
export interface RedisScriptClient {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  zrem(key: string, ...members: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
}

/**
 * Counts one attempt in every window (KEYS, with ARGV = hit id, then limit and window length
 * per key), or in none when one of them is full. Time is the Redis server's (`TIME`), so
 * instances whose clocks disagree count alike. Returns { 1 } or { 0, wait ms, index of the key }.
 */
const HIT_ALL_OR_NONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = -1
local full = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local frees = window
    if limit > 0 then
      local oldest = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
      frees = tonumber(oldest[2]) + window - now
    end
    if frees > wait then
      wait = frees
      full = i
    end
  end
end
if full > 0 then return { 0, wait, full } end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]))
end
return { 1 }
`;

const COMMAND = 'nestjsOtpHit';

type ScriptedClient = RedisScriptClient & {
  [COMMAND]?: (...args: (string | number)[]) => Promise<[number, number?, number?]>;
};

/**
 * Counters on Redis, shared by every app instance:
 * `rateLimit: { storage: new RedisRateLimitStorage(new Redis(url)) }`. Each key is a sorted set
 * of attempt times that expires with its window; one Lua script, loaded once and run by its
 * SHA (`defineCommand`), counts an attempt in all its windows atomically, on the server's clock.
 * On Redis Cluster give a prefix with a hash tag (e.g. `'{otp}:'`) so that the keys of one
 * attempt share a slot.
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  constructor(
    private readonly redis: RedisScriptClient,
    private readonly prefix = 'nestjs-otp:',
  ) {
    if (typeof (redis as ScriptedClient)[COMMAND] !== 'function') {
      redis.defineCommand(COMMAND, { lua: HIT_ALL_OR_NONE });
    }
  }

  async hit(windows: readonly RateWindow[]): Promise<RateVerdict> {
    if (windows.length === 0) return { allowed: true, hitId: '' };
    const hitId = randomUUID();
    const args: (string | number)[] = [windows.length];
    for (const { key } of windows) args.push(this.prefix + key);
    args.push(hitId);
    for (const { limit, windowMs } of windows) args.push(limit, windowMs);
    const [allowed, wait, index] = await (this.redis as ScriptedClient)[COMMAND]!(...args);
    if (Number(allowed) === 1) return { allowed: true, hitId };
    return {
      allowed: false,
      retryAfterMs: Math.max(1, Number(wait)),
      key: windows[Number(index) - 1]?.key ?? '',
    };
  }

  async undo(keys: readonly string[], hitId: string): Promise<void> {
    await Promise.all(keys.map((key) => this.redis.zrem(this.prefix + key, hitId)));
  }

  async clear(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys.map((key) => this.prefix + key));
  }
}

/** @deprecated Renamed `RedisRateLimitStorage`; it was never a `@nestjs/throttler` storage. */
export const RedisThrottlerStorage = RedisRateLimitStorage;
