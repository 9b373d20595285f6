import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { AuthenticatedSession } from './authenticated-session.interface.js';
import type { RevocationBus } from './revocation/revocation-bus.js';
import type { CachedSession, SessionCache } from './session-cache.js';
import type { SessionUseRecorder } from './session-use-recorder.js';
import type { SessionsRepository } from './sessions.repository.js';
import {
  hashOfCacheKey,
  hasSessionTokenLength,
  isSessionTokenShape,
  sessionCacheKey,
} from './session-token.js';

/**
 * Finds the session of a token: from the cache while it may answer for it (one field read,
 * without a promise), else by one prepared lookup whose row the cache then keeps. Admits a
 * session only while it is within its lifetime and idle timeout and its member is approved;
 * ends one past either, here and on every instance. The guard's hot path.
 */
export class SessionLookup {
  constructor(
    private readonly store: SessionsRepository,
    private readonly cache: SessionCache,
    private readonly uses: SessionUseRecorder,
    private readonly bus: RevocationBus,
    private readonly options: ResolvedOtpOptions['session'],
  ) {}

  /**
   * `authenticate()` for the guard's hot path: answers at once, without a promise, when the
   * cache holds the session.
   */
  check(token: unknown): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    // The length alone before the cache (which holds only tokens it looked up), the shape before
    // a lookup.
    if (!hasSessionTokenLength(token)) return null;
    const key = sessionCacheKey(token);
    const now = Date.now();
    const entry = this.cache.get(key);
    if (entry !== undefined) {
      // The common case, with one field read: the entry's other checks wait for `answerUntil`.
      if (now < entry.answerUntil) return entry.authenticated;
      if (now - entry.cachedAt < this.cache.ttlMs) return this.admit(key, entry, now, true);
    }
    return isSessionTokenShape(token) ? this.lookUp(key, now) : null;
  }

  private lookUp(key: string, now: number): Promise<AuthenticatedSession | null> {
    return this.load(key, now).then((loaded) =>
      loaded ? this.admit(key, loaded, now, false) : null,
    );
  }

  /** Whether a looked-up session is live now; records its use at most every interval. */
  private admit(
    key: string,
    entry: CachedSession,
    now: number,
    cached: boolean,
  ): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    if (now - entry.lastSeenAt >= this.options.idleTimeoutMs && now < entry.expiresAt) {
      // Idle as far as this instance knows: another may have seen it in use since.
      if (cached) return this.lookUp(key, now);
      return this.expire(key, entry);
    }
    if (now >= entry.expiresAt) return this.expire(key, entry);
    if (entry.member.status !== 'approved') return null;
    if (now - entry.lastSeenAt >= this.uses.intervalMs) {
      entry.lastSeenAt = now;
      entry.answerUntil = this.answerUntil(entry);
      this.uses.record(entry.sessionId, now);
    }
    return entry.authenticated;
  }

  private answerUntil(entry: CachedSession): number {
    if (entry.member.status !== 'approved') return 0;
    return Math.min(
      entry.cachedAt + this.cache.ttlMs,
      entry.expiresAt,
      entry.lastSeenAt + this.uses.intervalMs,
    );
  }

  /** Ends a session past its lifetime or idle timeout, here and on every instance. */
  private async expire(key: string, entry: CachedSession): Promise<null> {
    this.cache.evict([key]);
    this.uses.forget(entry.sessionId);
    await this.store.delete([entry.sessionId]);
    await this.bus.announce({ sessions: [entry.sessionId] });
    return null;
  }

  private async load(key: string, now: number): Promise<CachedSession | undefined> {
    const generation = this.cache.begin();
    const record = await this.store.findByTokenHash(hashOfCacheKey(key));
    if (!record) {
      this.cache.drop(key);
      return undefined;
    }
    // A use this instance recorded may be newer than the row read.
    const touched = this.uses.latest(record.sessionId);
    if (touched !== undefined && touched > record.lastSeenAt) record.lastSeenAt = touched;
    const entry: CachedSession = {
      ...record,
      cachedAt: now,
      answerUntil: 0,
      authenticated: {
        sessionId: record.sessionId,
        member: record.member,
        expiresAt: new Date(record.expiresAt),
        createdAt: new Date(record.createdAt),
        amr: record.amr,
        aal: record.aal,
        verifiedAt: record.verifiedAt === null ? null : new Date(record.verifiedAt),
      },
    };
    entry.answerUntil = this.answerUntil(entry);
    this.cache.store(key, entry, generation);
    return entry;
  }
}
