import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { bearer, registerTwoFactor, signInByPhone } from '../support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from '../support/test-app.js';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'alice@example.com';
const THIEF_PHONE = '(201) 555-0166';
const THIEF_E164 = '+12015550166';

interface SessionItem {
  current: boolean;
  amr: string[];
  aal: number;
  verifiedAt: string | null;
}

/** The current session as `GET /auth/sessions` lists it. */
async function currentSession(t: TestApp, token: string): Promise<SessionItem> {
  const res = await t.http.get('/auth/sessions').set(bearer(token)).expect(200);
  return (res.body as SessionItem[]).find((session) => session.current)!;
}

/** Sends a code to the member's phone and re-verifies the session; the new token. */
async function reverify(t: TestApp, token: string, e164 = US_E164): Promise<string> {
  t.emulator.advanceTime(61_000);
  await t.http
    .post('/auth/session/verify/send')
    .set(bearer(token))
    .send({ channel: 'sms' })
    .expect(200);
  const res = await t.http
    .post('/auth/session/verify')
    .set(bearer(token))
    .send({ confirmationCode: t.emulator.lastCode(e164) })
    .expect(200);
  return res.body.sessionToken as string;
}

/** Every sensitive route a session of this member may call, with a body that would pass. */
function sensitiveRoutes(thiefCode = '123456') {
  return [
    ['post', '/auth/account/recovery-codes', undefined],
    ['post', '/auth/account/totp', undefined],
    ['post', '/auth/account/delete/send', { channel: 'sms' }],
    ['post', '/auth/account/email/send', { channel: 'sms' }],
    ['post', '/auth/2fa/password/change/send', { channel: 'sms' }],
    [
      'post',
      '/auth/account/phone/send',
      { countryCode: 'US', phoneNumber: THIEF_PHONE, channel: 'sms' },
    ],
    [
      'post',
      '/auth/account/phone',
      {
        countryCode: 'US',
        phoneNumber: THIEF_PHONE,
        confirmationCode: thiefCode,
        currentPassword: PASSWORD,
      },
    ],
    ['post', '/members-only/sensitive', undefined],
  ] as const;
}

describe('A session knows how it was proved', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      otp: { totp: { encryptionKey: randomBytes(32).toString('base64') } },
    });
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  async function twoFactorSignIn(body: object = {}) {
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const res = await t.http
      .post('/auth/2fa/login')
      .send({
        email: EMAIL,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(US_E164),
        ...body,
      })
      .expect(200);
    return res.body as { sessionToken: string; deviceToken?: string };
  }

  it('records the methods, the level and the proof of possession of each kind of sign-in', async () => {
    const phone = await signInByPhone(t);
    expect(await currentSession(t, phone.sessionToken)).toMatchObject({
      amr: ['sms'],
      aal: 1,
      verifiedAt: expect.any(String),
    });

    await registerTwoFactor(t, EMAIL, PASSWORD, '(201) 555-0124', '+12015550124');
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'call' })
      .expect(200);
    const byCall = await t.http
      .post('/auth/2fa/login')
      .send({
        email: EMAIL,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode('+12015550124'),
        rememberDevice: true,
      })
      .expect(200);
    expect(await currentSession(t, byCall.body.sessionToken)).toMatchObject({
      amr: ['pwd', 'tel'],
      aal: 2,
      verifiedAt: expect.any(String),
    });
    const byDevice = await t.http
      .post('/auth/2fa/login')
      .send({ email: EMAIL, password: PASSWORD, deviceToken: byCall.body.deviceToken })
      .expect(200);
    expect(await currentSession(t, byDevice.body.sessionToken)).toEqual(
      expect.objectContaining({ amr: ['pwd', 'device'], aal: 1, verifiedAt: null }),
    );
  });

  it('refuses every sensitive action to a trusted-device sign-in until it proves the phone', async () => {
    await registerTwoFactor(t, EMAIL, PASSWORD, US_PHONE, US_E164);
    const { deviceToken } = await twoFactorSignIn({ rememberDevice: true });
    // A thief with the password and the device token signs in without any code.
    const stolen = await t.http
      .post('/auth/2fa/login')
      .send({ email: EMAIL, password: PASSWORD, deviceToken })
      .expect(200);
    const token: string = stolen.body.sessionToken;
    const sends = t.emulator.deliveries().length;
    // The thief's own number, with a code it received, would take the account's phone.
    t.emulator.advanceTime(61_000);
    for (const [method, path, body] of sensitiveRoutes()) {
      const res = await t.http[method](path).set(bearer(token)).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'REVERIFICATION_REQUIRED']);
    }
    expect(t.emulator.deliveries()).toHaveLength(sends);
    const refusals = t.logs.lines.filter((line) => line.includes('Re-verification required'));
    expect(refusals).toHaveLength(sensitiveRoutes().length);
    expect(refusals[0]).toContain('last proof of possession never (signed in by pwd + device)');
    expect((await t.dataSource.query('SELECT phone_number FROM otp_members'))[0]).toEqual({
      phone_number: US_E164,
    });

    // Proving the phone opens them, on a new token.
    const renewed = await reverify(t, token);
    expect(await currentSession(t, renewed)).toMatchObject({
      amr: ['pwd', 'sms', 'device'],
      aal: 2,
      verifiedAt: expect.any(String),
    });
    await t.http.post('/auth/account/recovery-codes').set(bearer(renewed)).expect(200);
  });

  it('renews the token on re-verification: a copy stolen before cannot ride it', async () => {
    const owner = await signInByPhone(t);
    const stolenCopy = owner.sessionToken;
    // The session ages past the sensitive window.
    await t.dataSource.query(
      'UPDATE otp_member_sessions SET created_at = created_at - 600000, verified_at = verified_at - 600000',
    );
    await t.http.post('/auth/account/recovery-codes').set(bearer(stolenCopy)).expect(403);
    const renewed = await reverify(t, owner.sessionToken);
    expect(renewed).not.toBe(stolenCopy);
    expect(renewed).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The stolen copy is ended everywhere: no change of phone to the thief's number.
    const me = await t.http.get('/auth/me').set(bearer(stolenCopy));
    expect([me.status, me.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const take = await t.http
      .post('/auth/account/phone/send')
      .set(bearer(stolenCopy))
      .send({ countryCode: 'US', phoneNumber: THIEF_PHONE, channel: 'sms' });
    expect(take.status).toBe(401);
    expect(t.emulator.deliveries().filter((d) => d.to === THIEF_E164)).toHaveLength(0);
    // The owner's session goes on with the new token: the same session, listed once.
    const sessions = (await t.http.get('/auth/sessions').set(bearer(renewed)).expect(200)).body;
    expect(sessions).toHaveLength(1);
    await t.http.post('/auth/account/recovery-codes').set(bearer(renewed)).expect(200);
  });

  it('sets the renewed token as the session cookie in cookie mode', async () => {
    // An app of its own: the session cookie on.
    const cookies = await createTestApp({ otp: { session: { cookie: { secure: false } } } });
    try {
      const owner = await signInByPhone(cookies);
      cookies.emulator.advanceTime(61_000);
      await cookies.http
        .post('/auth/session/verify/send')
        .set(bearer(owner.sessionToken))
        .send({ channel: 'sms' })
        .expect(200);
      const res = await cookies.http
        .post('/auth/session/verify')
        .set(bearer(owner.sessionToken))
        .send({ confirmationCode: cookies.emulator.lastCode(US_E164) })
        .expect(200);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain(res.body.sessionToken);
      expect(cookie).not.toContain(owner.sessionToken);
    } finally {
      await cookies.close();
    }
  });

  it('lets a recovery-code sign-in set a new phone, and nothing else sensitive', async () => {
    const owner = await signInByPhone(t);
    const made = await t.http
      .post('/auth/account/recovery-codes')
      .set(bearer(owner.sessionToken))
      .expect(200);
    const recovered = await t.http
      .post('/auth/otp/recover')
      .send({ countryCode: 'US', phoneNumber: US_PHONE, recoveryCode: made.body.codes[0] })
      .expect(200);
    const token: string = recovered.body.sessionToken;
    expect(await currentSession(t, token)).toEqual(
      expect.objectContaining({ amr: ['recovery'], aal: 1, verifiedAt: null }),
    );
    for (const [method, path, body] of sensitiveRoutes().filter(
      ([, path]) => !path.startsWith('/auth/account/phone'),
    )) {
      const res = await t.http[method](path).set(bearer(token)).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 403, 'REVERIFICATION_REQUIRED']);
    }
    // The lost phone is replaced with the code sent to the new one.
    await t.http
      .post('/auth/account/phone/send')
      .set(bearer(token))
      .send({ countryCode: 'US', phoneNumber: THIEF_PHONE, channel: 'sms' })
      .expect(200);
    const changed = await t.http
      .post('/auth/account/phone')
      .set(bearer(token))
      .send({
        countryCode: 'US',
        phoneNumber: THIEF_PHONE,
        confirmationCode: t.emulator.lastCode(THIEF_E164),
      })
      .expect(200);
    expect(changed.body.phoneNumber).toBe(THIEF_E164);
  });
});

describe('An authenticator app’s wrong codes', () => {
  let t: TestApp;
  const STEP_MS = 30_000;
  const appCode = (secret: string, steps = 0) =>
    generate({ secret, epoch: Math.floor((Date.now() + steps * STEP_MS) / 1000) });

  beforeAll(async () => {
    t = await createTestApp({
      otp: {
        totp: { encryptionKey: randomBytes(32).toString('base64') },
        // Per-client limits out of the way, to reach the member's cap quickly from one client.
        rateLimit: {
          checksPerIp: { limit: 10_000, windowSeconds: 900 },
          passwordAttemptsPerIp: { limit: 10_000, windowSeconds: 900 },
        },
      },
    });
  });
  afterAll(() => t.close());

  const login = (body: object) =>
    t.http.post('/auth/2fa/login').send({ email: EMAIL, password: PASSWORD, ...body });

  /** `count` wrong app codes with the right password, the app's 30-per-10-minute rate aside. */
  async function wrongAppCodes(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      if (i % 25 === 24) t.emulator.advanceTime(11 * 60_000);
      const res = await login({ confirmationCode: String(100000 + (i % 900000)) });
      expect([res.status, res.body.code]).toEqual([401, 'INVALID_CODE']);
    }
  }

  it('are capped at 100 in a row, then the app needs a code sent to the phone', async () => {
    await registerTwoFactor(t, EMAIL, PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await login({ confirmationCode: t.emulator.lastCode(US_E164) }).expect(200);
    const begun = await t.http
      .post('/auth/account/totp')
      .set(bearer(signedIn.body.sessionToken))
      .expect(200);
    const secret: string = begun.body.secret;
    // Not at the end of a 30-second step, so that "one step ago" is still one step ago when checked.
    const left = STEP_MS - (Date.now() % STEP_MS);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    await t.http
      .post('/auth/account/totp/confirm')
      .set(bearer(signedIn.body.sessionToken))
      .send({ code: await appCode(secret, -1) })
      .expect(200);

    // Someone without the password sets nothing off.
    for (let i = 0; i < 5; i++) {
      const res = await t.http
        .post('/auth/2fa/login')
        .send({ email: EMAIL, password: 'not the password', confirmationCode: '123456' });
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
    const count = async () =>
      Number(
        (await t.dataSource.query('SELECT failed_checks AS n FROM otp_totp_authenticators'))[0].n,
      );
    expect(await count()).toBe(0);

    // 99 wrong in a row, then a right code sent by SMS: a fresh proof by another factor, which
    // spends nothing of the app's and counts it afresh.
    await wrongAppCodes(99);
    expect(await count()).toBe(99);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'sms' })
      .expect(200);
    await login({ confirmationCode: t.emulator.lastCode(US_E164) }).expect(200);
    expect(await count()).toBe(0);

    // 100 in a row lock the app: its right code no longer signs in, and it is not offered.
    await wrongAppCodes(100);
    t.emulator.advanceTime(11 * 60_000);
    const locked = await login({ confirmationCode: await appCode(secret) });
    expect([locked.status, locked.body.code]).toEqual([401, 'INVALID_CODE']);
    expect(locked.body.message).toMatch(/authenticator app is locked/);
    const totpSend = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'totp' });
    expect([totpSend.status, totpSend.body.code]).toEqual([400, 'CHANNEL_NOT_ALLOWED']);
    expect(t.logs.lines.filter((line) => line.includes('is locked after 100'))).toHaveLength(1);

    // A code sent to the phone unlocks it.
    const sent = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'sms' })
      .expect(200);
    expect(sent.body.methods).not.toContain('totp');
    await login({ confirmationCode: t.emulator.lastCode(US_E164) }).expect(200);
    await login({ confirmationCode: await appCode(secret) }).expect(200);
  }, 120_000);
});

describe('rememberDevice with trusted devices turned off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ otp: { trustedDevices: { days: 0 } } });
    await registerTwoFactor(t, EMAIL, PASSWORD, US_PHONE, US_E164);
  });
  afterAll(() => t.close());

  it('is refused before the code is spent or a session made', async () => {
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: EMAIL, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const sessions = async () =>
      Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions'))[0].n);
    const before = await sessions();
    const code = t.emulator.lastCode(US_E164);
    const refused = await t.http
      .post('/auth/2fa/login')
      .send({ email: EMAIL, password: PASSWORD, confirmationCode: code, rememberDevice: true });
    expect([refused.status, refused.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await sessions()).toBe(before);
    // The code is still good.
    await t.http
      .post('/auth/2fa/login')
      .send({ email: EMAIL, password: PASSWORD, confirmationCode: code })
      .expect(200);
  });
});
