import { OtpEvent, type OtpEventPayload } from 'nestjs-otp';
import { createTestApp, type TestApp } from '../support/test-app.js';

const send = (
  t: TestApp,
  phoneNumber: string,
  channel = 'sms',
  headers: Record<string, string> = {},
) => t.http.post('/auth/otp/send').set(headers).send({ channel, countryCode: 'US', phoneNumber });

/** How many verifications the emulator (Twilio) was asked to start. */
const starts = (t: TestApp) =>
  t.emulator.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/Verifications'))
    .length;

describe('Send limits (defaults)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  it('keeps a 30-second cooldown per phone, shared by SMS and call', async () => {
    await send(t, '(201) 555-0101').expect(200);
    const again = await send(t, '(201) 555-0101', 'call').expect(429);
    expect(again.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', results: false });
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(25);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(starts(t)).toBe(1);
    t.emulator.advanceTime(31_000);
    await send(t, '(201) 555-0101', 'call').expect(200);
    expect(starts(t)).toBe(2);
  });

  it('caps sends per phone at 5 per 10 minutes, before Twilio', async () => {
    for (let i = 0; i < 5; i++) {
      await send(t, '(201) 555-0102', i % 2 ? 'call' : 'sms').expect(200);
      t.emulator.advanceTime(31_000);
    }
    const sixth = await send(t, '(201) 555-0102').expect(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(starts(t)).toBe(5);
    t.emulator.advanceTime(10 * 60_000);
    await send(t, '(201) 555-0102').expect(200);
  });

  it('lifts the per-phone cap when a code is approved, as Twilio does, and only then', async () => {
    const phoneNumber = '(201) 555-0103';
    // Six sign-ins within 10 minutes: each approved code gives the phone its five sends back.
    for (let i = 0; i < 6; i++) {
      await send(t, phoneNumber).expect(200);
      await t.http
        .post('/auth/otp/login')
        .send({
          countryCode: 'US',
          phoneNumber,
          confirmationCode: t.emulator.lastCode('+12015550103'),
        })
        .expect(200);
      t.emulator.advanceTime(31_000);
    }
    // An hour on (the number range's window), wrong codes lift nothing: five sends, then the cap.
    t.emulator.advanceTime(60 * 60_000);
    for (let i = 0; i < 5; i++) {
      await send(t, phoneNumber).expect(200);
      await t.http
        .post('/auth/otp/login')
        .send({ countryCode: 'US', phoneNumber, confirmationCode: '000000' })
        .expect(401);
      t.emulator.advanceTime(31_000);
    }
    const capped = await send(t, phoneNumber).expect(429);
    expect(capped.body.code).toBe('TOO_MANY_REQUESTS');
  });

  it('caps sends per number range, against sweeps', async () => {
    for (let i = 0; i < 10; i++) {
      await send(t, `(201) 555-01${String(10 + i)}`).expect(200);
    }
    const sweep = await send(t, '(201) 555-0120').expect(429);
    expect(sweep.body.code).toBe('TOO_MANY_REQUESTS');
    expect(starts(t)).toBe(10);
    // Another range is not affected.
    await send(t, '(202) 555-0100').expect(200);
  });

  it('turns Twilio fraud and geo refusals into a generic 422 and an event', async () => {
    const events: OtpEventPayload[] = [];
    t.on(OtpEvent.DELIVERY_REFUSED, (e) => events.push(e));
    t.emulator.injectFault({ kind: 'status', status: 403, code: 60410 }, { times: 1 });
    const res = await send(t, '(201) 555-0103').expect(422);
    expect(res.body).toMatchObject({ code: 'DELIVERY_REFUSED' });
    expect(JSON.stringify(res.body)).not.toMatch(/60410|fraud/i);
    expect(events).toEqual([
      expect.objectContaining({ event: 'otp.delivery.refused', maskedPhone: '+1******0103' }),
    ]);
  });
});

describe('Send limits per client and per country', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({
      otp: {
        rateLimit: {
          sendsPerIp: { limit: 3, windowSeconds: 3600 },
          sendsPerCountry: { limit: 5, windowSeconds: 3600 },
        },
      },
    });
  });
  afterEach(() => t.close());

  it('caps sends per client IP; a spoofed X-Forwarded-For does not evade it', async () => {
    const numbers = ['(201) 555-3101', '(202) 555-3102', '(203) 555-3103', '(212) 555-3104'];
    for (let i = 0; i < 3; i++) {
      await send(t, numbers[i], 'sms', { 'X-Forwarded-For': `203.0.113.${i}` }).expect(200);
    }
    const res = await send(t, numbers[3], 'sms', { 'X-Forwarded-For': '198.51.100.7' }).expect(429);
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    expect(starts(t)).toBe(3);
  });
});

describe('Send limit per country', () => {
  it('caps sends per country calling code', async () => {
    const t = await createTestApp({
      otp: { rateLimit: { sendsPerCountry: { limit: 2, windowSeconds: 3600 } } },
    });
    try {
      await send(t, '(201) 555-4101').expect(200);
      await send(t, '(303) 555-4102').expect(200);
      await send(t, '(415) 555-4103').expect(429);
      const uk = await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'GB', phoneNumber: '07400 123456' });
      expect(uk.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('Test numbers', () => {
  it('never reach Twilio and accept only their fixed code', async () => {
    const t = await createTestApp({ otp: { testNumbers: { '+15005550006': '123456' } } });
    try {
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: '+1 500 555 0006' })
        .expect(200);
      const body = { countryCode: 'US', phoneNumber: '(500) 555-0006' };
      const wrong = await t.http
        .post('/auth/otp/login')
        .send({ ...body, confirmationCode: '654321' })
        .expect(401);
      expect(wrong.body.code).toBe('INVALID_CODE');
      const ok = await t.http
        .post('/auth/otp/login')
        .send({ ...body, confirmationCode: '123456' })
        .expect(200);
      expect(ok.body.member.phoneNumber).toBe('+15005550006');
      expect(t.emulator.requests()).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('are refused at start-up in production unless explicitly allowed', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(
        createTestApp({ otp: { testNumbers: { '+15005550006': '123456' } } }),
      ).rejects.toThrow(/"testNumbers"/);
      const allowed = await createTestApp({
        otp: { testNumbers: { '+15005550006': '123456' }, allowTestNumbersInProduction: true },
      });
      await allowed.close();
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});
