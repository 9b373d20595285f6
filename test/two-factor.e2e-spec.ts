import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { OtpEvent, type OtpEventPayload } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { createTestApp, type TestApp } from './support/test-app.js';
import { SMS_SENT } from './support/flows.js';

const PASSWORD = 'correct horse battery staple';
const ALICE = { email: 'Alice@Example.com', phoneNumber: '(201) 555-0123', countryCode: 'US' };
const ALICE_E164 = '+12015550123';
const BOB = { email: 'bob@example.com', phoneNumber: '(201) 555-0199', countryCode: 'US' };
const BOB_E164 = '+12015550199';

/** The admin guard of these tests: a fixed header. */
@Injectable()
class TestAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers['x-admin'] === 'yes';
  }
}

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

async function register(
  t: TestApp,
  who: typeof ALICE,
  e164: string,
  password = PASSWORD,
  expected = 201,
) {
  await t.http
    .post('/auth/2fa/register/send')
    .send({ ...who, channel: 'sms' })
    .expect(200, { registerUser: true, ...SMS_SENT });
  return t.http
    .post('/auth/2fa/register')
    .send({ ...who, password, confirmationCode: t.emulator.lastCode(e164) })
    .expect(expected);
}

async function login(t: TestApp, email: string, e164: string, password = PASSWORD) {
  t.emulator.advanceTime(11 * 60_000);
  await t.http
    .post('/auth/2fa/login/send')
    .send({ email, password, channel: 'sms' })
    .expect(200, { results: true, ...SMS_SENT, methods: ['sms', 'call'] });
  return t.http
    .post('/auth/2fa/login')
    .send({ email, password, confirmationCode: t.emulator.lastCode(e164) });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('Two-factor sign-up and sign-in (automatic approval)', () => {
  let t: TestApp;
  let events: OtpEventPayload[];
  beforeAll(async () => {
    t = await createTestApp({ extras: { admin: { guard: TestAdminGuard } } });
  });
  beforeEach(async () => {
    await t.reset();
    events = [];
    for (const name of Object.values(OtpEvent)) t.on(name, (payload) => events.push(payload));
  });
  afterAll(() => t?.close());

  it('runs the seed flow: send code, register, send login code, login', async () => {
    const registered = await register(t, ALICE, ALICE_E164);
    expect(registered.body).toEqual({
      sessionToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      member: {
        id: expect.any(String),
        email: 'alice@example.com',
        phoneNumber: ALICE_E164,
        status: 'approved',
        createdAt: expect.any(String),
      },
    });
    await t.http.get('/auth/me').set(bearer(registered.body.sessionToken)).expect(200);
    await t.http.post('/auth/logout').set(bearer(registered.body.sessionToken)).expect(204);

    const signedIn = await login(t, 'alice@example.com', ALICE_E164);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({
      sessionToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      member: registered.body.member,
    });
    // The login code went to the phone stored at sign-up.
    const loginSend = t.emulator.requests().filter((r) => r.path.endsWith('/Verifications'));
    expect(loginSend.at(-1)?.params.To).toBe(ALICE_E164);
    const me = await t.http.get('/auth/me').set(bearer(signedIn.body.sessionToken)).expect(200);
    expect(me.body.id).toBe(registered.body.member.id);

    expect(events.map((e) => e.event)).toEqual([
      'otp.member.created',
      'otp.member.signed-in',
      'otp.member.signed-in',
    ]);
    expect(events[0]).toMatchObject({ memberId: me.body.id, maskedPhone: '+1******0123' });
    const serialized = JSON.stringify(events);
    expect(serialized).not.toContain(PASSWORD);
    expect(serialized).not.toContain('2015550123');
  });

  it('stores an argon2id hash and the password nowhere', async () => {
    await register(t, ALICE, ALICE_E164);
    const [row] = await t.dataSource.query('SELECT password_hash FROM otp_members');
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const dump = JSON.stringify([
      await t.dataSource.query('SELECT * FROM otp_members'),
      await t.dataSource.query('SELECT * FROM otp_member_sessions'),
    ]);
    expect(dump).not.toContain(PASSWORD);
    expect(t.logs.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('refuses a duplicate email, compared case-insensitively, with 409 registerUser: false', async () => {
    await register(t, ALICE, ALICE_E164);
    const res = await t.http
      .post('/auth/2fa/register/send')
      .send({ ...BOB, email: 'ALICE@example.COM', channel: 'sms' })
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'ALREADY_REGISTERED',
      message: expect.any(String),
      registerUser: false,
    });
    expect(t.emulator.deliveries(BOB_E164)).toEqual([]);
  });

  it('refuses a duplicate phone written differently', async () => {
    await register(t, ALICE, ALICE_E164);
    for (const phoneNumber of ['+1 201-555-0123', '2015550123']) {
      // A refusal counts like a send, cooldown included.
      t.emulator.advanceTime(31_000);
      const res = await t.http
        .post('/auth/2fa/register/send')
        .send({ email: 'other@example.com', phoneNumber, countryCode: 'US', channel: 'sms' })
        .expect(409);
      expect(res.body.code).toBe('ALREADY_REGISTERED');
    }
    expect(await count(t, 'otp_members')).toBe(1);
  });

  it('yields one member and a 409 when two registrations for one email race', async () => {
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...ALICE, channel: 'sms' })
      .expect(200);
    const bobAsAlice = { ...BOB, email: ALICE.email };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...bobAsAlice, channel: 'sms' })
      .expect(200);
    const [a, b] = await Promise.all([
      t.http
        .post('/auth/2fa/register')
        .send({ ...ALICE, password: PASSWORD, confirmationCode: t.emulator.lastCode(ALICE_E164) }),
      t.http.post('/auth/2fa/register').send({
        ...bobAsAlice,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(BOB_E164),
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a.body.code, b.body.code]).toContain('ALREADY_REGISTERED');
    expect(await count(t, 'otp_members')).toBe(1);
    expect(await count(t, 'otp_member_sessions')).toBe(1);
  });

  it('gives the same 401 body for a wrong password and an unknown email, and sends nothing', async () => {
    await register(t, ALICE, ALICE_E164);
    const before = t.emulator.deliveries().length;
    const wrong = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: 'not the password', channel: 'sms' })
      .expect(401);
    const unknown = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'nobody@example.com', password: 'not the password', channel: 'sms' })
      .expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS', results: false });
    expect(t.emulator.deliveries()).toHaveLength(before);
    const failed = events.filter((e) => e.event === 'otp.member.sign-in-failed');
    expect(failed).toHaveLength(2);
  });

  it('takes comparable time for a wrong password and an unknown email (both hash)', async () => {
    await register(t, ALICE, ALICE_E164);
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      await t.http
        .post('/auth/2fa/login/send')
        .send({ email, password: 'not the password', channel: 'sms' })
        .expect(401);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('alice@example.com'));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    // Both run one argon2id verification (tens of milliseconds); without the dummy hash the
    // unknown email would answer in about a millisecond.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it.each([
    ['7 characters', 'abcdefg', 400],
    ['129 characters', 'x'.repeat(129), 400],
    ['a common password', 'password1', 400],
    ['a common password in capitals', 'PASSWORD1', 400],
  ])(
    'refuses a password of %s with 400 before using the code',
    async (_label, password, status) => {
      await t.http
        .post('/auth/2fa/register/send')
        .send({ ...ALICE, channel: 'sms' })
        .expect(200);
      const code = t.emulator.lastCode(ALICE_E164);
      const res = await t.http
        .post('/auth/2fa/register')
        .send({ ...ALICE, password, confirmationCode: code })
        .expect(status);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
      expect(res.body.message).toMatch(/password/);
      expect(await count(t, 'otp_members')).toBe(0);
      // The code was not consumed: the visitor can fix the password and go on.
      await t.http
        .post('/auth/2fa/register')
        .send({ ...ALICE, password: PASSWORD, confirmationCode: code })
        .expect(201);
    },
  );

  it.each([
    ['7 characters', 'abcdefg', /at least 8 characters/],
    ['a common password', 'password1', /too common/],
  ])(
    'refuses a password of %s given with the registration send, sending nothing',
    async (_label, password, message) => {
      const res = await t.http
        .post('/auth/2fa/register/send')
        .send({ ...ALICE, channel: 'sms', password })
        .expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
      expect(res.body.message).toMatch(message);
      expect(t.emulator.deliveries()).toEqual([]);
      // A good password goes through, and the same one registers with the code.
      await t.http
        .post('/auth/2fa/register/send')
        .send({ ...ALICE, channel: 'sms', password: PASSWORD })
        .expect(200, { registerUser: true, ...SMS_SENT });
      await t.http
        .post('/auth/2fa/register')
        .send({ ...ALICE, password: PASSWORD, confirmationCode: t.emulator.lastCode(ALICE_E164) })
        .expect(201);
    },
  );

  it('refuses a common new password given with the reset send, the same for any email', async () => {
    await register(t, ALICE, ALICE_E164);
    // Past the registration code's life and the send cooldown.
    t.emulator.advanceTime(11 * 60_000);
    const sent = t.emulator.deliveries().length;
    for (const email of ['alice@example.com', 'nobody@example.com']) {
      const res = await t.http
        .post('/auth/2fa/password/send')
        .send({ email, channel: 'sms', newPassword: 'password1' })
        .expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
      expect(res.body.message).toMatch(/newPassword is too common/);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.emulator.deliveries()).toHaveLength(sent);
    await t.http
      .post('/auth/2fa/password/send')
      .send({ email: 'alice@example.com', channel: 'sms', newPassword: 'a new and better one' })
      .expect(200);
    await waitFor(() => t.emulator.deliveries().length === sent + 1);
  });

  it('accepts emoji and any Unicode, counting characters rather than bytes', async () => {
    const emoji = '🔐🦄🌈🍕🎉🚀🐙🧩';
    const res = await register(t, ALICE, ALICE_E164, emoji);
    expect(res.body.member.email).toBe('alice@example.com');
    await t.http.post('/auth/logout').set(bearer(res.body.sessionToken)).expect(204);
    expect((await login(t, 'alice@example.com', ALICE_E164, emoji)).status).toBe(200);
  });

  it('accepts 128 characters and refuses a 90 kB password quickly', async () => {
    await register(t, ALICE, ALICE_E164, 'p'.repeat(127) + 'q');
    const start = Date.now();
    const res = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: 'x'.repeat(90_000), channel: 'sms' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  it('never lets the code of member A complete member B’s login', async () => {
    await register(t, ALICE, ALICE_E164);
    await register(t, BOB, BOB_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const aliceCode = t.emulator.lastCode(ALICE_E164);
    const res = await t.http
      .post('/auth/2fa/login')
      .send({ email: 'bob@example.com', password: PASSWORD, confirmationCode: aliceCode })
      .expect(401);
    expect(res.body.code).toBe('CODE_EXPIRED');
    expect(await count(t, 'otp_member_sessions')).toBe(2);
  });

  it.each([
    ['status: approved', { status: 'approved' }],
    ['passwordHash', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y' }],
    ['id', { id: '00000000-0000-4000-8000-000000000000' }],
  ])('refuses a registration body carrying %s and changes nothing', async (_label, extra) => {
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...ALICE, channel: 'sms' })
      .expect(200);
    const res = await t.http
      .post('/auth/2fa/register')
      .send({
        ...ALICE,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(ALICE_E164),
        ...extra,
      })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
    expect(await count(t, 'otp_members')).toBe(0);
  });

  it('resets a password by code and revokes every session', async () => {
    const registered = await register(t, ALICE, ALICE_E164);
    const second = await login(t, 'alice@example.com', ALICE_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/password/send')
      .send({ email: 'alice@example.com', channel: 'sms' })
      .expect(200, { results: true, ...SMS_SENT });
    await waitFor(() => t.emulator.deliveries(ALICE_E164).length === 3);
    const newPassword = 'a brand new passphrase';
    await t.http
      .post('/auth/2fa/password/reset')
      .send({
        email: 'alice@example.com',
        confirmationCode: t.emulator.lastCode(ALICE_E164),
        newPassword,
      })
      .expect(200, { results: true });
    await t.http.get('/auth/me').set(bearer(registered.body.sessionToken)).expect(401);
    await t.http.get('/auth/me').set(bearer(second.body.sessionToken)).expect(401);
    expect(await count(t, 'otp_member_sessions')).toBe(0);
    const old = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
      .expect(401);
    expect(old.body.code).toBe('INVALID_CREDENTIALS');
    expect((await login(t, 'alice@example.com', ALICE_E164, newPassword)).status).toBe(200);
    expect(events.map((e) => e.event)).toContain('otp.member.password-changed');
  });

  it('answers a reset request for an unknown email exactly as for a known one', async () => {
    await register(t, ALICE, ALICE_E164);
    const known = await t.http
      .post('/auth/2fa/password/send')
      .send({ email: 'alice@example.com', channel: 'sms' })
      .expect(200);
    const unknown = await t.http
      .post('/auth/2fa/password/send')
      .send({ email: 'nobody@example.com', channel: 'sms' })
      .expect(200);
    expect(unknown.body).toEqual(known.body);
    const reset = await t.http
      .post('/auth/2fa/password/reset')
      .send({
        email: 'nobody@example.com',
        confirmationCode: '123456',
        newPassword: 'whatever it is now',
      })
      .expect(401);
    expect(reset.body.code).toBe('INVALID_CODE');
  });

  it('changes the password with the current one and a code, keeping only this session', async () => {
    const first = await register(t, ALICE, ALICE_E164);
    const second = await login(t, 'alice@example.com', ALICE_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/password/change/send')
      .set(bearer(second.body.sessionToken))
      .send({ channel: 'sms' })
      .expect(200);
    const code = t.emulator.lastCode(ALICE_E164);
    const wrongCurrent = await t.http
      .post('/auth/2fa/password/change')
      .set(bearer(second.body.sessionToken))
      .send({
        currentPassword: 'not it at all',
        newPassword: 'another good passphrase',
        confirmationCode: code,
      })
      .expect(401);
    expect(wrongCurrent.body.code).toBe('INVALID_CREDENTIALS');
    await t.http
      .post('/auth/2fa/password/change')
      .set(bearer(second.body.sessionToken))
      .send({
        currentPassword: PASSWORD,
        newPassword: 'another good passphrase',
        confirmationCode: code,
      })
      .expect(200);
    await t.http.get('/auth/me').set(bearer(first.body.sessionToken)).expect(401);
    await t.http.get('/auth/me').set(bearer(second.body.sessionToken)).expect(200);
  });

  it('admin routes block a member, revoking live sessions at once', async () => {
    const registered = await register(t, ALICE, ALICE_E164);
    const id = registered.body.member.id;
    await t.http.post(`/auth/admin/members/${id}/block`).expect(403);
    const blocked = await t.http
      .post(`/auth/admin/members/${id}/block`)
      .set('x-admin', 'yes')
      .expect(200);
    expect(blocked.body.status).toBe('blocked');
    await t.http.get('/auth/me').set(bearer(registered.body.sessionToken)).expect(401);
    const res = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
      .expect(403);
    expect(res.body.code).toBe('MEMBER_BLOCKED');
    await t.http.post(`/auth/admin/members/${id}/unblock`).set('x-admin', 'yes').expect(200);
    expect((await login(t, 'alice@example.com', ALICE_E164)).status).toBe(200);
  });

  it('a member created by phone and one created by sign-up share the entity and sessions', async () => {
    await register(t, ALICE, ALICE_E164);
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: BOB.phoneNumber })
      .expect(200);
    const phone = await t.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: t.emulator.lastCode(BOB_E164),
        countryCode: 'US',
        phoneNumber: BOB.phoneNumber,
      })
      .expect(200);
    await t.http.get('/members-only').set(bearer(phone.body.sessionToken)).expect(200);
    const rows = await t.dataSource.query('SELECT email, status FROM otp_members ORDER BY email');
    expect(rows).toEqual([
      { email: '12015550199@phone.example.org', status: 'approved' },
      { email: 'alice@example.com', status: 'approved' },
    ]);
    // The passwordless member has no password: two-factor sign-in refuses them.
    const res = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: '12015550199@phone.example.org', password: PASSWORD, channel: 'sms' })
      .expect(401);
    expect(res.body.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('Manual approval', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: { approval: 'manual' },
      extras: { admin: { guard: TestAdminGuard } },
    });
  });
  afterAll(() => t.close());

  it('pending -> sign-in refused -> admin approves -> sign-in works', async () => {
    const registered = await register(t, ALICE, ALICE_E164, PASSWORD, 202);
    expect(registered.body).toEqual({
      sessionToken: null,
      member: expect.objectContaining({ status: 'pending', email: 'alice@example.com' }),
    });
    expect(await count(t, 'otp_member_sessions')).toBe(0);

    t.emulator.advanceTime(11 * 60_000);
    const deliveries = t.emulator.deliveries().length;
    const refused = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: PASSWORD, channel: 'sms' })
      .expect(403);
    expect(refused.body).toMatchObject({ code: 'APPROVAL_PENDING', results: false });
    expect(t.emulator.deliveries()).toHaveLength(deliveries);
    // A wrong password says nothing about the pending state.
    const wrong = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'alice@example.com', password: 'wrong password!', channel: 'sms' })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const pending = await t.http
      .get('/auth/admin/members?status=pending')
      .set('x-admin', 'yes')
      .expect(200);
    expect(pending.body.items.map((m: { email: string }) => m.email)).toEqual([
      'alice@example.com',
    ]);
    expect(pending.body.nextCursor).toBeNull();
    expect(JSON.stringify(pending.body)).not.toMatch(/argon2|hash/i);
    await t.http
      .post(`/auth/admin/members/${registered.body.member.id}/approve`)
      .set('x-admin', 'yes')
      .expect(200);
    const signedIn = await login(t, 'alice@example.com', ALICE_E164);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.member.status).toBe('approved');
  });
});

describe('Without admin.guard', () => {
  it('mounts no admin routes', async () => {
    const t = await createTestApp();
    try {
      await t.http.get('/auth/admin/members').expect(404);
      await t.http
        .post(`/auth/admin/members/00000000-0000-4000-8000-000000000000/approve`)
        .expect(404);
    } finally {
      await t.close();
    }
  });
});

describe('Shutting down', () => {
  it('waits for a password-reset code still being sent in the background', async () => {
    const emulator = await new TwilioVerifyEmulator().start();
    try {
      const t = await createTestApp({ emulator });
      await register(t, ALICE, ALICE_E164);
      emulator.advanceTime(11 * 60_000);
      emulator.injectFault({ kind: 'delay', ms: 400 }, { endpoint: 'Verifications', times: 1 });
      await t.http
        .post('/auth/2fa/password/send')
        .send({ email: 'alice@example.com', channel: 'sms' })
        .expect(200, { results: true, ...SMS_SENT });
      expect(emulator.deliveries(ALICE_E164)).toHaveLength(1);
      await t.close();
      // The answer went before the code; the shutdown waited for it to reach Twilio.
      expect(emulator.deliveries(ALICE_E164)).toHaveLength(2);
      expect(t.logs.lines.join('\n')).not.toMatch(/failed|unfinished/);
    } finally {
      await emulator.stop();
    }
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
