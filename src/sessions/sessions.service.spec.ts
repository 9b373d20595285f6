import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resolveOtpOptions } from '../config/resolve-options.js';
import type { MemberView } from '../members/member.entity.js';
import type { MemberSession } from './member-session.entity.js';
import { ProcessRevocationChannel } from './revocation/process-revocation-channel.js';
import { parseAmr, type SessionProof } from './session-assurance.js';
import { hashSessionToken } from './session-token.js';
import type { SessionRecord, SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

const MEMBER: MemberView = {
  id: '6f1c8c1e-3b2a-4c55-9d1e-6a0b1f2e3d4c',
  email: 'alice@example.com',
  phoneNumber: '+12015550123',
  status: 'approved',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** A sign-in by a code sent by SMS. */
const SMS: SessionProof[] = [{ method: 'sms' }];

/** An in-memory store whose lookups can be held open, to race them against revocations. */
class FakeSessionsStore {
  readonly rows = new Map<string, MemberSession>();
  lookups = 0;
  touches = 0;
  touchBatches = 0;
  private held?: { release: () => void };

  /** Holds the next lookup after it has read its row, until `release()`. */
  holdNextLookup(): { release: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.held = { release: () => release() };
    this.gate = gate;
    return this.held;
  }
  private gate?: Promise<void>;

  async findByTokenHash(hash: string): Promise<SessionRecord | undefined> {
    this.lookups += 1;
    const row = [...this.rows.values()].find((session) => session.tokenHash === hash);
    const record = row && {
      sessionId: row.id,
      expiresAt: row.expiresAt.getTime(),
      lastSeenAt: row.lastSeenAt.getTime(),
      createdAt: row.createdAt.getTime(),
      amr: parseAmr(row.amr),
      aal: row.aal === 2 ? (2 as const) : (1 as const),
      verifiedAt: row.verifiedAt?.getTime() ?? null,
      member: { ...MEMBER },
    };
    const gate = this.gate;
    this.gate = undefined;
    if (gate) await gate;
    return record;
  }
  async touch(sessionIds: string[], seen: number): Promise<void> {
    this.touches += sessionIds.length;
    this.touchBatches += 1;
    for (const id of sessionIds) {
      const row = this.rows.get(id);
      if (row && row.lastSeenAt.getTime() < seen) row.lastSeenAt = new Date(seen);
    }
  }
  get source(): undefined {
    return undefined;
  }
  async insert(session: MemberSession): Promise<void> {
    this.rows.set(session.id, { ...session });
  }
  async listByMember(memberId: string): Promise<MemberSession[]> {
    return [...this.rows.values()].filter((row) => row.memberId === memberId);
  }
  async findKeys(memberId: string, sessionId?: string) {
    return [...this.rows.values()]
      .filter((row) => row.memberId === memberId && (sessionId ?? row.id) === row.id)
      .map(({ id, tokenHash }) => ({ id, tokenHash }));
  }
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.rows.delete(id);
  }
}

function setup(
  session: {
    cacheTtlMs?: number;
    idleTimeoutSeconds?: number;
    ttlSeconds?: number;
    revocation?: { channel?: 'single-process'; cacheTtlMs?: number; name?: string };
  } = {},
  store = new FakeSessionsStore(),
) {
  const options = resolveOtpOptions({
    twilio: {
      accountSid: 'AC' + '0'.repeat(32),
      authToken: 'x'.repeat(32),
      verifyServiceSid: 'VA' + '0'.repeat(32),
    },
    mailDomain: 'phone.example.org',
    session,
  });
  const sessions = new SessionsService(store as unknown as SessionsRepository, options);
  return { store, sessions };
}

describe('SessionsService', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a known token with its session and member, and nothing else', async () => {
    const { sessions } = setup();
    const { token, sessionId } = await sessions.create(MEMBER.id, SMS, 'jest');
    await expect(sessions.authenticate(token)).resolves.toMatchObject({
      sessionId,
      member: { id: MEMBER.id, email: MEMBER.email },
    });
    const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(sessions.authenticate(altered)).resolves.toBeNull();
    await expect(sessions.authenticate('not a token')).resolves.toBeNull();
    await expect(sessions.authenticate(undefined)).resolves.toBeNull();
  });

  it('stores only the hash of the token', async () => {
    const { store, sessions } = setup();
    const { token } = await sessions.create(MEMBER.id, SMS);
    const [row] = store.rows.values();
    expect(row.tokenHash).toBe(hashSessionToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('answers from the cache within cacheTtlMs, without a promise or a lookup', async () => {
    const { store, sessions } = setup({ cacheTtlMs: 5_000 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    const answer = sessions.check(token);
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ member: { id: MEMBER.id } });
    expect(store.lookups).toBe(1);
  });

  it('looks up no token that is not of the shape of one, even of the right length', async () => {
    const { store, sessions } = setup();
    const { token } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    for (const odd of [`${token.slice(0, -1)}=`, `${token.slice(0, -1)}\n`, ' '.repeat(43)]) {
      expect(sessions.check(odd)).toBeNull();
    }
    expect(store.lookups).toBe(1);
  });

  it('answers a cached session at once until its next use is due, then records that use', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { store, sessions } = setup({ idleTimeoutSeconds: 100, cacheTtlMs: 60_000 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    jest.advanceTimersByTime(9_999);
    expect(sessions.check(token)).toMatchObject({ member: { id: MEMBER.id } });
    await sessions.flushTouches();
    expect(store.touches).toBe(0);
    // A tenth of the idle timeout after it was last recorded: recorded again, still no lookup.
    jest.advanceTimersByTime(1);
    expect(sessions.check(token)).toMatchObject({ member: { id: MEMBER.id } });
    await sessions.flushTouches();
    expect(store.touches).toBe(1);
    expect(store.lookups).toBe(1);
    // And not again before another tenth.
    jest.advanceTimersByTime(9_999);
    expect(sessions.check(token)).not.toBeNull();
    await sessions.flushTouches();
    expect(store.touches).toBe(1);
  });

  it('refuses a cached session at its absolute lifetime, to the millisecond', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { sessions } = setup({ ttlSeconds: 3_600, cacheTtlMs: 3_600_000 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    jest.advanceTimersByTime(3_599_999);
    expect(sessions.check(token)).not.toBeNull();
    jest.advanceTimersByTime(1);
    await expect(sessions.authenticate(token)).resolves.toBeNull();
  });

  it('looks the session up again once the cache entry is older than cacheTtlMs', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { store, sessions } = setup({ cacheTtlMs: 1_000 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    jest.advanceTimersByTime(1_001);
    await sessions.authenticate(token);
    expect(store.lookups).toBe(2);
  });

  it('refuses at once a session revoked on this instance, even while cached', async () => {
    const { sessions } = setup({ cacheTtlMs: 60_000 });
    const { token, sessionId } = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(token);
    expect(await sessions.revoke(MEMBER.id, sessionId)).toBe(true);
    await expect(sessions.authenticate(token)).resolves.toBeNull();
  });

  it('does not cache a row read by a lookup that was running when the session was revoked', async () => {
    const { store, sessions } = setup({ cacheTtlMs: 60_000 });
    const { token, sessionId } = await sessions.create(MEMBER.id, SMS);
    const held = store.holdNextLookup();
    const racing = sessions.authenticate(token);
    await new Promise((resolve) => setImmediate(resolve));
    await sessions.revoke(MEMBER.id, sessionId);
    held.release();
    // The racing request read the row before the revocation: it may pass, being concurrent.
    await expect(racing).resolves.not.toBeNull();
    // Every later request is refused: the old row did not go back into the cache.
    await expect(sessions.authenticate(token)).resolves.toBeNull();
    expect(store.lookups).toBe(2);
  });

  it('ends a session idle for idleTimeoutMs, and deletes it', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { store, sessions } = setup({ idleTimeoutSeconds: 60, cacheTtlMs: 0 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    jest.advanceTimersByTime(60_000);
    await expect(sessions.authenticate(token)).resolves.toBeNull();
    expect(store.rows.size).toBe(0);
  });

  it('records use at most every tenth of the idle timeout, so that active sessions stay', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { store, sessions } = setup({ idleTimeoutSeconds: 100, cacheTtlMs: 0 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    // Used every 4 s for 24 s: recorded at 12 s and 24 s (10 s apart at least), not every time.
    for (let i = 0; i < 6; i++) {
      jest.advanceTimersByTime(4_000);
      await sessions.authenticate(token);
    }
    await sessions.flushTouches();
    expect(store.touches).toBe(2);
    jest.advanceTimersByTime(90_000);
    await expect(sessions.authenticate(token)).resolves.not.toBeNull();
  });

  it('ends a session at its absolute lifetime, however active', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const { sessions } = setup({ ttlSeconds: 3_600, idleTimeoutSeconds: 600, cacheTtlMs: 0 });
    const { token } = await sessions.create(MEMBER.id, SMS);
    for (let elapsed = 0; elapsed < 3_600_000; elapsed += 300_000) {
      jest.advanceTimersByTime(300_000);
      const answer = await sessions.authenticate(token);
      expect(answer === null).toBe(elapsed + 300_000 >= 3_600_000);
    }
  });

  it('revokes every session of a member but the one kept', async () => {
    const { sessions } = setup();
    const kept = await sessions.create(MEMBER.id, SMS);
    const other = await sessions.create(MEMBER.id, SMS);
    await sessions.authenticate(other.token);
    expect(await sessions.revokeAll(MEMBER.id, kept.sessionId)).toBe(1);
    await expect(sessions.authenticate(other.token)).resolves.toBeNull();
    await expect(sessions.authenticate(kept.token)).resolves.not.toBeNull();
  });

  describe('with a revocation channel (two instances in one process)', () => {
    const channel = {
      channel: 'single-process' as const,
      cacheTtlMs: 600_000,
      name: 'sessions_service_spec',
    };
    const services: SessionsService[] = [];
    afterEach(async () => {
      for (const service of services.splice(0)) await service.onModuleDestroy();
    });

    async function pair() {
      const store = new FakeSessionsStore();
      const one = setup({ cacheTtlMs: 1_000, revocation: channel }, store).sessions;
      const two = setup({ cacheTtlMs: 1_000, revocation: channel }, store).sessions;
      services.push(one, two);
      await one.onModuleInit();
      await two.onModuleInit();
      return { store, one, two };
    }

    it('keeps sessions cached for revocation.cacheTtlMs while the channel is live', async () => {
      jest.useFakeTimers({ now: Date.now() });
      const { store, two } = await pair();
      const { token } = await two.create(MEMBER.id, SMS);
      await two.authenticate(token);
      jest.advanceTimersByTime(60_000);
      expect(two.check(token)).toMatchObject({ member: { id: MEMBER.id } });
      expect(store.lookups).toBe(1);
    });

    it('drops a session revoked on one instance from the other’s cache at once', async () => {
      const { one, two } = await pair();
      const { token, sessionId } = await one.create(MEMBER.id, SMS);
      await one.authenticate(token);
      await two.authenticate(token);
      await one.revoke(MEMBER.id, sessionId);
      await expect(two.authenticate(token)).resolves.toBeNull();
    });

    it('does not cache a row the other instance was reading when the session was revoked', async () => {
      const { store, one, two } = await pair();
      const { token, sessionId } = await one.create(MEMBER.id, SMS);
      const held = store.holdNextLookup();
      const racing = two.authenticate(token);
      await new Promise((resolve) => setImmediate(resolve));
      await one.revoke(MEMBER.id, sessionId);
      held.release();
      await racing;
      await expect(two.authenticate(token)).resolves.toBeNull();
    });

    it('forgets a changed member on the other instance', async () => {
      const { store, one, two } = await pair();
      const { token } = await one.create(MEMBER.id, SMS);
      await two.authenticate(token);
      one.forgetMember(MEMBER.id);
      await two.authenticate(token);
      expect(store.lookups).toBe(2);
    });

    it('lets a revocation being sent go out before it closes the channel', async () => {
      const { one } = await pair();
      const order: string[] = [];
      const send = ProcessRevocationChannel.prototype.publish;
      jest.spyOn(ProcessRevocationChannel.prototype, 'publish').mockImplementation(async function (
        this: ProcessRevocationChannel,
        message,
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await send.call(this, message);
        order.push('sent');
      });
      const close = ProcessRevocationChannel.prototype.close;
      jest.spyOn(ProcessRevocationChannel.prototype, 'close').mockImplementation(async function (
        this: ProcessRevocationChannel,
      ) {
        order.push('closed');
        await close.call(this);
      });
      try {
        one.forgetMember(MEMBER.id);
        await one.onModuleDestroy();
        services.splice(services.indexOf(one), 1);
        expect(order).toEqual(['sent', 'closed']);
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('logs a revocation it could not send, and still closes', async () => {
      const { one } = await pair();
      jest
        .spyOn(ProcessRevocationChannel.prototype, 'publish')
        .mockRejectedValue(new Error('connection ended'));
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => {});
      try {
        one.forgetMember(MEMBER.id);
        await one.onModuleDestroy();
        services.splice(services.indexOf(one), 1);
        expect(logged).toHaveBeenCalledTimes(1);
        expect(String(logged.mock.calls[0][0])).toMatch(
          /^Could not send a session revocation over this process only \(Error\)/,
        );
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('writes the uses of many sessions off the request path in one batch, at the latest at shutdown', async () => {
      const { store, two } = await pair();
      const tokens = [];
      for (let i = 0; i < 5; i += 1) tokens.push((await two.create(MEMBER.id, SMS)).token);
      for (const row of store.rows.values()) row.lastSeenAt = new Date(Date.now() - 120_000);
      for (const token of tokens) await two.authenticate(token);
      expect(store.touches).toBe(0);
      await two.onModuleDestroy();
      services.splice(services.indexOf(two), 1);
      expect(store.touches).toBe(5);
      expect(store.touchBatches).toBe(1);
      for (const row of store.rows.values()) {
        expect(Date.now() - row.lastSeenAt.getTime()).toBeLessThan(5_000);
      }
    });
  });
});
