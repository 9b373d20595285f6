import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { AuthenticatedSession, SessionView } from './authenticated-session.interface.js';
import type { MemberSession } from './member-session.entity.js';
import type { RevocationMessage } from './revocation/revocation-channel.js';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  assure,
  parseAmr,
  type SessionAssurance,
  type SessionProof,
  storedAmr,
} from './session-assurance.js';
import { RevocationBus } from './revocation/revocation-bus.js';
import { SessionCache } from './session-cache.js';
import { SessionLookup } from './session-lookup.js';
import { SessionUseRecorder } from './session-use-recorder.js';
import { SessionsRepository } from './sessions.repository.js';
import { cacheKeyOfHash, hashSessionToken, newSessionToken } from './session-token.js';

export type { AuthenticatedSession, SessionView };

function assuranceOf(row: Pick<MemberSession, 'amr' | 'aal' | 'verifiedAt'>): SessionAssurance {
  return { amr: parseAmr(row.amr), aal: row.aal === 2 ? 2 : 1, verifiedAt: row.verifiedAt };
}

/**
 * Issues, checks and revokes sessions. `check()` is the guard's hot path: answered from an
 * in-process cache (`SessionCache`), or one prepared lookup (`SessionsRepository`: the session
 * joined with its member); revoking on this instance evicts at once, and every revocation goes
 * to the other instances over the revocation channel (`RevocationBus`). Use of a session is
 * recorded off the request path (`SessionUseRecorder`); a session that looks idle in the cache
 * is looked up again before it is ended, since another instance may have seen it in use.
 * Issuing a session is one prepared insert: it is part of every sign-in.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly cache: SessionCache;
  private readonly uses: SessionUseRecorder;
  private readonly bus: RevocationBus;
  private readonly lookup: SessionLookup;

  constructor(
    private readonly store: SessionsRepository,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {
    this.cache = new SessionCache(options.session.cacheTtlMs, options.session.cacheSize);
    this.uses = new SessionUseRecorder(store, options.session.idleTimeoutMs);
    this.bus = new RevocationBus(options.session);
    this.lookup = new SessionLookup(store, this.cache, this.uses, this.bus, options.session);
  }

  /** Opens the revocation channel; its messages and state reach the cache. */
  async onModuleInit(): Promise<void> {
    await this.bus.start(this.store.source, {
      revoked: (message) => this.received(message),
      ttlChanged: (ttlMs) => {
        this.cache.ttlMs = ttlMs;
        this.cache.clear();
      },
    });
  }

  /** Writes the uses not written yet, lets revocations being sent go out, closes the channel. */
  async onModuleDestroy(): Promise<void> {
    await this.uses.flush();
    await this.bus.close();
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
    const assurance = assure([proof], new Date(), assuranceOf(row));
    const token = newSessionToken();
    const oldKey = [cacheKeyOfHash(row.tokenHash)];
    this.cache.evict(oldKey);
    const renewed = await this.store.renew(memberId, sessionId, row.tokenHash, {
      tokenHash: hashSessionToken(token),
      amr: storedAmr(assurance.amr),
      aal: assurance.aal,
      verifiedAt: assurance.verifiedAt,
    });
    this.cache.evict(oldKey);
    if (!renewed) return null;
    await this.bus.announce({ sessions: [sessionId] });
    return { token, ...assurance };
  }

  /**
   * The session of `token` and its member, or `null` when the token is missing, malformed,
   * unknown, revoked, expired, idle for too long, or its member is not approved.
   */
  async authenticate(token: unknown): Promise<AuthenticatedSession | null> {
    return this.lookup.check(token);
  }

  /**
   * `authenticate()` for the guard's hot path: answers at once, without a promise, when the
   * cache holds the session.
   */
  check(token: unknown): AuthenticatedSession | null | Promise<AuthenticatedSession | null> {
    return this.lookup.check(token);
  }

  /** Writes the uses recorded so far, in batches; one flush at a time. */
  flushTouches(): Promise<void> {
    return this.uses.flush();
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
    return (await this.revokeRows(await this.store.findKeys(memberId, sessionId))) > 0;
  }

  /**
   * Revokes every session of a member (password reset, block), except `keepSessionId` when
   * given. Returns how many.
   */
  async revokeAll(memberId: string, keepSessionId?: string): Promise<number> {
    const rows = await this.store.findKeys(memberId);
    return this.revokeRows(rows.filter((row) => row.id !== keepSessionId));
  }

  private async revokeRows(rows: Pick<MemberSession, 'id' | 'tokenHash'>[]): Promise<number> {
    if (rows.length === 0) return 0;
    const keys = rows.map((row) => cacheKeyOfHash(row.tokenHash));
    this.cache.evict(keys);
    await this.store.delete(rows.map((row) => row.id));
    this.cache.evict(keys);
    await this.bus.announce({ sessions: rows.map((row) => row.id) });
    return rows.length;
  }

  /**
   * Forgets cached sessions of a member whose status or details changed, here and (without
   * waiting) on every instance.
   */
  forgetMember(memberId: string): void {
    this.cache.evictMember(memberId);
    void this.bus.announce({ member: memberId });
  }

  /** A revocation from another instance. */
  private received(message: RevocationMessage): void {
    if ('member' in message) this.cache.evictMember(message.member);
    else this.cache.evictSessions(message.sessions);
  }
}
