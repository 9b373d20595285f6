import type { OtpModuleOptions, TwilioOptions } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { SMS_SENT } from './support/flows.js';
import {
  createTestApp,
  emulatorOptions,
  type TestApp,
  US_E164,
  US_PHONE,
} from './support/test-app.js';
import { verificationStarts } from './support/verify-requests.js';

const PASSWORD = 'correct horse battery';

/** An app on its own emulator whose `twilio` options add `extra` to the emulator's credentials. */
async function appWith(
  extra: Partial<TwilioOptions>,
  otp: Partial<OtpModuleOptions> = {},
): Promise<TestApp> {
  const emulator = await new TwilioVerifyEmulator().start();
  try {
    const t = await createTestApp({
      emulator,
      otp: { ...otp, twilio: { ...emulatorOptions(emulator).twilio!, ...extra } },
    });
    const close = t.close.bind(t);
    return Object.assign(t, { close: () => close().finally(() => emulator.stop()) });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

function sendOtp(t: TestApp, channel = 'sms', phoneNumber = US_PHONE) {
  t.emulator.advanceTime(11 * 60_000);
  return t.http.post('/auth/otp/send').send({ channel, countryCode: 'US', phoneNumber });
}

/** The parameters of the last verification start. */
function lastParams(t: TestApp): Record<string, string> {
  const start = verificationStarts(t.emulator).at(-1);
  if (!start) throw new Error('no verification was started');
  return start.params;
}

describe('Twilio Verify send parameters', () => {
  describe('from the options', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await appWith(
        {
          customFriendlyName: 'Acme Shop',
          appHash: 'He42w354ol9',
          tags: { app: 'web', tenant: 'acme' },
          rateLimits: { clientIp: 'end_user_ip', phone: 'end_user_phone' },
        },
        { rateLimit: false },
      );
    });
    afterAll(() => t.close());

    it('sends CustomFriendlyName, AppHash, Tags, DeviceIp and RateLimits with an SMS', async () => {
      await sendOtp(t).expect(200);
      const params = lastParams(t);
      expect(params).toEqual({
        To: US_E164,
        Channel: 'sms',
        CustomFriendlyName: 'Acme Shop',
        AppHash: 'He42w354ol9',
        Tags: '{"app":"web","tenant":"acme"}',
        DeviceIp: '127.0.0.1',
        RateLimits: JSON.stringify({ end_user_phone: US_E164, end_user_ip: '127.0.0.1' }),
      });
      expect(JSON.parse(params.RateLimits)).toEqual({
        end_user_ip: '127.0.0.1',
        end_user_phone: US_E164,
      });
      expect(t.emulator.deliveries(US_E164).at(-1)?.customFriendlyName).toBe('Acme Shop');
    });

    it('leaves AppHash out of a voice call (Twilio appends it to SMS only)', async () => {
      await sendOtp(t, 'call').expect(200);
      const params = lastParams(t);
      expect(params.Channel).toBe('call');
      expect(params).not.toHaveProperty('AppHash');
      expect(params.CustomFriendlyName).toBe('Acme Shop');
    });

    it('sends the member’s phone to RateLimits on two-factor sends too', async () => {
      const who = { email: 'rl@example.com', phoneNumber: '(201) 555-0177', countryCode: 'US' };
      await t.http
        .post('/auth/2fa/register/send')
        .send({ ...who, channel: 'sms' })
        .expect(200);
      expect(JSON.parse(lastParams(t).RateLimits)).toEqual({
        end_user_ip: '127.0.0.1',
        end_user_phone: '+12015550177',
      });
    });
  });

  describe('DeviceIp', () => {
    it('is sent by default: the client IP, for Fraud Guard', async () => {
      const t = await createTestApp({ otp: { rateLimit: false } });
      try {
        await sendOtp(t).expect(200);
        expect(lastParams(t).DeviceIp).toBe('127.0.0.1');
      } finally {
        await t.close();
      }
    });

    it('is left out with twilio.deviceIp: false', async () => {
      const t = await appWith({ deviceIp: false }, { rateLimit: false });
      try {
        await sendOtp(t).expect(200);
        expect(lastParams(t)).toEqual({ To: US_E164, Channel: 'sms' });
      } finally {
        await t.close();
      }
    });

    it('is not sent when the host calls the service without a client', async () => {
      const t = await createTestApp({ otp: { rateLimit: false } });
      try {
        t.emulator.advanceTime(11 * 60_000);
        const { OtpService } = await import('nestjs-otp');
        await t.app.get(OtpService).sendLoginConfirmCode('sms', 'US', US_PHONE);
        expect(lastParams(t)).toEqual({ To: US_E164, Channel: 'sms' });
      } finally {
        await t.close();
      }
    });
  });

  it.each<[string, Partial<TwilioOptions>, string]>([
    ['twilio.customFriendlyName', { customFriendlyName: 'x'.repeat(40) }, 'at most 32 characters'],
    ['twilio.appHash', { appHash: 'not a hash' }, 'must be the 11-character hash'],
    ['twilio.tags', { tags: { tenant: 7 as never } }, 'must be an object of 1 to 10 string values'],
    [
      'twilio.rateLimits.email',
      { rateLimits: { email: 'x' } as never },
      'the keys are clientIp and phone',
    ],
    ['twilio.deviceIp', { deviceIp: 'no' as never }, 'must be true or false'],
  ])('refuses a misconfigured %s at start-up, naming it', async (option, extra, problem) => {
    const start = appWith(extra);
    await expect(start).rejects.toThrow(`OtpModule: option "${option}" `);
    await expect(start).rejects.toThrow(problem);
  });
});

describe('The send answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  it('tells the channel, the send cooldown and the code lifetime on every send route, keeping the flag', async () => {
    const who = { email: 'answer@example.com', phoneNumber: '(201) 555-0188', countryCode: 'US' };
    const e164 = '+12015550188';
    const reg = await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    expect(reg.body).toEqual({ registerUser: true, ...SMS_SENT });
    const registered = await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode(e164) })
      .expect(201);
    t.emulator.advanceTime(11 * 60_000);
    const login = await t.http
      .post('/auth/2fa/login/send')
      .send({ email: who.email, password: PASSWORD, channel: 'call' })
      .expect(200);
    expect(login.body).toMatchObject({ ...SMS_SENT, results: true, channel: 'call' });
    t.emulator.advanceTime(11 * 60_000);
    const change = await t.http
      .post('/auth/2fa/password/change/send')
      .set('Authorization', `Bearer ${registered.body.sessionToken}`)
      .send({ channel: 'sms' })
      .expect(200);
    expect(change.body).toEqual({ results: true, ...SMS_SENT });
    t.emulator.advanceTime(11 * 60_000);
    const otp = await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
      .expect(200);
    expect(otp.body).toEqual({ results: true, ...SMS_SENT });
  });

  it('answers password/send the same for a known and an unknown email', async () => {
    const who = { email: 'known@example.com', phoneNumber: '(201) 555-0189', countryCode: 'US' };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550189') })
      .expect(201);
    t.emulator.advanceTime(11 * 60_000);
    const known = await t.http
      .post('/auth/2fa/password/send')
      .send({ email: who.email, channel: 'sms' })
      .expect(200);
    const unknown = await t.http
      .post('/auth/2fa/password/send')
      .send({ email: 'nobody@example.com', channel: 'sms' })
      .expect(200);
    expect(known.body).toEqual({ results: true, ...SMS_SENT });
    expect(unknown.body).toEqual(known.body);
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());
  });

  it('follows the configured cooldown and code lifetime, and a resend reports the code’s remaining life', async () => {
    const app = await createTestApp({
      emulator: t.emulator,
      otp: { codeTtlSeconds: 600, rateLimit: { sendCooldownSeconds: 45 } },
    });
    try {
      t.emulator.advanceTime(11 * 60_000);
      const first = await app.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      expect(first.body).toEqual({
        results: true,
        channel: 'sms',
        resendAfterSeconds: 45,
        expiresInSeconds: 600,
      });
      // Past the cooldown, the same pending code is sent again, four minutes older.
      t.emulator.advanceTime(4 * 60_000);
      const again = await app.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      expect(again.body.resendAfterSeconds).toBe(45);
      expect(again.body.expiresInSeconds).toBeGreaterThanOrEqual(6 * 60 - 2);
      expect(again.body.expiresInSeconds).toBeLessThanOrEqual(6 * 60);
    } finally {
      await app.close();
    }
  });

  it('reports no wait when the limits are off, and a shorter lifetime the service was given', async () => {
    const app = await createTestApp({
      emulator: t.emulator,
      otp: { codeTtlSeconds: 300, rateLimit: false },
    });
    try {
      t.emulator.advanceTime(11 * 60_000);
      const res = await app.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      expect(res.body).toEqual({
        results: true,
        channel: 'sms',
        resendAfterSeconds: 0,
        expiresInSeconds: 300,
      });
    } finally {
      await app.close();
    }
  });
});
