import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberStatus, MemberView } from '../members/member.entity.js';
import {
  OTP_DATA_SOURCE,
  OTP_SESSION_REPOSITORY,
  RESOLVED_OTP_OPTIONS,
} from '../otp-internal.constants.js';
import { MemberSession } from './member-session.entity.js';
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

interface CachedSession {
  sessionId: string;
  member: MemberView;
  expiresAt: number;
  lastSeenAt: number;
  cachedAt: number;
  /** What `authenticate()` answers for it, built once. */
  authenticated: AuthenticatedSession;
}

interface SessionRow {
  sid: string;
  exp: string | number;
  seen: string | number;
  mid: string;
  email: string;
  phone: string;
  status: MemberStatus;
  created: string | number;
}

/** Record use of a session at most this often (and well within the idle timeout). */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/**
 * Issues, checks and revokes sessions. `authenticate()` is the guard's hot path: one prepared
 * lookup (session joined with its member) behind a small in-process cache whose entries live
 * `session.cacheTtlMs`; revoking on this instance evicts at once. Issuing a session is one
 * prepared insert too: it is part of every sign-in.
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
  private readonly lookupSql: string;
  private readonly touchSql: string;
  private readonly insertSql: string;
  private readonly touchIntervalMs: number;

  constructor(
    @Inject(OTP_SESSION_REPOSITORY) private readonly sessions: Repository<MemberSession>,
    @Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, options.session.idleTimeoutMs / 10);
    // Table paths carry the data source's schema, if any, quoted for the driver.
    const quote = (path: string) =>
      path
        .split('.')
        .map((part) => dataSource.driver.escape(part))
        .join('.');
    const sessionsMetadata = dataSource.getMetadata(MemberSession);
    const table = quote(sessionsMetadata.tablePath);
    const members = quote(
      sessionsMetadata.findRelationWithPropertyPath('member')!.inverseEntityMetadata.tablePath,
    );
    // Placeholders only: the dummy values are strings so that no driver inlines them.
    const escape = (sql: string, params: Record<string, string>) =>
      dataSource.driver.escapeQueryWithParameters(sql, params)[0];
    this.lookupSql = escape(
      `SELECT s.id AS sid, s.expires_at AS exp, s.last_seen_at AS seen, m.id AS mid, m.email AS email,
              m.phone_number AS phone, m.status AS status, m.created_at AS created
         FROM ${table} s INNER JOIN ${members} m ON m.id = s.member_id
        WHERE s.token_hash = :hash`,
      { hash: '' },
    );
    this.touchSql = escape(`UPDATE ${table} SET last_seen_at = :seen WHERE id = :id`, {
      seen: '',
      id: '',
    });
    this.insertSql = escape(
      `INSERT INTO ${table} (id, member_id, token_hash, created_at, expires_at, last_seen_at, user_agent)
       VALUES (:id, :member, :hash, :created, :expires, :seen, :agent)`,
      { id: '', member: '', hash: '', created: '', expires: '', seen: '', agent: '' },
    );
  }

  /** Starts a session for a member and returns its token, shown this once. */
  async create(
    memberId: string,
    userAgent?: string,
  ): Promise<{ token: string; sessionId: string }> {
    const { token, session } = this.prepare(memberId, userAgent);
    await this.dataSource.query(this.insertSql, [
      session.id,
      session.memberId,
      session.tokenHash,
      session.createdAt.getTime(),
      session.expiresAt.getTime(),
      session.lastSeenAt.getTime(),
      session.userAgent,
    ]);
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
      return this.sessions.delete({ id: entry.sessionId }).then(() => null);
    }
    if (entry.member.status !== 'approved') return null;
    if (now - entry.lastSeenAt >= this.touchIntervalMs) {
      entry.lastSeenAt = now;
      return this.dataSource
        .query(this.touchSql, [now, entry.sessionId])
        .then(() => entry.authenticated);
    }
    return entry.authenticated;
  }

  /** The member's live sessions, newest first. */
  async list(memberId: string, currentSessionId?: string): Promise<SessionView[]> {
    const now = Date.now();
    const rows = await this.sessions.find({ where: { memberId }, order: { createdAt: 'DESC' } });
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
    const row = await this.sessions.findOne({
      where: { id: sessionId, memberId },
      select: { id: true, tokenHash: true },
    });
    if (!row) return false;
    this.evict([row.tokenHash]);
    await this.sessions.delete({ id: row.id });
    this.evict([row.tokenHash]);
    return true;
  }

  /**
   * Revokes every session of a member (password reset, block), except `keepSessionId` when
   * given. Returns how many.
   */
  async revokeAll(memberId: string, keepSessionId?: string): Promise<number> {
    const rows = await this.sessions.find({
      where: { memberId },
      select: { id: true, tokenHash: true },
    });
    const revoked = rows.filter((row) => row.id !== keepSessionId);
    if (revoked.length === 0) return 0;
    const hashes = revoked.map((row) => row.tokenHash);
    this.evict(hashes);
    await this.sessions.delete(revoked.map((row) => row.id));
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
    const rows: SessionRow[] = await this.dataSource.query(this.lookupSql, [hash]);
    const row = rows[0];
    if (!row) {
      this.cache.delete(hash);
      return undefined;
    }
    const member: MemberView = {
      id: row.mid,
      email: row.email,
      phoneNumber: row.phone,
      status: row.status,
      createdAt: new Date(Number(row.created)).toISOString(),
    };
    const expiresAt = Number(row.exp);
    const entry: CachedSession = {
      sessionId: row.sid,
      expiresAt,
      lastSeenAt: Number(row.seen),
      cachedAt: now,
      member,
      authenticated: { sessionId: row.sid, member, expiresAt: new Date(expiresAt) },
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
