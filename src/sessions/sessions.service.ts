import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberView } from '../members/member.entity.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import type { MemberSession } from './member-session.entity.js';
import { type SessionRecord, SessionsRepository } from './sessions.repository.js';
import { hashSessionToken, isSessionTokenShape, newSessionToken } from './session-token.js';

/** A valid session and its member, as the guard sees them. */
export interface AuthenticatedSession {
  sessionId: string;
  member: MemberView;
  expiresAt: Date;
}

/** A session as listed to its member. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  /** Whether this is the session the request was made with. */
  current: boolean;
}

interface CachedSession extends SessionRecord {
  cachedAt: number;
  /** What `authenticate()` answers for it, built once. */
  authenticated: AuthenticatedSession;
}

/** Record use of a session at most this often (and well within the idle timeout). */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/**
 * Issues, checks and revokes sessions. `authenticate()` is the guard's hot path: one prepared
 * lookup (`SessionsRepository`: session joined with its member) behind a small in-process cache
 * whose entries live `session.cacheTtlMs`; revoking on this instance evicts at once. Issuing a
 * session is one prepared insert too: it is part of every sign-in.
 *
 * A lookup that was already reading when a session was revoked (or a member changed) may have
 * read the old row: it answers its own request, which was concurrent with the revocation, but
 * is not cached. Every eviction moves `generation` on, and a lookup caches its row only when the
 * generation it started in is still current.
 */
@Injectable()
export class SessionsService {
  private readonly cache = new Map<string, CachedSession>();
  private generation = 0;
  private readonly touchIntervalMs: number;

  constructor(
    private readonly store: SessionsRepository,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, options.session.idleTimeoutMs / 10);
  }

  /** Starts a session for a member and returns its token, shown this once. */
  async create(
    memberId: string,
    userAgent?: string,
  ): Promise<{ token: string; sessionId: string }> {
    const { token, session } = this.prepare(memberId, userAgent);
    await this.store.insert(session);
    return { token, sessionId: session.id };
  }

  /**
   * A new token and the row that stores its hash, for a caller that inserts the row in its own
   * transaction.
   */
  prepare(memberId: string, userAgent?: string): { token: string; session: MemberSession } {
    const token = newSessionToken();
    const now = Date.now();
    const session: MemberSession = {
      id: randomUUID(),
      memberId,
      tokenHash: hashSessionToken(token),
      createdAt: new Date(now),
      expiresAt: new Date(now + this.options.session.ttlMs),
      lastSeenAt: new Date(now),
      userAgent: userAgent ? userAgent.slice(0, 200) : null,
    };
    return { token, session };
  }

  /**
   * The session of `token` and its member, or `null` when the token is missing, malformed,
   * unknown, revoked, expired, idle for too long, or its member is not approved.
   */
  async authenticate(token: unknown): Promise<AuthenticatedSession | null> {
    return this.check(token);
  }

  /**
   * `authenticate()` for the guard's hot path: answers at once, without a promise, when the
   * cache holds the session and nothing needs writing.
   */
  check(token: unknown): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    if (!isSessionTokenShape(token)) return null;
    const hash = hashSessionToken(token);
    const now = Date.now();
    const entry = this.cache.get(hash);
    if (entry && now - entry.cachedAt < this.options.session.cacheTtlMs) {
      return this.admit(hash, entry, now);
    }
    return this.load(hash, now).then((loaded) => (loaded ? this.admit(hash, loaded, now) : null));
  }

  /** Whether a looked-up session is live now; records its use at most every `touchIntervalMs`. */
  private admit(
    hash: string,
    entry: CachedSession,
    now: number,
  ): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    if (now >= entry.expiresAt || now - entry.lastSeenAt >= this.options.session.idleTimeoutMs) {
      this.evict([hash]);
      return this.store.delete([entry.sessionId]).then(() => null);
    }
    if (entry.member.status !== 'approved') return null;
    if (now - entry.lastSeenAt >= this.touchIntervalMs) {
      entry.lastSeenAt = now;
      return this.store.touch(entry.sessionId, now).then(() => entry.authenticated);
    }
    return entry.authenticated;
  }

  /** The member's live sessions, newest first. */
  async list(memberId: string, currentSessionId?: string): Promise<SessionView[]> {
    const now = Date.now();
    const rows = await this.store.listByMember(memberId);
    return rows
      .filter(
        (s) =>
          s.expiresAt.getTime() > now &&
          now - s.lastSeenAt.getTime() < this.options.session.idleTimeoutMs,
      )
      .map((s) => ({
        id: s.id,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        userAgent: s.userAgent,
        current: s.id === currentSessionId,
      }));
  }

  /** Revokes one session of a member. Returns whether it existed. */
  async revoke(memberId: string, sessionId: string): Promise<boolean> {
    const [row] = await this.store.findKeys(memberId, sessionId);
    if (!row) return false;
    this.evict([row.tokenHash]);
    await this.store.delete([row.id]);
    this.evict([row.tokenHash]);
    return true;
  }

  /**
   * Revokes every session of a member (password reset, block), except `keepSessionId` when
   * given. Returns how many.
   */
  async revokeAll(memberId: string, keepSessionId?: string): Promise<number> {
    const rows = await this.store.findKeys(memberId);
    const revoked = rows.filter((row) => row.id !== keepSessionId);
    if (revoked.length === 0) return 0;
    const hashes = revoked.map((row) => row.tokenHash);
    this.evict(hashes);
    await this.store.delete(revoked.map((row) => row.id));
    this.evict(hashes);
    return revoked.length;
  }

  /** Forgets cached sessions of a member whose status or details changed. */
  forgetMember(memberId: string): void {
    this.generation += 1;
    for (const [hash, entry] of this.cache) {
      if (entry.member.id === memberId) this.cache.delete(hash);
    }
  }

  /** Drops sessions from the cache and keeps lookups already reading from caching them again. */
  private evict(hashes: string[]): void {
    this.generation += 1;
    for (const hash of hashes) this.cache.delete(hash);
  }

  private async load(hash: string, now: number): Promise<CachedSession | undefined> {
    const generation = this.generation;
    const record = await this.store.findByTokenHash(hash);
    if (!record) {
      this.cache.delete(hash);
      return undefined;
    }
    const entry: CachedSession = {
      ...record,
      cachedAt: now,
      authenticated: {
        sessionId: record.sessionId,
        member: record.member,
        expiresAt: new Date(record.expiresAt),
      },
    };
    if (this.options.session.cacheTtlMs > 0 && generation === this.generation) {
      this.cache.delete(hash);
      if (this.cache.size >= this.options.session.cacheSize) {
        this.cache.delete(this.cache.keys().next().value as string);
      }
      this.cache.set(hash, entry);
    }
    return entry;
  }
}
