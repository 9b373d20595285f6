import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberView } from '../members/member.entity.js';
import type { MemberSession } from './member-session.entity.js';
import type { RevocationChannel, RevocationMessage } from './revocation/revocation-channel.js';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  assure,
  type AssuranceLevel,
  type AuthMethod,
  parseAmr,
  type SessionAssurance,
  type SessionProof,
  storedAmr,
} from './session-assurance.js';
import { createRevocationChannel } from './revocation/revocation-channel.factory.js';
import { type SessionRecord, SessionsRepository } from './sessions.repository.js';
import {
  cacheKeyOfHash,
  hashOfCacheKey,
  hashSessionToken,
  hasSessionTokenLength,
  isSessionTokenShape,
  newSessionToken,
  sessionCacheKey,
} from './session-token.js';

/** A valid session and its member, as the guard sees them (`@CurrentSession()`). */
export interface AuthenticatedSession {
  sessionId: string;
  member: MemberView;
  expiresAt: Date;
  /** When the session began (its sign-in). */
  createdAt: Date;
  /** The methods that proved the session (RFC 8176 `amr` values where one fits). */
  amr: readonly AuthMethod[];
  /** Its authenticator assurance level. */
  aal: AssuranceLevel;
  /**
   * The last time the member proved possession of a phone, an app or a passkey in this session;
   * `null` when they never did (a trusted-device or recovery-code sign-in).
   */
  verifiedAt: Date | null;
}

/** A session as listed to its member. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  amr: AuthMethod[];
  aal: AssuranceLevel;
  /** ISO 8601; `null` when possession was never proved in this session. */
  verifiedAt: string | null;
  /** Whether this is the session the request was made with. */
  current: boolean;
}

interface CachedSession extends SessionRecord {
  cachedAt: number;
  /**
   * Until when (epoch milliseconds) the cache answers for it with nothing to check or record:
   * the earliest of its cache expiry, its own expiry and its next recorded use, which comes well
   * before its idle timeout. 0 when its member is not approved.
   */
  answerUntil: number;
  /** What `authenticate()` answers for it, built once. */
  authenticated: AuthenticatedSession;
}

function assuranceOf(row: Pick<MemberSession, 'amr' | 'aal' | 'verifiedAt'>): SessionAssurance {
  return { amr: parseAmr(row.amr), aal: row.aal === 2 ? 2 : 1, verifiedAt: row.verifiedAt };
}

/** Record use of a session at most this often (and well within the idle timeout). */
const MAX_TOUCH_INTERVAL_MS = 60_000;
/** Recorded uses wait at most this long to be written, in one batch. */
const MAX_FLUSH_DELAY_MS = 1_000;

/**
 * Issues, checks and revokes sessions. `authenticate()` is the guard's hot path: one prepared
 * lookup (`SessionsRepository`: session joined with its member) behind an in-process cache;
 * revoking on this instance evicts at once. Issuing a session is one prepared insert too: it is
 * part of every sign-in.
 *
 * Every revocation (logout, a revoked or expired session, a member blocked, changed or deleted)
 * is also sent over the revocation channel (`session.revocation`), and every instance drops the
 * sessions it names from its cache as it arrives. While the channel is live, entries live
 * `session.revocation.cacheTtlMs` (minutes); while it is down, or when there is none, the short
 * `session.cacheTtlMs`. Going down or coming back empties the cache: messages may have been
 * missed meanwhile.
 *
 * A lookup that was already reading when a session was revoked (or a member changed), here or
 * on another instance, may have read the old row: it answers its own request, which was
 * concurrent with the revocation, but is not cached. Every eviction, local or received, moves
 * `generation` on, and a lookup caches its row only when the generation it started in is still
 * current. A revocation is sent only once its rows are deleted, so a lookup that starts after
 * the message arrives cannot read them.
 *
 * Use of a session (`lastSeenAt`, for the idle timeout) is recorded in memory at most every
 * tenth of the idle timeout (and every minute) and written in batches within a second, off the
 * request path, and at shutdown. A session that looks idle in the cache is looked up again
 * before it is ended, since another instance may have seen it in use.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OtpModule');
  /** Cached sessions by cache key (`sessionCacheKey()`), and their keys by session id. */
  private readonly cache = new Map<string, CachedSession>();
  private readonly keys = new Map<string, string>();
  private generation = 0;
  private readonly touchIntervalMs: number;
  private readonly flushDelayMs: number;
  /** How long entries live now: long while the channel is live. */
  private cacheTtlMs: number;
  private channel?: RevocationChannel;
  /** Revocations being sent, which closing the app waits for. */
  private readonly announcing = new Set<Promise<void>>();
  /** Whether the channel's state was logged, and as what. */
  private loggedLive?: boolean;
  /** Uses not written yet: session id -> epoch milliseconds. */
  private readonly touches = new Map<string, number>();
  /**
   * Uses recorded lately, written or not: a lookup that read its row just before a batch was
   * written still sees them. Kept `useMemoryMs`.
   */
  private readonly uses = new Map<string, number>();
  private readonly useMemoryMs: number;
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private flushFailed = false;

  constructor(
    private readonly store: SessionsRepository,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {
    this.touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, options.session.idleTimeoutMs / 10);
    this.flushDelayMs = Math.min(MAX_FLUSH_DELAY_MS, this.touchIntervalMs);
    this.useMemoryMs = Math.min(
      options.session.idleTimeoutMs,
      Math.max(2 * this.touchIntervalMs, 10_000),
    );
    this.cacheTtlMs = options.session.cacheTtlMs;
  }

  /** Opens the revocation channel (a lost connection is retried; meanwhile the short cache). */
  async onModuleInit(): Promise<void> {
    const channel = createRevocationChannel(this.options.session.revocation, this.store.source);
    if (!channel) return;
    this.channel = channel;
    await channel.start({
      revoked: (message) => this.received(message),
      stateChanged: (live) => this.channelStateChanged(channel, live),
    });
  }

  /** Writes the uses not written yet, lets revocations being sent go out, and closes the channel. */
  async onModuleDestroy(): Promise<void> {
    await this.flushTouches();
    await Promise.allSettled(this.announcing);
    await this.channel?.close();
    this.channel = undefined;
  }

  /**
   * Starts a session for a member, proved by `proofs` (the methods of its sign-in), and returns
   * its token, shown this once.
   */
  async create(
    memberId: string,
    proofs: readonly SessionProof[],
    userAgent?: string,
  ): Promise<{ token: string; sessionId: string }> {
    const { token, session } = this.prepare(memberId, proofs, userAgent);
    await this.store.insert(session);
    return { token, sessionId: session.id };
  }

  /**
   * A new token and the row that stores its hash, for a caller that inserts the row in its own
   * transaction.
   */
  prepare(
    memberId: string,
    proofs: readonly SessionProof[],
    userAgent?: string,
  ): { token: string; session: MemberSession } {
    if (proofs.length === 0) throw new Error('A session needs the proof it was signed in with');
    const token = newSessionToken();
    const now = new Date();
    const assurance = assure(proofs, now);
    const session: MemberSession = {
      id: randomUUID(),
      memberId,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.session.ttlMs),
      lastSeenAt: now,
      verifiedAt: assurance.verifiedAt,
      amr: storedAmr(assurance.amr),
      aal: assurance.aal,
      userAgent: userAgent ? userAgent.slice(0, 200) : null,
    };
    return { token, session };
  }

  /**
   * How a member's session was proved, as stored now (the guard's cached view is as of its
   * lookup), and when it began; `null` when it is gone.
   */
  async assurance(
    memberId: string,
    sessionId: string,
  ): Promise<(SessionAssurance & { createdAt: Date }) | null> {
    const row = await this.store.findAssurance(memberId, sessionId);
    return row ? { ...assuranceOf(row), createdAt: row.createdAt } : null;
  }

  /**
   * Records a new proof in a member's session (a re-verification) and gives it a new token: the
   * old one stops working here and on every instance (OWASP ASVS 7.2.4). Resolves to the new
   * token and the session's assurance, or `null` when the session is gone (or was renewed
   * concurrently).
   */
  async renew(
    memberId: string,
    sessionId: string,
    proof: SessionProof,
  ): Promise<({ token: string } & SessionAssurance) | null> {
    const row = await this.store.findAssurance(memberId, sessionId);
    if (!row) return null;
    const earlier = assuranceOf(row);
    const assurance = assure([proof], new Date(), earlier);
    const token = newSessionToken();
    const oldKey = cacheKeyOfHash(row.tokenHash);
    this.evict([oldKey]);
    const renewed = await this.store.renew(memberId, sessionId, row.tokenHash, {
      tokenHash: hashSessionToken(token),
      amr: storedAmr(assurance.amr),
      aal: assurance.aal,
      verifiedAt: assurance.verifiedAt,
    });
    this.evict([oldKey]);
    if (!renewed) return null;
    await this.announce({ sessions: [sessionId] });
    return { token, ...assurance };
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
      if (now - entry.cachedAt < this.cacheTtlMs) return this.admit(key, entry, now, true);
    }
    return isSessionTokenShape(token) ? this.lookUp(key, now) : null;
  }

  private lookUp(key: string, now: number): Promise<AuthenticatedSession | null> {
    return this.load(key, now).then((loaded) =>
      loaded ? this.admit(key, loaded, now, false) : null,
    );
  }

  /** Whether a looked-up session is live now; records its use at most every `touchIntervalMs`. */
  private admit(
    key: string,
    entry: CachedSession,
    now: number,
    cached: boolean,
  ): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    if (now - entry.lastSeenAt >= this.options.session.idleTimeoutMs && now < entry.expiresAt) {
      // Idle as far as this instance knows: another may have seen it in use since.
      if (cached) return this.lookUp(key, now);
      return this.expire(key, entry);
    }
    if (now >= entry.expiresAt) return this.expire(key, entry);
    if (entry.member.status !== 'approved') return null;
    if (now - entry.lastSeenAt >= this.touchIntervalMs) {
      entry.lastSeenAt = now;
      entry.answerUntil = this.answerUntil(entry);
      this.touches.set(entry.sessionId, now);
      this.uses.set(entry.sessionId, now);
      this.flushTimer ??= setTimeout(() => void this.flushTouches(), this.flushDelayMs).unref();
    }
    return entry.authenticated;
  }

  private answerUntil(entry: CachedSession): number {
    if (entry.member.status !== 'approved') return 0;
    return Math.min(
      entry.cachedAt + this.cacheTtlMs,
      entry.expiresAt,
      entry.lastSeenAt + this.touchIntervalMs,
    );
  }

  /** Ends a session past its lifetime or idle timeout, here and on every instance. */
  private async expire(key: string, entry: CachedSession): Promise<null> {
    this.evict([key]);
    this.touches.delete(entry.sessionId);
    this.uses.delete(entry.sessionId);
    await this.store.delete([entry.sessionId]);
    await this.announce({ sessions: [entry.sessionId] });
    return null;
  }

  /** Writes the uses recorded so far, in batches; one flush at a time. */
  flushTouches(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flushing.then(() => this.writeTouches());
    return this.flushing;
  }

  private async writeTouches(): Promise<void> {
    const now = Date.now();
    for (const [id, at] of this.uses) {
      // Forgotten only once written: a lookup reading before the write must still see it.
      if (now - at >= this.useMemoryMs && !this.touches.has(id)) this.uses.delete(id);
    }
    if (this.touches.size === 0) return;
    const batch = [...this.touches];
    this.touches.clear();
    // One time for the batch, its earliest: a use is never recorded later than it happened.
    const seen = Math.min(...batch.map(([, at]) => at));
    try {
      await this.store.touch(
        batch.map(([id]) => id),
        seen,
      );
      if (this.flushFailed) this.logger.log('Session use is recorded again');
      this.flushFailed = false;
    } catch (error) {
      for (const [id, at] of batch) if (!this.touches.has(id)) this.touches.set(id, at);
      if (!this.flushFailed) {
        this.logger.warn(
          `Could not record session use (${(error as Error).name}); retrying in ${this.flushDelayMs} ms`,
        );
      }
      this.flushFailed = true;
      this.flushTimer ??= setTimeout(() => void this.flushTouches(), this.flushDelayMs).unref();
    }
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
        ...assuranceOf(s),
        verifiedAt: s.verifiedAt?.toISOString() ?? null,
        current: s.id === currentSessionId,
      }));
  }

  /** Revokes one session of a member. Returns whether it existed. */
  async revoke(memberId: string, sessionId: string): Promise<boolean> {
    const [row] = await this.store.findKeys(memberId, sessionId);
    if (!row) return false;
    const key = cacheKeyOfHash(row.tokenHash);
    this.evict([key]);
    await this.store.delete([row.id]);
    this.evict([key]);
    await this.announce({ sessions: [row.id] });
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
    const keys = revoked.map((row) => cacheKeyOfHash(row.tokenHash));
    this.evict(keys);
    await this.store.delete(revoked.map((row) => row.id));
    this.evict(keys);
    await this.announce({ sessions: revoked.map((row) => row.id) });
    return revoked.length;
  }

  /**
   * Forgets cached sessions of a member whose status or details changed, here and (without
   * waiting) on every instance.
   */
  forgetMember(memberId: string): void {
    this.forget(memberId);
    void this.announce({ member: memberId });
  }

  private forget(memberId: string): void {
    this.generation += 1;
    for (const [key, entry] of this.cache) {
      if (entry.member.id === memberId) this.drop(key);
    }
  }

  /** Tells the other instances; a failure is logged (the rows are gone already). */
  private async announce(message: RevocationMessage): Promise<void> {
    // The channel as it was when sent: the app may close it (and forget it) meanwhile.
    const channel = this.channel;
    if (!channel) return;
    const sending = channel.publish(message);
    this.announcing.add(sending);
    try {
      await sending;
    } catch (error) {
      this.logger.error(
        `Could not send a session revocation over ${channel.description} ` +
          `(${(error as Error).name}): other instances see it within ${this.options.session.cacheTtlMs} ms ` +
          'only if their channel is down too',
      );
    } finally {
      this.announcing.delete(sending);
    }
  }

  /** A revocation from another instance. */
  private received(message: RevocationMessage): void {
    if ('member' in message) {
      this.forget(message.member);
      return;
    }
    this.generation += 1;
    for (const id of message.sessions) {
      const key = this.keys.get(id);
      if (key !== undefined) this.drop(key);
    }
  }

  private channelStateChanged(channel: RevocationChannel, live: boolean): void {
    this.cacheTtlMs = live
      ? this.options.session.revocation.cacheTtlMs
      : this.options.session.cacheTtlMs;
    // Messages may have been missed while it was down, or since it was last heard.
    this.clear();
    if (this.loggedLive === live) return;
    const first = this.loggedLive === undefined;
    this.loggedLive = live;
    if (live) {
      this.logger.log(
        `Session revocations ${first ? 'go' : 'go again'} over ${channel.description}; ` +
          `sessions are cached for ${this.cacheTtlMs} ms`,
      );
    } else {
      this.logger.warn(
        `Session revocation channel ${channel.description} is ${first ? 'not connected' : 'down'}: ` +
          `sessions are cached for ${this.cacheTtlMs} ms until it is back`,
      );
    }
  }

  /** Drops sessions from the cache and keeps lookups already reading from caching them again. */
  private evict(keys: string[]): void {
    this.generation += 1;
    for (const key of keys) this.drop(key);
  }

  private clear(): void {
    this.generation += 1;
    this.cache.clear();
    this.keys.clear();
  }

  private drop(key: string): void {
    const entry = this.cache.get(key);
    if (!entry) return;
    this.cache.delete(key);
    this.keys.delete(entry.sessionId);
  }

  private async load(key: string, now: number): Promise<CachedSession | undefined> {
    const generation = this.generation;
    const record = await this.store.findByTokenHash(hashOfCacheKey(key));
    if (!record) {
      this.drop(key);
      return undefined;
    }
    // A use this instance recorded may be newer than the row read.
    const touched = this.uses.get(record.sessionId);
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
    if (this.cacheTtlMs > 0 && generation === this.generation) {
      this.drop(key);
      if (this.cache.size >= this.options.session.cacheSize) {
        this.drop(this.cache.keys().next().value as string);
      }
      this.cache.set(key, entry);
      this.keys.set(record.sessionId, key);
    }
    return entry;
  }
}
