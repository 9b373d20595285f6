import type { AuthenticatedSession } from './authenticated-session.interface.js';
import type { SessionRecord } from './sessions.repository.js';

/** A looked-up session as the cache keeps it. */
export interface CachedSession extends SessionRecord {
  cachedAt: number;
  /**
   * Until when (epoch milliseconds) the cache answers for it with nothing to check or record:
   * the earliest of its cache expiry, its own expiry and its next recorded use, which comes well
   * before its idle timeout. 0 when its member is not approved.
   */
  answerUntil: number;
  /** What the guard answers for it, built once. */
  authenticated: AuthenticatedSession;
}

/**
 * Looked-up sessions by cache key (the token's SHA-256 as 32 one-byte characters: no raw token
 * is kept), and their keys by session id, bounded in size (the oldest entry goes first).
 *
 * A lookup that was already reading when a session was revoked (or a member changed) may have
 * read the old row: it answers its own request, which was concurrent with the revocation, but is
 * not cached. Every eviction moves `generation` on, and a lookup caches its row only when the
 * generation it started in is still current (`begin()`, then `store()`).
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();
  private readonly keys = new Map<string, string>();
  private generation = 0;

  constructor(
    /** How long entries live: long while a revocation channel is live, short otherwise. */
    public ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The entry of `key`, if cached (the guard's hot path: one map read). */
  get(key: string): CachedSession | undefined {
    return this.entries.get(key);
  }

  /** The generation a lookup starts in; `store()` caches its row only if it is still current. */
  begin(): number {
    return this.generation;
  }

  /** Caches a looked-up entry, unless entries live 0 ms or an eviction happened meanwhile. */
  store(key: string, entry: CachedSession, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.generation) return;
    this.drop(key);
    if (this.entries.size >= this.maxEntries) this.drop(this.entries.keys().next().value!);
    this.entries.set(key, entry);
    this.keys.set(entry.sessionId, key);
  }

  /** Drops sessions by key, and keeps lookups already reading from caching them again. */
  evict(keys: readonly string[]): void {
    this.generation += 1;
    for (const key of keys) this.drop(key);
  }

  /** Drops sessions by id (a revocation from another instance). */
  evictSessions(sessionIds: readonly string[]): void {
    this.generation += 1;
    for (const id of sessionIds) {
      const key = this.keys.get(id);
      if (key !== undefined) this.drop(key);
    }
  }

  /** Drops every session of a member whose status or details changed. */
  evictMember(memberId: string): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) {
      if (entry.member.id === memberId) this.drop(key);
    }
  }

  /** Drops everything (revocations may have been missed). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.keys.clear();
  }

  /** Drops one key, without moving the generation (a lookup that found nothing). */
  drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.keys.delete(entry.sessionId);
  }
}
