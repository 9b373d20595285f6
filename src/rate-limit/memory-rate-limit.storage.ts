import type { RateLimitStorage, RateVerdict, RateWindow } from './rate-limit-storage.interface.js';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

interface Entry {
  /** Times of the counted attempts, oldest first, with their ids. */
  at: number[];
  ids: string[];
  /** When the newest attempt leaves the window: the entry is dead after that. */
  expiresAt: number;
}

/** Default bound on live keys (about 200 bytes each). */
const DEFAULT_MAX_KEYS = 1_000_000;

/**
 * Counters of one app instance, in memory. For several instances use `RedisRateLimitStorage`.
 *
 * Memory is bounded without ever dropping a live counter: an entry holds at most `limit` times,
 * dead entries (whose newest attempt left its window) are swept as new attempts arrive, and at
 * `maxKeys` live keys an attempt that needs a new key is refused (fail closed) until windows
 * expire. Attempts are counted only when every window has room, and clients can only create
 * keys through attempts that the per-client windows allow, so an attacker cannot flush a counter
 * by creating junk keys.
 */
export class MemoryRateLimitStorage implements RateLimitStorage {
  private readonly entries = new Map<string, Entry>();
  private readonly logger = new Logger('OtpModule');
  private lastFullWarning = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Live keys held. */
  get size(): number {
    return this.entries.size;
  }

  async hit(windows: readonly RateWindow[]): Promise<RateVerdict> {
    const now = this.now();
    this.sweep(now, 2);
    let wait = -1;
    let fullKey = '';
    let newKeys = 0;
    for (const { key, limit, windowMs } of windows) {
      const entry = this.live(key, now, windowMs);
      if (!entry) {
        newKeys++;
        if (limit < 1) {
          wait = Math.max(wait, windowMs);
          fullKey = key;
        }
        continue;
      }
      if (entry.at.length >= limit) {
        const freesAt = entry.at[entry.at.length - limit] + windowMs;
        if (freesAt - now > wait) {
          wait = freesAt - now;
          fullKey = key;
        }
      }
    }
    if (wait < 0 && newKeys > 0 && this.entries.size + newKeys > this.maxKeys) {
      this.sweep(now, Number.POSITIVE_INFINITY);
      if (this.entries.size + newKeys > this.maxKeys) {
        if (now - this.lastFullWarning > 60_000) {
          this.lastFullWarning = now;
          this.logger.warn(
            `Rate-limit storage holds ${this.entries.size} live keys (its bound): new keys are refused until windows expire`,
          );
        }
        return { allowed: false, retryAfterMs: 1_000, key: windows[0]?.key ?? '' };
      }
    }
    if (wait >= 0) return { allowed: false, retryAfterMs: Math.max(1, wait), key: fullKey };
    const hitId = randomUUID();
    for (const { key, windowMs } of windows) {
      const entry = this.entries.get(key) ?? { at: [], ids: [], expiresAt: 0 };
      entry.at.push(now);
      entry.ids.push(hitId);
      entry.expiresAt = Math.max(entry.expiresAt, now + windowMs);
      // Re-inserted last: the map stays ordered by last use, so the sweep looks at the oldest.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return { allowed: true, hitId };
  }

  async undo(keys: readonly string[], hitId: string): Promise<void> {
    for (const key of keys) {
      const entry = this.entries.get(key);
      const index = entry?.ids.indexOf(hitId) ?? -1;
      if (!entry || index < 0) continue;
      entry.at.splice(index, 1);
      entry.ids.splice(index, 1);
      if (entry.at.length === 0) this.entries.delete(key);
    }
  }

  async clear(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  /** The entry of `key` with the attempts still in its window, or `undefined`. */
  private live(key: string, now: number, windowMs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    let drop = 0;
    while (drop < entry.at.length && entry.at[drop] <= now - windowMs) drop++;
    if (drop > 0) {
      entry.at.splice(0, drop);
      entry.ids.splice(0, drop);
    }
    if (entry.at.length === 0) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Deletes up to `budget` dead entries among the least recently used. */
  private sweep(now: number, budget: number): void {
    let looked = 0;
    for (const [key, entry] of this.entries) {
      if (looked++ >= budget) break;
      if (entry.expiresAt <= now) this.entries.delete(key);
      else if (budget !== Number.POSITIVE_INFINITY) break;
    }
  }
}
