import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { requirePostgresUrl, shareTestDatabase } from '../support/database.js';
import { bearer, signInByPhone } from '../support/flows.js';
import { guardedStatus, holdNextLookup, logged, until } from '../support/revocation.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const url = requirePostgresUrl();

/** The admin guard of these tests: a fixed header. */
@Injectable()
class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-admin'] === 'yes';
  }
}

/** Sessions stay cached for 10 minutes while the channel is live, 1 s while it is down. */
const SHORT_TTL_MS = 1_000;
const session = (postgresConnection?: Record<string, unknown>) => ({
  cacheTtlMs: SHORT_TTL_MS,
  revocation: {
    cacheTtlMs: 600_000,
    // A channel of this file's own: other suites on the server do not speak on it.
    name: `otp_revocation_${process.pid}`,
    postgresConnection,
  },
});
/** How soon the other instance must refuse a revoked session (generous: a loaded machine). */
const BOUND_MS = 1_000;
const LIVE = 'Session revocations go over PostgreSQL LISTEN/NOTIFY';

describe('Revocations pushed over PostgreSQL LISTEN/NOTIFY to a second instance', () => {
  let emulator: TwilioVerifyEmulator;
  let database: ReturnType<typeof shareTestDatabase>;
  let proxy: TcpProxy;
  let a: TestApp;
  let b: TestApp;
  let phone = 300;

  /** A member signed in on A, whose session B has in its cache. */
  async function cachedOnB() {
    phone += 1;
    const signedIn = await signInByPhone(a, `(201) 555-0${phone}`, `+12015550${phone}`);
    expect(await guardedStatus(b, signedIn.sessionToken)).toBe(200);
    return signedIn;
  }

  beforeAll(async () => {
    emulator = await new TwilioVerifyEmulator().start();
    const server = new URL(url);
    // B listens through a proxy that the tests cut, as a network failure would.
    proxy = await new TcpProxy(server.hostname, Number(server.port)).start();
    const throughProxy = new URL(url);
    throughProxy.port = String(proxy.port);
    database = shareTestDatabase();
    try {
      const extras = { admin: { guard: TestAdminGuard } };
      a = await createTestApp({ emulator, extras, otp: { session: session() } });
      b = await createTestApp({
        emulator,
        extras,
        otp: { session: session({ connectionString: throughProxy.href }) },
      });
    } finally {
      database.stopSharing();
    }
    // Nest's loggers all write to the app created last: B's lines hold both instances'.
    await until('the channels live', () => logged(b, LIVE).length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await proxy?.stop();
    await database?.drop();
    await emulator?.stop();
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
    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
  });

  it('a session revoked on B (DELETE /auth/sessions/:id) is refused by A within the bound', async () => {
    const { sessionToken } = await cachedOnB();
    const other = await signInByPhone(a, `(201) 555-0${phone}`, `+12015550${phone}`);
    expect(await guardedStatus(a, sessionToken)).toBe(200);
    const listed = await b.http.get('/auth/sessions').set(bearer(other.sessionToken)).expect(200);
    const victim = (listed.body as { id: string; current: boolean }[]).find((s) => !s.current)!;
    await b.http.delete(`/auth/sessions/${victim.id}`).set(bearer(other.sessionToken)).expect(204);
    await until('A refuses', async () => (await guardedStatus(a, sessionToken)) === 401, BOUND_MS);
    expect(await guardedStatus(a, other.sessionToken)).toBe(200);
  });

  it('a member blocked on A is refused by B within the bound', async () => {
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
    // Concurrent with the revocation, that request may pass; no later one does.
    expect([200, 401]).toContain(await racing);
    for (let i = 0; i < 5; i += 1) expect(await guardedStatus(b, sessionToken)).toBe(401);
  });

  it('with the channel cut, B falls back to the short TTL and says so once; restored, it is live again', async () => {
    await proxy.cut();
    await until('B logs the channel down', () => logged(b, 'is down').length === 1, 10_000);
    expect(logged(b, 'is down')[0]).toContain(`cached for ${SHORT_TTL_MS} ms until it is back`);

    // A revokes; its message cannot reach B, whose cache now lives 1 s.
    const { sessionToken } = await cachedOnB();
    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    const ms = await until(
      'B refuses on the short TTL',
      async () => (await guardedStatus(b, sessionToken)) === 401,
      SHORT_TTL_MS + 2_000,
    );
    expect(ms).toBeLessThan(SHORT_TTL_MS + 2_000);

    await proxy.restore();
    await until('B logs the channel back', () => logged(b, 'go again over').length === 1, 15_000);
    // Once each way, from B only (A's channel never dropped).
    expect(logged(b, 'is down')).toHaveLength(1);

    // Long cache and pushed revocations again.
    const again = await cachedOnB();
    await a.http.post('/auth/logout').set(bearer(again.sessionToken)).expect(204);
    await until(
      'B refuses',
      async () => (await guardedStatus(b, again.sessionToken)) === 401,
      BOUND_MS,
    );
  }, 60_000);

  it('never logs a token or its hash', () => {
    for (const line of [...a.logs.lines, ...b.logs.lines]) expect(line).not.toMatch(/[0-9a-f]{64}/);
  });
});
