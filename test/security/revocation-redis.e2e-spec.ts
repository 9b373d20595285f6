import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer, signInByPhone } from '../support/flows.js';
import { TestRedis } from '../support/redis.js';
import { guardedStatus, holdNextLookup, logged, until } from '../support/revocation.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** The admin guard of these tests: a fixed header. */
@Injectable()
class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-admin'] === 'yes';
  }
}

/** Sessions stay cached for 10 minutes while the channel is live, 1 s while it is down. */
const SHORT_TTL_MS = 1_000;
/** How soon the other instance must refuse a revoked session (generous: a loaded machine). */
const BOUND_MS = 1_000;
const LIVE = 'Session revocations go over Redis pub/sub';

describe('Revocations pushed over Redis pub/sub to a second instance (one SQLite file)', () => {
  const redis = new TestRedis();
  const clients: Redis[] = [];
  let proxy: TcpProxy;
  let emulator: TwilioVerifyEmulator;
  let dir: string;
  let a: TestApp;
  let b: TestApp;
  let phone = 400;

  /** A member signed in on A, whose session B has in its cache. */
  async function cachedOnB() {
    phone += 1;
    const signedIn = await signInByPhone(a, `(201) 555-0${phone}`, `+12015550${phone}`);
    expect(await guardedStatus(b, signedIn.sessionToken)).toBe(200);
    return signedIn;
  }

  beforeAll(async () => {
    await redis.start();
    // B reaches Redis through a proxy that the tests cut, as a network failure would.
    const server = new URL(redis.url);
    proxy = await new TcpProxy(server.hostname, Number(server.port)).start();
    emulator = await new TwilioVerifyEmulator().start();
    dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-revocation-'));
    const instance = (redisUrl: string, synchronize: boolean) => {
      const client = new Redis(redisUrl);
      clients.push(client);
      return createTestApp({
        emulator,
        extras: { admin: { guard: TestAdminGuard } },
        database: TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: join(dir, 'shared.sqlite'),
          enableWAL: true,
          autoLoadEntities: true,
          synchronize,
        }),
        otp: {
          session: {
            cacheTtlMs: SHORT_TTL_MS,
            revocation: { channel: { redis: client }, cacheTtlMs: 600_000 },
          },
        },
      });
    };
    a = await instance(redis.url, true);
    b = await instance(`redis://127.0.0.1:${proxy.port}`, false);
    // Nest's loggers all write to the app created last: B's lines hold both instances'.
    await until('the channels live', () => logged(b, LIVE).length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, 300_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const client of clients) client.disconnect();
    await proxy?.stop();
    await emulator?.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('B keeps a session cached long: a row deleted behind the module is accepted past the short TTL', async () => {
    const { sessionToken } = await cachedOnB();
    await a.dataSource.query('DELETE FROM otp_member_sessions');
    await new Promise((resolve) => setTimeout(resolve, 2 * SHORT_TTL_MS + 500));
    expect(await guardedStatus(b, sessionToken)).toBe(200);
  });

  it('a logout on A is refused by B within the bound, and from then on', async () => {
    const { sessionToken } = await cachedOnB();
    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    await until('B refuses', async () => (await guardedStatus(b, sessionToken)) === 401, BOUND_MS);
    for (let i = 0; i < 5; i += 1) expect(await guardedStatus(b, sessionToken)).toBe(401);
  });

  it('a re-verification on A ends the token before it on B within the bound; the new one works on B', async () => {
    const { sessionToken } = await cachedOnB();
    emulator.advanceTime(61_000);
    await a.http
      .post('/auth/session/verify/send')
      .set(bearer(sessionToken))
      .send({ channel: 'sms' })
      .expect(200);
    const verified = await a.http
      .post('/auth/session/verify')
      .set(bearer(sessionToken))
      .send({ confirmationCode: emulator.lastCode(`+12015550${phone}`) })
      .expect(200);
    await until('B refuses', async () => (await guardedStatus(b, sessionToken)) === 401, BOUND_MS);
    expect(await guardedStatus(b, verified.body.sessionToken)).toBe(200);
  });

  it('a member blocked on A (every session revoked) is refused by B within the bound', async () => {
    const { sessionToken, member } = await cachedOnB();
    await a.http.post(`/auth/admin/members/${member.id}/block`).set('x-admin', 'yes').expect(200);
    await until('B refuses', async () => (await guardedStatus(b, sessionToken)) === 401, BOUND_MS);
  });

  it('a lookup B was making when A revoked the session does not put it back in B’s cache', async () => {
    phone += 1;
    const { sessionToken } = await signInByPhone(a, `(201) 555-0${phone}`, `+12015550${phone}`);
    const held = holdNextLookup(b);
    const racing = guardedStatus(b, sessionToken);
    await held.read;
    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    // Let the message reach B while its lookup still holds the old row.
    await new Promise((resolve) => setTimeout(resolve, BOUND_MS));
    held.release();
    expect([200, 401]).toContain(await racing);
    for (let i = 0; i < 5; i += 1) expect(await guardedStatus(b, sessionToken)).toBe(401);
  });

  it('with Redis out of reach, B falls back to the short TTL and says so once; back, it is live again', async () => {
    await proxy.cut();
    await until('B logs the channel down', () => logged(b, 'is down').length === 1, 10_000);
    expect(logged(b, 'is down')[0]).toContain(`cached for ${SHORT_TTL_MS} ms until it is back`);

    const { sessionToken } = await cachedOnB();
    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    await until(
      'B refuses on the short TTL',
      async () => (await guardedStatus(b, sessionToken)) === 401,
      SHORT_TTL_MS + 2_000,
    );

    await proxy.restore();
    await until('B logs the channel back', () => logged(b, 'go again over').length === 1, 15_000);
    expect(logged(b, 'is down')).toHaveLength(1);

    const again = await cachedOnB();
    await a.http.post('/auth/logout').set(bearer(again.sessionToken)).expect(204);
    await until(
      'B refuses',
      async () => (await guardedStatus(b, again.sessionToken)) === 401,
      BOUND_MS,
    );
  }, 60_000);
});
