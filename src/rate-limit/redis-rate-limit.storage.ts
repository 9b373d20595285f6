import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sanitizeForLog } from '../events/log.util.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';
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

/** What `RedisRateLimitStorage` does while Redis does not answer. */
export type RedisUnavailablePolicy = 'refuse' | 'memory';

/** Options of `RedisRateLimitStorage`. */
export interface RedisRateLimitStorageOptions {
  /**
   * Put before every key. Default `'nestjs-otp:'`. On Redis Cluster give one with a hash tag
   * (e.g. `'{otp}:'`) so that the keys of one attempt share a slot.
   */
  prefix?: string;
  /**
   * Longest wait for one Redis command, in milliseconds (default 1000). Enforced by the storage
   * whatever the client's own settings: a command still unanswered then (ioredis queues
   * commands while it reconnects) counts as Redis being unreachable. A client that fails at once
   * (ioredis with `enableOfflineQueue: false`, a closed connection) fails the storage at once.
   */
  commandTimeoutMs?: number;
  /**
   * What counted attempts (sends, code checks, passwords) meet while Redis is unreachable.
   * `'refuse'` (the default): 503 `SERVICE_UNAVAILABLE` with `Retry-After`, nothing sent and
   * nothing charged, so that an outage cannot be used to send codes past the limits (SMS
   * pumping). `'memory'`: attempts are counted in this instance's memory
   * (`MemoryRateLimitStorage`) until Redis answers again; each instance then counts alone, so N
   * instances allow up to N times every limit.
   */
  whenUnavailable?: RedisUnavailablePolicy;
  /** `Retry-After` of the 503 answered under `whenUnavailable: 'refuse'`, in seconds (default 5). */
  retryAfterSeconds?: number;
}

const DEFAULT_PREFIX = 'nestjs-otp:';
const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const DEFAULT_RETRY_AFTER_SECONDS = 5;
const DEFAULT_WHEN_UNAVAILABLE: RedisUnavailablePolicy = 'refuse';
/** While Redis is unreachable, one attempt at most this often tries it again. */
const RETRY_INTERVAL_MS = 1_000;
/** Marks the ids of attempts counted in the fallback memory. */
const MEMORY_HIT = 'memory:';

/** A command that did not answer within the timeout. */
class CommandTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'CommandTimeoutError';
  }
}

function resolveOptions(
  options: string | RedisRateLimitStorageOptions,
): Required<RedisRateLimitStorageOptions> {
  const given = typeof options === 'string' ? { prefix: options } : (options ?? {});
  const {
    prefix = DEFAULT_PREFIX,
    commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
    whenUnavailable = DEFAULT_WHEN_UNAVAILABLE,
    retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS,
  } = given;
  const invalid = (option: string, problem: string) =>
    new TypeError(`RedisRateLimitStorage: option "${option}" ${problem}`);
  if (typeof prefix !== 'string') throw invalid('prefix', 'must be a string');
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) {
    throw invalid('commandTimeoutMs', 'must be a positive number of milliseconds');
  }
  if (whenUnavailable !== 'refuse' && whenUnavailable !== 'memory') {
    throw invalid('whenUnavailable', "must be 'refuse' or 'memory'");
  }
  if (!Number.isSafeInteger(retryAfterSeconds) || retryAfterSeconds < 1) {
    throw invalid('retryAfterSeconds', 'must be a whole number of seconds, at least 1');
  }
  return { prefix, commandTimeoutMs, whenUnavailable, retryAfterSeconds };
}

/**
 * Counters on Redis, shared by every app instance:
 * `rateLimit: { storage: new RedisRateLimitStorage(new Redis(url)) }`. Each key is a sorted set
 * of attempt times that expires with its window; one Lua script, loaded once and run by its
 * SHA (`defineCommand`), counts an attempt in all its windows atomically, on the server's clock.
 * On Redis Cluster give a prefix with a hash tag (e.g. `'{otp}:'`) so that the keys of one
 * attempt share a slot.
 *
 * Every command waits at most `commandTimeoutMs` (default 1000 ms). A command that fails or
 * times out makes Redis unreachable for the storage, which logs it once; from then on attempts
 * are refused with 503 `SERVICE_UNAVAILABLE` at once (or counted in memory with
 * `whenUnavailable: 'memory'`), and one attempt a second tries Redis again; the first that gets
 * an answer makes it reachable again, which is logged once too. An attempt whose command failed
 * or timed out is taken back on Redis should the command run later. `undo` and `clear` never
 * throw: during an outage they are sent without waiting, and a failure is only logged.
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  private readonly logger = new Logger('OtpModule');
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;
  private readonly retryAfterSeconds: number;
  private readonly fallback?: MemoryRateLimitStorage;
  /** Redis failed its last command and has not answered since. */
  private unreachable = false;
  /** When Redis was last tried while unreachable (`performance.now()`). */
  private lastTry = 0;
  private trying = false;

  /**
   * @param redis an `ioredis` client (or cluster), or any client with `defineCommand`, `zrem`
   *   and `del`.
   * @param options the options, or the key prefix alone (default `'nestjs-otp:'`).
   */
  constructor(
    private readonly redis: RedisScriptClient,
    options: string | RedisRateLimitStorageOptions = {},
  ) {
    const resolved = resolveOptions(options);
    this.prefix = resolved.prefix;
    this.commandTimeoutMs = resolved.commandTimeoutMs;
    this.retryAfterSeconds = resolved.retryAfterSeconds;
    if (resolved.whenUnavailable === 'memory') this.fallback = new MemoryRateLimitStorage();
    if (typeof (redis as ScriptedClient)[COMMAND] !== 'function') {
      redis.defineCommand(COMMAND, { lua: HIT_ALL_OR_NONE });
    }
  }

  async hit(windows: readonly RateWindow[]): Promise<RateVerdict> {
    if (windows.length === 0) return { allowed: true, hitId: '' };
    const retrying = this.unreachable;
    if (retrying) {
      if (this.trying || performance.now() - this.lastTry < RETRY_INTERVAL_MS) {
        return this.whileUnreachable(windows);
      }
      this.trying = true;
      this.lastTry = performance.now();
    }
    const hitId = randomUUID();
    const keys = windows.map(({ key }) => this.prefix + key);
    const args: (string | number)[] = [windows.length, ...keys, hitId];
    for (const { limit, windowMs } of windows) args.push(limit, windowMs);
    let answer: [number, number?, number?];
    try {
      answer = await this.bounded(() => (this.redis as ScriptedClient)[COMMAND]!(...args));
    } catch (error) {
      // The command may still run once Redis answers (it waited in the client's queue, or the
      // client's own timeout gave up on it): take the attempt back behind it.
      this.send(() => this.remove(keys, hitId));
      this.failed(error);
      return this.whileUnreachable(windows);
    } finally {
      if (retrying) this.trying = false;
    }
    this.answered();
    const [allowed, wait, index] = answer;
    if (Number(allowed) === 1) return { allowed: true, hitId };
    return {
      allowed: false,
      retryAfterMs: Math.max(1, Number(wait)),
      key: windows[Number(index) - 1]?.key ?? '',
    };
  }

  async undo(keys: readonly string[], hitId: string): Promise<void> {
    if (hitId.startsWith(MEMORY_HIT)) {
      await this.fallback?.undo(keys, hitId.slice(MEMORY_HIT.length));
      return;
    }
    if (keys.length === 0 || !hitId) return;
    const prefixed = keys.map((key) => this.prefix + key);
    await this.settle('take back an attempt', () => this.remove(prefixed, hitId));
  }

  async clear(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.fallback?.clear(keys);
    const prefixed = keys.map((key) => this.prefix + key);
    await this.settle('forget attempts', () => this.redis.del(...prefixed));
  }

  /** The verdict while Redis is unreachable: 503, or the fallback memory's. */
  private async whileUnreachable(windows: readonly RateWindow[]): Promise<RateVerdict> {
    if (!this.fallback) {
      throw new OtpException(OtpErrorCode.SERVICE_UNAVAILABLE, {
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    const verdict = await this.fallback.hit(windows);
    return verdict.allowed ? { allowed: true, hitId: MEMORY_HIT + verdict.hitId } : verdict;
  }

  /**
   * Runs a write that may fail without harm (`undo`, `clear`): awaited within the timeout while
   * Redis answers, sent without waiting while it does not; a failure is logged, never thrown.
   */
  private async settle(what: string, command: () => Promise<unknown>): Promise<void> {
    if (this.unreachable) {
      this.send(command);
      return;
    }
    try {
      await this.bounded(command);
    } catch (error) {
      this.logger.warn(
        `Rate-limit storage Redis could not ${what} (${this.reason(error)}): moving on`,
      );
      this.failed(error);
    }
  }

  /** Removes one attempt from these (prefixed) keys. */
  private remove(keys: readonly string[], hitId: string): Promise<unknown> {
    return Promise.all(keys.map((key) => this.redis.zrem(key, hitId)));
  }

  /** Sends `command` without waiting for its answer, which may never come. */
  private send(command: () => Promise<unknown>): void {
    Promise.resolve()
      .then(command)
      .catch(() => undefined);
  }

  /** `command`'s answer, or a `CommandTimeoutError` once `commandTimeoutMs` has passed. */
  private bounded<T>(command: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CommandTimeoutError(this.commandTimeoutMs)),
        this.commandTimeoutMs,
      );
      const settle = () => clearTimeout(timer);
      Promise.resolve()
        .then(command)
        .then(
          (value) => {
            settle();
            resolve(value);
          },
          (error: unknown) => {
            settle();
            reject(error);
          },
        );
    });
  }

  private failed(error: unknown): void {
    this.lastTry = performance.now();
    if (this.unreachable) return;
    this.unreachable = true;
    const then = this.fallback
      ? "counting in this instance's memory until it is back (each instance counts alone)"
      : 'refusing sends and checks with 503 until it is back';
    this.logger.warn(`Rate-limit storage Redis is unreachable (${this.reason(error)}): ${then}`);
  }

  private answered(): void {
    if (!this.unreachable) return;
    this.unreachable = false;
    this.logger.log('Rate-limit storage Redis answers again: counting on Redis');
  }

  /** What went wrong, for the log: never a key, a phone number or an email address. */
  private reason(error: unknown): string {
    const text =
      error instanceof Error ? `${error.name}: ${error.message}` : `${typeof error} thrown`;
    const escaped = this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let clean = text
      .replace(/[^\s@]+@[^\s@]+/g, '<email>')
      .replace(/\+?\d[\d\s-]{5,}\d/g, '<number>');
    if (escaped) clean = clean.replace(new RegExp(`${escaped}\\S*`, 'g'), '<key>');
    return sanitizeForLog(clean, 160);
  }
}
