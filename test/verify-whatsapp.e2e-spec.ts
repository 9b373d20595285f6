import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';
import { verificationStarts } from './support/verify-requests.js';

const PASSWORD = 'correct horse battery';

function send(t: TestApp, channel: string, phoneNumber = US_PHONE, countryCode = 'US') {
  return t.http.post('/auth/otp/send').send({ channel, countryCode, phoneNumber });
}

describe('WhatsApp', () => {
  describe('not enabled (the default channels)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('refuses whatsapp with 400 CHANNEL_NOT_ALLOWED on every send route, sending nothing', async () => {
      const res = await send(t, 'whatsapp').expect(400);
      expect(res.body).toMatchObject({ code: 'CHANNEL_NOT_ALLOWED', results: false });
      const reg = await t.http
        .post('/auth/2fa/register/send')
        .send({
          email: 'w@example.com',
          phoneNumber: US_PHONE,
          countryCode: 'US',
          channel: 'whatsapp',
        })
        .expect(400);
      expect(reg.body).toMatchObject({ code: 'CHANNEL_NOT_ALLOWED', registerUser: false });
      await t.http
        .post('/auth/2fa/password/send')
        .send({ email: 'w@example.com', channel: 'whatsapp' })
        .expect(400);
      expect(t.emulator.requests()).toHaveLength(0);
    });
  });

  describe("enabled with channels: ['sms', 'call', 'whatsapp']", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        otp: { channels: ['sms', 'call', 'whatsapp'], allowedCountries: ['US'] },
      });
    });
    beforeEach(() => t.reset());
    afterAll(() => t?.close());

    it('sends the code over WhatsApp and signs in with it', async () => {
      const res = await send(t, 'whatsapp').expect(200);
      expect(res.body).toEqual({
        results: true,
        channel: 'whatsapp',
        resendAfterSeconds: 30,
        expiresInSeconds: 600,
      });
      expect(verificationStarts(t.emulator).at(-1)?.params.Channel).toBe('whatsapp');
      const [delivery] = t.emulator.deliveries(US_E164);
      expect(delivery.channel).toBe('whatsapp');
      await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: delivery.code, countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
    });

    it('takes WhatsApp on the two-factor send routes', async () => {
      const who = { email: 'wa@example.com', phoneNumber: '(201) 555-0166', countryCode: 'US' };
      const reg = await t.http
        .post('/auth/2fa/register/send')
        .send({ ...who, channel: 'whatsapp' })
        .expect(200);
      expect(reg.body).toMatchObject({ registerUser: true, channel: 'whatsapp' });
      await t.http
        .post('/auth/2fa/register')
        .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550166') })
        .expect(201);
      t.emulator.advanceTime(11 * 60_000);
      const login = await t.http
        .post('/auth/2fa/login/send')
        .send({ email: who.email, password: PASSWORD, channel: 'whatsapp' })
        .expect(200);
      expect(login.body).toMatchObject({ results: true, channel: 'whatsapp' });
      expect(t.emulator.deliveries('+12015550166').map((d) => d.channel)).toEqual([
        'whatsapp',
        'whatsapp',
      ]);
    });

    it('shares the send limits with SMS and calls: the cooldown holds across channels', async () => {
      await send(t, 'sms').expect(200);
      const res = await send(t, 'whatsapp').expect(429);
      expect(res.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', results: false });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(verificationStarts(t.emulator)).toHaveLength(1);
    });

    it('keeps allowedCountries and the phone rules: nothing reaches Twilio', async () => {
      const other = await send(t, 'whatsapp', '07700 900123', 'GB').expect(400);
      expect(other.body.code).toBe('COUNTRY_NOT_ALLOWED');
      const invalid = await send(t, 'whatsapp', '123').expect(400);
      expect(invalid.body.code).toBe('INVALID_PHONE_NUMBER');
      expect(t.emulator.requests()).toHaveLength(0);
    });

    it('answers 422 DELIVERY_REFUSED when the Verify service has no WhatsApp sender (60223)', async () => {
      t.emulator.injectFault(
        {
          kind: 'status',
          status: 400,
          code: 60223,
          message: 'Delivery channel disabled: WHATSAPP',
        },
        { endpoint: 'Verifications', times: 1 },
      );
      const res = await send(t, 'whatsapp').expect(422);
      expect(res.body).toMatchObject({ code: 'DELIVERY_REFUSED', results: false });
      expect(t.emulator.deliveries(US_E164)).toHaveLength(0);
    });

    it('never sends AppHash with WhatsApp', async () => {
      const app = await createTestApp({
        emulator: t.emulator,
        otp: {
          channels: ['sms', 'whatsapp'],
          twilio: {
            accountSid: t.emulator.accountSid,
            authToken: t.emulator.authToken,
            verifyServiceSid: t.emulator.serviceSid,
            baseUrl: t.emulator.url,
            appHash: 'He42w354ol9',
          },
        },
      });
      try {
        await app.http
          .post('/auth/otp/send')
          .send({ channel: 'whatsapp', countryCode: 'US', phoneNumber: '(201) 555-0144' })
          .expect(200);
        expect(verificationStarts(t.emulator).at(-1)?.params).not.toHaveProperty('AppHash');
      } finally {
        await app.close();
      }
    });
  });

  it('is in the OpenAPI channel enum of the send bodies and answers', async () => {
    const t = await createTestApp();
    try {
      const document = SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
      const schemas = document.components!.schemas! as Record<
        string,
        { properties?: Record<string, { enum?: unknown[] }> }
      >;
      expect(schemas.SendLoginCodeDto.properties!.channel.enum).toEqual([
        'sms',
        'call',
        'whatsapp',
      ]);
      expect(schemas.CodeSentResponse.properties!.channel.enum).toEqual([
        'sms',
        'call',
        'whatsapp',
      ]);
    } finally {
      await t.close();
    }
  });
});
