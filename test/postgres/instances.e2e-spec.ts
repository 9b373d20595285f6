import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpErrorCode, OtpException } from 'nestjs-otp';
import { OTP_MIGRATIONS } from 'nestjs-otp/migrations';
import { MemberAccountsService } from '../../src/credentials/member-accounts.service.js';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import {
  requirePostgresUrl,
  shareTestDatabase,
  type SharedTestDatabase,
} from '../support/database.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

requirePostgresUrl();

const PASSWORD = 'correct horse battery staple';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The admin guard of these tests: a fixed header. */
@Injectable()
class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-admin'] === 'yes';
  }
}

/** Two instances of one site: one database (tables made by the migrations), one Twilio. */
async function startInstances(options: TestAppOptions) {
  const emulator = await new TwilioVerifyEmulator().start();
  const database = shareTestDatabase();
  const instances: TestApp[] = [];
  try {
    for (let i = 0; i < 2; i += 1) {
      instances.push(
        await createTestApp({ ...options, emulator, extras: { admin: { guard: TestAdminGuard } } }),
      );
    }
  } finally {
    database.stopSharing();
  }
  return { a: instances[0], b: instances[1], emulator, database };
}

async function stopInstances(site: {
  a?: TestApp;
  b?: TestApp;
  emulator: TwilioVerifyEmulator;
  database: SharedTestDatabase;
}) {
  await site.a?.close();
  await site.b?.close();
  await site.database.drop();
  await site.emulator.stop();
}

/** Passwordless sign-in through one instance. */
async function signIn(t: TestApp, phoneNumber: string, e164: string) {
  t.emulator.advanceTime(31_000);
  await t.http
    .post('/auth/otp/send')
    .send({ channel: 'sms', countryCode: 'US', phoneNumber })
    .expect(200);
  const res = await t.http
    .post('/auth/otp/login')
    .send({ confirmationCode: t.emulator.lastCode(e164), countryCode: 'US', phoneNumber })
    .expect(200);
  return res.body as {
    sessionToken: string;
    member: { id: string; email: string; phoneNumber: string };
    isNewMember: boolean;
  };
}

describe('Two instances on one PostgreSQL database (no session cache)', () => {
  let site: Awaited<ReturnType<typeof startInstances>>;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    site = await startInstances({ otp: { session: { cacheTtlMs: 0 } } });
    ({ a, b } = site);
  });
  afterAll(() => stopInstances(site));
  // A fresh window for every send limit (they count on the emulator's clock).
  beforeEach(() => site.emulator.advanceTime(61 * 60_000));

  it('run the module’s migrations once: the second instance finds them applied', async () => {
    const executed = await a.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(executed).toEqual(OTP_MIGRATIONS.map((migration) => ({ name: migration.name })));
    expect(await b.dataSource.showMigrations()).toBe(false);
  });

  it('a session created through A is accepted by B', async () => {
    const { sessionToken, member } = await signIn(a, '(201) 555-0131', '+12015550131');

    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(200, member);
    const guarded = await b.http.get('/members-only').set(bearer(sessionToken)).expect(200);
    expect(guarded.body.member.id).toBe(member.id);
    const passport = await b.http
      .get('/members-only/passport')
      .set(bearer(sessionToken))
      .expect(200);
    expect(passport.body.member.id).toBe(member.id);
    const listed = await b.http.get('/auth/sessions').set(bearer(sessionToken)).expect(200);
    expect(listed.body).toHaveLength(1);
  });

  it('a member created on A signs in on B (passwordless)', async () => {
    const first = await signIn(a, '(201) 555-0132', '+12015550132');
    expect(first.isNewMember).toBe(true);

    const second = await signIn(b, '(201) 555-0132', '+12015550132');

    expect(second.isNewMember).toBe(false);
    expect(second.member).toEqual(first.member);
  });

  it('a member registered on A signs in on B (two-factor)', async () => {
    const who = { email: 'Carol@Example.com', phoneNumber: '(201) 555-0133', countryCode: 'US' };
    await a.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    const registered = await a.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: a.emulator.lastCode('+12015550133') })
      .expect(201);

    b.emulator.advanceTime(31_000);
    await b.http
      .post('/auth/2fa/login/send')
      .send({ email: 'carol@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await b.http
      .post('/auth/2fa/login')
      .send({
        email: 'carol@example.com',
        password: PASSWORD,
        confirmationCode: b.emulator.lastCode('+12015550133'),
      })
      .expect(200);

    expect(signedIn.body.member).toEqual(registered.body.member);
    await a.http.get('/auth/me').set(bearer(signedIn.body.sessionToken)).expect(200);
  });

  it('logout on A is refused by B at once', async () => {
    const { sessionToken } = await signIn(a, '(201) 555-0134', '+12015550134');
    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(200);

    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);

    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    await b.http.get('/members-only/passport').set(bearer(sessionToken)).expect(401);
  });

  it('a session revoked by id on B is refused by A at once', async () => {
    const kept = await signIn(a, '(201) 555-0135', '+12015550135');
    const other = await signIn(a, '(201) 555-0135', '+12015550135');
    const sessions = await b.http.get('/auth/sessions').set(bearer(kept.sessionToken)).expect(200);
    const target = sessions.body.find((s: { current: boolean }) => !s.current);

    await b.http.delete(`/auth/sessions/${target.id}`).set(bearer(kept.sessionToken)).expect(204);

    await a.http.get('/auth/me').set(bearer(other.sessionToken)).expect(401);
    await a.http.get('/auth/me').set(bearer(kept.sessionToken)).expect(200);
  });

  it('blocking on A is refused by B at once, for sessions and for sign-in', async () => {
    const { sessionToken, member } = await signIn(a, '(201) 555-0136', '+12015550136');
    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(200);

    await a.http.post(`/auth/admin/members/${member.id}/block`).set('x-admin', 'yes').expect(200);

    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    b.emulator.advanceTime(31_000);
    await b.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0136' })
      .expect(200);
    const refused = await b.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: b.emulator.lastCode('+12015550136'),
        countryCode: 'US',
        phoneNumber: '(201) 555-0136',
      })
      .expect(403);
    expect(refused.body.code).toBe(OtpErrorCode.MEMBER_BLOCKED);
  });

  it('the database refuses on B an email or phone registered on A: 409 ALREADY_REGISTERED', async () => {
    const { member } = await signIn(a, '(201) 555-0137', '+12015550137');
    const members = b.app.get(MemberAccountsService);
    const fields = { passwordHash: 'x', status: 'approved' as const };

    // Straight to the insert, past the checks in code: the unique constraints refuse these.
    for (const taken of [
      { email: member.email, phoneNumber: '+12015550138' },
      { email: 'dave@example.com', phoneNumber: member.phoneNumber },
    ]) {
      const error = await members
        .createWithSession({ ...taken, ...fields }, 'two-factor', [
          { method: 'pwd' },
          { method: 'sms' },
        ])
        .catch((e) => e);
      expect(error).toBeInstanceOf(OtpException);
      expect(error).toMatchObject({ code: OtpErrorCode.ALREADY_REGISTERED });
      expect((error as OtpException).getStatus()).toBe(409);
    }
  });

  it('concurrent sign-ups for one email on A and B: one member, the other gets 409', async () => {
    const send = (t: TestApp, phoneNumber: string) =>
      t.http
        .post('/auth/2fa/register/send')
        .send({ email: 'erin@example.com', phoneNumber, countryCode: 'US', channel: 'sms' })
        .expect(200);
    await send(a, '(201) 555-0141');
    await send(b, '(201) 555-0142');

    const [onA, onB] = await Promise.all([
      a.http.post('/auth/2fa/register').send({
        email: 'erin@example.com',
        phoneNumber: '(201) 555-0141',
        countryCode: 'US',
        password: PASSWORD,
        confirmationCode: a.emulator.lastCode('+12015550141'),
      }),
      b.http.post('/auth/2fa/register').send({
        email: 'erin@example.com',
        phoneNumber: '(201) 555-0142',
        countryCode: 'US',
        password: PASSWORD,
        confirmationCode: b.emulator.lastCode('+12015550142'),
      }),
    ]);

    expect([onA.status, onB.status].sort()).toEqual([201, 409]);
    const conflict = onA.status === 409 ? onA : onB;
    expect(conflict.body).toMatchObject({ code: OtpErrorCode.ALREADY_REGISTERED, statusCode: 409 });
    const rows = await a.dataSource.query(
      `SELECT COUNT(*) AS n FROM otp_members WHERE email = 'erin@example.com'`,
    );
    expect(Number(rows[0].n)).toBe(1);
  });
});

describe('Two instances on one PostgreSQL database (default session cache)', () => {
  const CACHE_TTL_MS = 2_000;
  let site: Awaited<ReturnType<typeof startInstances>>;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    site = await startInstances({});
    ({ a, b } = site);
  });
  afterAll(() => stopInstances(site));
  beforeEach(() => site.emulator.advanceTime(61 * 60_000));

  it(`logout on A: A refuses at once, B within session.cacheTtlMs (${CACHE_TTL_MS} ms)`, async () => {
    const { sessionToken } = await signIn(a, '(201) 555-0151', '+12015550151');
    // B answers from its cache from now on.
    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
    const cachedBy = Date.now();

    await a.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);

    await a.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    let status = 200;
    while (status === 200 && Date.now() - cachedBy < CACHE_TTL_MS + 1_000) {
      status = (await b.http.get('/auth/me').set(bearer(sessionToken))).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const refusedAfter = Date.now() - cachedBy;
    expect(status).toBe(401);
    // The cache entry lives cacheTtlMs from when B loaded it; allow for one request in flight.
    expect(refusedAfter).toBeLessThanOrEqual(CACHE_TTL_MS + 250);
  });

  it('blocking on A: B refuses the member’s sessions within session.cacheTtlMs', async () => {
    const { sessionToken, member } = await signIn(a, '(201) 555-0152', '+12015550152');
    await b.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
    const cachedBy = Date.now();

    await a.http.post(`/auth/admin/members/${member.id}/block`).set('x-admin', 'yes').expect(200);

    await a.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
    let status = 200;
    while (status === 200 && Date.now() - cachedBy < CACHE_TTL_MS + 1_000) {
      status = (await b.http.get('/auth/me').set(bearer(sessionToken))).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(status).toBe(401);
    expect(Date.now() - cachedBy).toBeLessThanOrEqual(CACHE_TTL_MS + 250);
  });
});
