import { registerTwoFactor } from '../support/flows.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'correct horse battery staple';

describe('Code check attempts per phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: { rateLimit: { checksPerPhone: { limit: 7, windowSeconds: 3600 } } },
    });
  });
  afterAll(() => t.close());

  it('survive re-sends, lock temporarily with Retry-After, then let the right code in', async () => {
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0150' };
    const e164 = '+12015550150';
    const sendCode = () =>
      t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', ...phone })
        .expect(200);
    const check = (confirmationCode: string) =>
      t.http.post('/auth/otp/login').send({ ...phone, confirmationCode });
    const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

    await sendCode();
    for (let i = 0; i < 5; i++)
      expect((await check(wrongFor(t.emulator.lastCode(e164)!))).status).toBe(401);
    // Twilio's own limit for this verification.
    expect((await check(wrongFor(t.emulator.lastCode(e164)!))).status).toBe(429);

    // A new code (after Twilio's window) gives only what is left of the module's hourly budget.
    t.emulator.advanceTime(10 * 60_000 + 1_000);
    await sendCode();
    const code = t.emulator.lastCode(e164)!;
    expect((await check(wrongFor(code))).status).toBe(401);
    const locked = await check(code);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    t.emulator.advanceTime(60 * 60_000);
    await sendCode();
    expect((await check(t.emulator.lastCode(e164)!)).status).toBe(200);
  });
});

describe('Password attempts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: { rateLimit: { passwordAttemptsPerIp: { limit: 30, windowSeconds: 900 } } },
    });
    await registerTwoFactor(t, 'carol@example.com', PASSWORD, '(201) 555-0160', '+12015550160');
  });
  afterAll(() => t.close());

  const attempt = (email: string, password: string, headers: Record<string, string> = {}) =>
    t.http.post('/auth/2fa/login/send').set(headers).send({ email, password, channel: 'sms' });

  it('refuse a client after 10 wrong passwords for one email, known or not alike, then let it in', async () => {
    const answers = async (email: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await attempt(email, `wrong ${i} password`)).status);
      return statuses;
    };
    const known = await answers('carol@example.com');
    const unknown = await answers('nobody@example.com');
    expect(known).toEqual([...Array(10).fill(401), 429]);
    expect(unknown).toEqual(known);
    const locked = await attempt('carol@example.com', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    t.emulator.advanceTime(15 * 60_000);
    await attempt('carol@example.com', PASSWORD).expect(200);
  });

  it('limit attempts per client IP with 429, whatever X-Forwarded-For says', async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i++) {
      const res = await attempt(`user${i}@example.com`, 'not the password', {
        'X-Forwarded-For': `198.51.100.${i}`,
      });
      status = res.status;
      if (status === 429) {
        expect(res.body.code).toBe('TOO_MANY_REQUESTS');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(status).toBe(429);
  });
});

describe('The same correct code submitted 20 times at once', () => {
  it('yields exactly one session', async () => {
    const t = await createTestApp();
    try {
      const phone = { countryCode: 'US', phoneNumber: '(201) 555-0170' };
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', ...phone })
        .expect(200);
      const code = t.emulator.lastCode('+12015550170');
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.http.post('/auth/otp/login').send({ ...phone, confirmationCode: code }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 401)).toHaveLength(19);
      expect(
        results.filter((r) => r.status === 401).every((r) => r.body.code === 'CODE_EXPIRED'),
      ).toBe(true);
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions');
      expect(Number(n)).toBe(1);
    } finally {
      await t.close();
    }
  });
});
