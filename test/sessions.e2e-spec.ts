import { jest } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { MembersService, Public, SessionGuard } from 'nestjs-otp';
import { bearer, signInByPhone } from './support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';

const signIn = signInByPhone;

describe('Sessions and guards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  it('lets a valid token through SessionGuard and the otp-session strategy alike', async () => {
    const { sessionToken, member } = await signIn(t);
    const viaGuard = await t.http.get('/members-only').set(bearer(sessionToken)).expect(200);
    const viaPassport = await t.http
      .get('/members-only/passport')
      .set(bearer(sessionToken))
      .expect(200);
    expect(viaGuard.body.member.id).toBe(member.id);
    expect(viaPassport.body).toEqual(viaGuard.body);
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'not-a-token'],
    ['forged', randomBytes(32).toString('base64url')],
    ['in the wrong scheme', 'Basic abc'],
  ])('refuses a %s token with 401 UNAUTHENTICATED on both paths', async (_label, token) => {
    await signIn(t);
    const headers: Record<string, string> =
      token === undefined
        ? {}
        : token.startsWith('Basic')
          ? { Authorization: token }
          : bearer(token);
    // The host's own routes, answered by Nest's default filter: the contract's body, no flag.
    const refused = {
      statusCode: 401,
      error: 'Unauthorized',
      code: 'UNAUTHENTICATED',
      message: 'Sign in to continue.',
    };
    const viaGuard = await t.http.get('/members-only').set(headers).expect(401);
    expect(viaGuard.body).toEqual(refused);
    const viaPassport = await t.http.get('/members-only/passport').set(headers).expect(401);
    expect(viaPassport.body).toEqual(refused);
    const me = await t.http.get('/auth/me').set(headers).expect(401);
    expect(me.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'UNAUTHENTICATED',
      message: expect.any(String),
      results: false,
    });
  });

  it('refuses a revoked session at once after logout', async () => {
    const { sessionToken } = await signIn(t);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    await t.http.get('/members-only/passport').set(bearer(sessionToken)).expect(401);
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions');
    expect(Number(n)).toBe(0);
  });

  it('refuses a session after logout even when a lookup was reading it during the logout', async () => {
    const { sessionToken } = await signIn(t);
    // Hold the first session lookup after it has read the row, until the logout is done.
    const query = t.dataSource.query.bind(t.dataSource);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let held = false;
    jest
      .spyOn(t.dataSource, 'query')
      .mockImplementation(async (sql: string, ...rest: unknown[]) => {
        const result = await query(sql, ...(rest as [unknown[]]));
        if (!held && sql.includes('token_hash')) {
          held = true;
          read();
          await released;
        }
        return result;
      });

    const concurrent = t.http
      .get('/auth/me')
      .set(bearer(sessionToken))
      .then((res) => res.status);
    await hasRead;
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    release();
    // It was sent before the logout was answered: either answer is right for it.
    expect([200, 401]).toContain(await concurrent);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    await t.http.get('/members-only').set(bearer(sessionToken)).expect(401);
  });

  it('lists the member’s sessions and revokes one by id', async () => {
    const first = await signIn(t, US_PHONE, US_E164, 'Phone browser');
    const second = await signIn(t, US_PHONE, US_E164, 'Laptop browser');
    const other = await signIn(t, '(201) 555-0199', '+12015550199');
    const list = await t.http.get('/auth/sessions').set(bearer(second.sessionToken)).expect(200);
    expect(list.body).toHaveLength(2);
    expect(list.body.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([
      'Laptop browser',
      'Phone browser',
    ]);
    const current = list.body.find((s: { current: boolean }) => s.current);
    expect(current.userAgent).toBe('Laptop browser');
    expect(JSON.stringify(list.body)).not.toMatch(/token|hash/i);
    const firstId = list.body.find((s: { current: boolean }) => !s.current).id;

    // Another member cannot revoke it.
    await t.http.delete(`/auth/sessions/${firstId}`).set(bearer(other.sessionToken)).expect(404);
    await t.http.get('/auth/me').set(bearer(first.sessionToken)).expect(200);

    await t.http.delete(`/auth/sessions/${firstId}`).set(bearer(second.sessionToken)).expect(204);
    await t.http.get('/auth/me').set(bearer(first.sessionToken)).expect(401);
    await t.http.get('/auth/me').set(bearer(second.sessionToken)).expect(200);
    const bad = await t.http.delete('/auth/sessions/nope').set(bearer(second.sessionToken));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('blocking a member revokes their sessions at once and refuses their next sign-in', async () => {
    const { sessionToken, member } = await signIn(t);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
    await t.app.get(MembersService).block(member.id);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
      .expect(200);
    const res = await t.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: t.emulator.lastCode(US_E164),
        countryCode: 'US',
        phoneNumber: US_PHONE,
      })
      .expect(403);
    expect(res.body.code).toBe('MEMBER_BLOCKED');
    await t.app.get(MembersService).unblock(member.id);
    await signIn(t);
  });
});

describe('Session lifetime', () => {
  it('refuses a session past its absolute lifetime', async () => {
    const t = await createTestApp({ otp: { session: { ttlSeconds: 1 } } });
    try {
      const { sessionToken } = await signIn(t);
      await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions');
      expect(Number(n)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('keeps a used session and ends an idle one', async () => {
    const t = await createTestApp({
      otp: { session: { ttlSeconds: 3600, idleTimeoutSeconds: 1 } },
    });
    try {
      const { sessionToken } = await signIn(t);
      // Use keeps it alive past the idle timeout...
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
      }
      // ...and idleness ends it.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    } finally {
      await t.close();
    }
  });
});

describe('Cookie mode', () => {
  it('sets an HttpOnly SameSite cookie that the guard accepts, and clears it on logout', async () => {
    const t = await createTestApp({ otp: { session: { cookie: { secure: false } } } });
    try {
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      const login = await t.http
        .post('/auth/otp/login')
        .send({
          confirmationCode: t.emulator.lastCode(US_E164),
          countryCode: 'US',
          phoneNumber: US_PHONE,
        })
        .expect(200);
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/^otp_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const cookie = setCookie.split(';')[0];
      await t.http.get('/members-only').set('Cookie', cookie).expect(200);
      // A state-changing request signed in by cookie must carry the CSRF header.
      const forged = await t.http.post('/auth/logout').set('Cookie', cookie).expect(403);
      expect(forged.body.code).toBe('CSRF_CHECK_FAILED');
      await t.http.get('/members-only').set('Cookie', cookie).expect(200);
      const logout = await t.http
        .post('/auth/logout')
        .set('Cookie', cookie)
        .set('X-Requested-With', 'fetch')
        .expect(204);
      expect(String(logout.headers['set-cookie'])).toMatch(/otp_session=;.*Max-Age=0/);
      await t.http.get('/members-only').set('Cookie', cookie).expect(401);
    } finally {
      await t.close();
    }
  });
});

@Controller('open')
class OpenController {
  @Public()
  @Get()
  open() {
    return { open: true };
  }

  @Get('closed')
  closed() {
    return { open: false };
  }
}

@Module({
  controllers: [OpenController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
class GlobalGuardModule {}

describe('SessionGuard as a global guard', () => {
  it('protects every route but @Public() ones and the module’s own sign-in routes', async () => {
    const t = await createTestApp({
      extras: { isGlobal: true },
      imports: [{ module: GlobalGuardModule }],
    });
    try {
      await t.http.get('/open').expect(200, { open: true });
      expect((await t.http.get('/open/closed').expect(401)).body.code).toBe('UNAUTHENTICATED');
      await t.http.get('/auth/countries').expect(200);
      const { sessionToken } = await signIn(t);
      await t.http.get('/open/closed').set(bearer(sessionToken)).expect(200, { open: false });
    } finally {
      await t.close();
    }
  });
});
