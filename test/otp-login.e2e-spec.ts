import { signInByPhone, SMS_SENT } from './support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';

const OTHER_PHONE = '(201) 555-0199';
const OTHER_E164 = '+12015550199';

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

function sendCode(t: TestApp, phoneNumber = US_PHONE, channel = 'sms') {
  return t.http.post('/auth/otp/send').send({ channel, countryCode: 'US', phoneNumber });
}

const signIn = (t: TestApp) => signInByPhone(t);

describe('Passwordless phone login (HTTP, twilio SDK, emulator, SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  it('sends a code over Twilio Verify and signs in, creating the member', async () => {
    const sent = await sendCode(t).expect(200);
    expect(sent.body).toEqual({ results: true, ...SMS_SENT });
    const [verification] = t.emulator.requests();
    expect(verification.path).toBe(`/v2/Services/${t.emulator.serviceSid}/Verifications`);
    // supertest connects from 127.0.0.1: Twilio gets it as DeviceIp, for Fraud Guard.
    expect(verification.params).toEqual({ To: US_E164, Channel: 'sms', DeviceIp: '127.0.0.1' });

    const code = t.emulator.lastCode(US_E164)!;
    const res = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode: code, countryCode: 'US', phoneNumber: US_PHONE })
      .expect(200);
    expect(res.body).toEqual({
      results: true,
      sessionToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      isNewMember: true,
      member: {
        id: expect.any(String),
        email: '12015550123@phone.example.org',
        phoneNumber: US_E164,
        status: 'approved',
        createdAt: expect.any(String),
      },
    });
    const [member] = await t.dataSource.query('SELECT * FROM otp_members');
    expect(member).toMatchObject({
      phone_number: US_E164,
      status: 'approved',
      password_hash: null,
    });
    const sessions = await t.dataSource.query('SELECT * FROM otp_member_sessions');
    expect(sessions).toHaveLength(1);
    expect(sessions[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(sessions)).not.toContain(res.body.sessionToken);

    const me = await t.http
      .get('/auth/me')
      .set('Authorization', `Bearer ${res.body.sessionToken}`)
      .expect(200);
    expect(me.body).toEqual(res.body.member);
  });

  it('sends by voice call when asked', async () => {
    await sendCode(t, US_PHONE, 'call').expect(200);
    expect(t.emulator.deliveries(US_E164)[0].channel).toBe('call');
  });

  it('finds the same member on the second sign-in', async () => {
    const first = await signIn(t);
    t.emulator.advanceTime(11 * 60_000);
    const second = await signIn(t);
    expect(second.isNewMember).toBe(false);
    expect(second.member.id).toBe(first.member.id);
    expect(await count(t, 'otp_members')).toBe(1);
    expect(await count(t, 'otp_member_sessions')).toBe(2);
  });

  it('refuses a wrong code with 401 INVALID_CODE and writes nothing', async () => {
    await sendCode(t).expect(200);
    const right = t.emulator.lastCode(US_E164)!;
    const wrong = right === '000000' ? '111111' : '000000';
    const res = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode: wrong, countryCode: 'US', phoneNumber: US_PHONE })
      .expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'INVALID_CODE',
      message: expect.any(String),
      results: false,
    });
    expect(await count(t, 'otp_members')).toBe(0);
    expect(await count(t, 'otp_member_sessions')).toBe(0);
  });

  it('refuses an expired code with 401 CODE_EXPIRED', async () => {
    await sendCode(t).expect(200);
    const code = t.emulator.lastCode(US_E164)!;
    t.emulator.advanceTime(10 * 60_000 + 1_000);
    const res = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode: code, countryCode: 'US', phoneNumber: US_PHONE })
      .expect(401);
    expect(res.body.code).toBe('CODE_EXPIRED');
    expect(await count(t, 'otp_members')).toBe(0);
  });

  it('refuses a code used a second time', async () => {
    await sendCode(t).expect(200);
    const code = t.emulator.lastCode(US_E164)!;
    const body = { confirmationCode: code, countryCode: 'US', phoneNumber: US_PHONE };
    await t.http.post('/auth/otp/login').send(body).expect(200);
    const again = await t.http.post('/auth/otp/login').send(body).expect(401);
    expect(again.body.code).toBe('CODE_EXPIRED');
    expect(await count(t, 'otp_member_sessions')).toBe(1);
  });

  it('does not accept the code of phone A for phone B', async () => {
    await sendCode(t).expect(200);
    const codeForA = t.emulator.lastCode(US_E164)!;
    const withoutCode = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode: codeForA, countryCode: 'US', phoneNumber: OTHER_PHONE })
      .expect(401);
    expect(withoutCode.body.code).toBe('CODE_EXPIRED');

    await sendCode(t, OTHER_PHONE).expect(200);
    if (t.emulator.lastCode(OTHER_E164) !== codeForA) {
      const withOwnCode = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: codeForA, countryCode: 'US', phoneNumber: OTHER_PHONE })
        .expect(401);
      expect(withOwnCode.body.code).toBe('INVALID_CODE');
    }
    expect(await count(t, 'otp_members')).toBe(0);
  });

  it('answers the 6th wrong attempt with 429 and Retry-After', async () => {
    await sendCode(t).expect(200);
    const right = t.emulator.lastCode(US_E164)!;
    const wrong = right === '000000' ? '111111' : '000000';
    const body = { confirmationCode: wrong, countryCode: 'US', phoneNumber: US_PHONE };
    for (let i = 0; i < 5; i++) {
      expect((await t.http.post('/auth/otp/login').send(body).expect(401)).body.code).toBe(
        'INVALID_CODE',
      );
    }
    const sixth = await t.http.post('/auth/otp/login').send(body).expect(429);
    expect(sixth.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    const rightAfterLockout = await t.http
      .post('/auth/otp/login')
      .send({ ...body, confirmationCode: right })
      .expect(429);
    expect(rightAfterLockout.body.code).toBe('TOO_MANY_REQUESTS');
    expect(await count(t, 'otp_members')).toBe(0);
  });

  it.each([
    ['not a number', 'hello'],
    ['too short', '555-01'],
    ['wrong country plan', '020 7946 0018'],
    ['full-width digits', '２０１５５５０１２３'],
    ['two numbers', '2015550123,2015550124'],
  ])('refuses an invalid number (%s) with 400 before Twilio', async (_label, phoneNumber) => {
    const res = await sendCode(t, phoneNumber).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_PHONE_NUMBER', results: false });
    expect(t.emulator.requests()).toEqual([]);
  });

  it('refuses a landline number for the country', async () => {
    const res = await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'GB', phoneNumber: '020 7946 0018' })
      .expect(400);
    expect(res.body.code).toBe('INVALID_PHONE_NUMBER');
    expect(t.emulator.requests()).toEqual([]);
  });

  it('refuses unknown channels with 400 CHANNEL_NOT_ALLOWED', async () => {
    const res = await sendCode(t, US_PHONE, 'whatsapp').expect(400);
    expect(res.body.code).toBe('CHANNEL_NOT_ALLOWED');
    expect(t.emulator.requests()).toEqual([]);
  });

  it.each([
    ['an unknown field', { channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE, admin: true }],
    ['a missing field', { channel: 'sms', countryCode: 'US' }],
    ['a number for a string', { channel: 'sms', countryCode: 'US', phoneNumber: 2015550123 }],
    ['an array', { channel: ['sms'], countryCode: 'US', phoneNumber: US_PHONE }],
  ])('refuses a body with %s with 400 VALIDATION_FAILED', async (_label, body) => {
    const res = await t.http.post('/auth/otp/send').send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', results: false });
    expect(t.emulator.requests()).toEqual([]);
  });

  it('refuses a code sent as a number', async () => {
    const res = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode: 123456, countryCode: 'US', phoneNumber: US_PHONE })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(t.emulator.requests()).toEqual([]);
  });

  it('creates one member when two first sign-ins for a new phone race', async () => {
    await sendCode(t).expect(200);
    const body = {
      confirmationCode: t.emulator.lastCode(US_E164),
      countryCode: 'US',
      phoneNumber: US_PHONE,
    };
    const results = await Promise.all([
      t.http.post('/auth/otp/login').send(body),
      t.http.post('/auth/otp/login').send(body),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    expect(await count(t, 'otp_members')).toBe(1);
    expect(await count(t, 'otp_member_sessions')).toBe(1);
  });

  it('refuses phone-only sign-in to a member who has a password', async () => {
    const { member } = await signIn(t);
    await t.dataSource.query(
      `UPDATE otp_members SET password_hash = '$argon2id$v=19$m=19456,t=2,p=1$x$y' WHERE id = '${member.id}'`,
    );
    t.emulator.advanceTime(11 * 60_000);
    await sendCode(t).expect(200);
    const res = await t.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: t.emulator.lastCode(US_E164),
        countryCode: 'US',
        phoneNumber: US_PHONE,
      })
      .expect(403);
    expect(res.body.code).toBe('PASSWORD_REQUIRED');
    expect(await count(t, 'otp_member_sessions')).toBe(1);
  });

  it('never logs a code, a token or a full phone number', async () => {
    const { sessionToken } = await signIn(t);
    await t.http.get('/auth/me').set('Authorization', `Bearer ${sessionToken}`).expect(200);
    await t.http.post('/auth/logout').set('Authorization', `Bearer ${sessionToken}`).expect(204);
    const text = t.logs.lines.join('\n');
    expect(text).toContain('+1******0123');
    expect(text).not.toContain(sessionToken);
    expect(text).not.toContain('2015550123');
    for (const delivery of t.emulator.deliveries()) expect(text).not.toContain(delivery.code);
  });
});
