import type { EmulatorFault } from 'nestjs-otp/testing';
import {
  createTestApp,
  emulatorOptions,
  type TestApp,
  US_E164,
  US_PHONE,
} from './support/test-app.js';

const send = (t: TestApp) =>
  t.http.post('/auth/otp/send').send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE });

describe('Twilio faults map to the contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    // This suite is about Twilio's faults: the module's own send limits are off here.
    t = await createTestApp({ otp: { rateLimit: false } });
  });
  afterAll(() => t.close());
  beforeEach(() => t.emulator.reset());

  it.each<[string, EmulatorFault, number, string]>([
    ['5xx', { kind: 'status', status: 503 }, 503, 'PROVIDER_UNAVAILABLE'],
    ['500', { kind: 'status', status: 500 }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a timeout', { kind: 'delay', ms: 1_500 }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a connection reset', { kind: 'reset' }, 503, 'PROVIDER_UNAVAILABLE'],
    ['429 20429', { kind: 'status', status: 429, code: 20429 }, 429, 'TOO_MANY_REQUESTS'],
    ['60203 max sends', { kind: 'status', status: 429, code: 60203 }, 429, 'TOO_MANY_REQUESTS'],
    [
      '60212 too many concurrent',
      { kind: 'status', status: 429, code: 60212 },
      429,
      'TOO_MANY_REQUESTS',
    ],
    ['60205 landline', { kind: 'status', status: 400, code: 60205 }, 422, 'DELIVERY_REFUSED'],
    [
      '60605 geo permissions',
      { kind: 'status', status: 403, code: 60605 },
      422,
      'DELIVERY_REFUSED',
    ],
    ['60410 fraud guard', { kind: 'status', status: 403, code: 60410 }, 422, 'DELIVERY_REFUSED'],
    ['60223 channel', { kind: 'status', status: 400, code: 60223 }, 422, 'DELIVERY_REFUSED'],
    [
      '60200 invalid parameter',
      { kind: 'status', status: 400, code: 60200 },
      400,
      'INVALID_PHONE_NUMBER',
    ],
  ])('sending: %s gives %s %s', async (_label, fault, status, code) => {
    t.emulator.injectFault(fault, { times: 1 });
    const res = await send(t).expect(status);
    expect(res.body).toMatchObject({ statusCode: status, code, results: false });
    if (status === 429 || status === 503) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(JSON.stringify(res.body)).not.toMatch(/twilio|axios|stack|ECONN/i);
    // The fault was one-off: the next send goes through.
    await send(t).expect(200);
  });

  it.each<[string, EmulatorFault, number, string]>([
    ['5xx', { kind: 'status', status: 502 }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a timeout', { kind: 'hang' }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a connection reset', { kind: 'reset' }, 503, 'PROVIDER_UNAVAILABLE'],
  ])(
    'checking: %s fails closed with %s and signs nobody in',
    async (_label, fault, status, code) => {
      await send(t).expect(200);
      t.emulator.injectFault(fault, { endpoint: 'VerificationCheck', times: 1 });
      const res = await t.http
        .post('/auth/otp/login')
        .send({
          confirmationCode: t.emulator.lastCode(US_E164),
          countryCode: 'US',
          phoneNumber: US_PHONE,
        })
        .expect(status);
      expect(res.body.code).toBe(code);
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_members');
      expect(Number(n)).toBe(0);
    },
  );

  it('reports rejected credentials as 500 PROVIDER_MISCONFIGURED and logs it loudly', async () => {
    const wrong = await createTestApp({
      emulator: t.emulator,
      otp: {
        twilio: { ...emulatorOptions(t.emulator).twilio!, authToken: 'f'.repeat(32) },
      },
    });
    try {
      const res = await send(wrong).expect(500);
      expect(res.body).toMatchObject({ code: 'PROVIDER_MISCONFIGURED', results: false });
      expect(wrong.logs.lines.some((l) => l.startsWith('error') && /credentials/.test(l))).toBe(
        true,
      );
      expect(wrong.logs.lines.join('\n')).not.toContain('f'.repeat(32));
    } finally {
      await wrong.close();
    }
  });

  it('reports an unknown Verify service as 500 PROVIDER_MISCONFIGURED', async () => {
    const wrong = await createTestApp({
      emulator: t.emulator,
      otp: {
        twilio: { ...emulatorOptions(t.emulator).twilio!, verifyServiceSid: 'VA' + 'e'.repeat(32) },
      },
    });
    try {
      const res = await send(wrong).expect(500);
      expect(res.body.code).toBe('PROVIDER_MISCONFIGURED');
    } finally {
      await wrong.close();
    }
  });
});
