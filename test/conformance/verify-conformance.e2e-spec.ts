import { jest } from '@jest/globals';
import { OtpService } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { PrismConformance, type PrismExchange } from '../support/prism.js';
import {
  createTestApp,
  emulatorOptions,
  type TestApp,
  type TestAppOptions,
} from '../support/test-app.js';

/**
 * Every request the module makes to Twilio, on every route that reaches it, goes through Stoplight
 * Prism in proxy mode, which checks it against Twilio's official OpenAPI description of Verify v2
 * and Lookup v2 (a checked copy: no undocumented parameter, `To` in E.164, a documented channel)
 * before passing it to the emulator, and checks the emulator's answer on the way back.
 */

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another horse battery staple';
const RESET_PASSWORD = 'a third horse battery staple';
const TWILIO_PATH =
  /^\/v2\/(Services\/VA[0-9a-f]{32}\/(Verifications|VerificationCheck)|PhoneNumbers\/)/;

jest.setTimeout(60_000);

describe('Twilio conformance (Prism on the official Verify v2 and Lookup v2 descriptions)', () => {
  const emulator = new TwilioVerifyEmulator();
  let prism: PrismConformance;
  let t: TestApp | undefined;

  beforeAll(async () => {
    await emulator.start();
    prism = await PrismConformance.start(emulator.url);
  }, 120_000);
  afterAll(async () => {
    await prism?.stop();
    await emulator.stop();
  });
  beforeEach(() => {
    emulator.reset();
    prism.clear();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** An app whose Twilio base URL is Prism's recorder, with a patient timeout for Prism. */
  async function app(otp: TestAppOptions['otp'] = {}, extras?: TestAppOptions['extras']) {
    const base = emulatorOptions(emulator);
    t = await createTestApp({
      emulator,
      otp: {
        ...otp,
        twilio: { ...base.twilio!, ...otp.twilio, baseUrl: prism.url, timeoutMs: 15_000 },
      },
      extras,
    });
    return t;
  }

  /** Asserts that the exchanges were checked and none broke the description. */
  function expectConformant(minimumExchanges: number): PrismExchange[] {
    const exchanges = prism.exchanges();
    expect(prism.violations()).toEqual([]);
    expect(exchanges.length).toBeGreaterThanOrEqual(minimumExchanges);
    for (const exchange of exchanges) {
      expect(exchange.path).toMatch(TWILIO_PATH);
      expect(exchange.answeredByPrism).toBe(false);
    }
    // What Prism passed on is what the emulator received.
    expect(
      emulator.requests().map(({ method, path, params }) => ({ method, path, params })),
    ).toEqual(exchanges.map(({ method, path, params }) => ({ method, path, params })));
    return exchanges;
  }

  /**
   * A test driving the module; when it fails on the way (with `--errors`, the module sees a 500
   * for an answer Prism refuses), the message leads with what Prism found.
   */
  function drive(name: string, run: () => Promise<void>) {
    it(name, async () => {
      try {
        await run();
      } catch (error) {
        const found = prism.violations();
        if (found.length === 0) throw error;
        throw new Error(`Prism found:\n${JSON.stringify(found, null, 2)}\n\n${String(error)}`);
      }
    });
  }

  const phone = { countryCode: 'US', phoneNumber: '(201) 555-0123' };

  /** Registers a two-factor member (code by SMS); the session token. */
  async function register(http: TestApp['http'], who: typeof phone & { email: string }) {
    await http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    const registered = await http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: emulator.lastCode(E164) })
      .expect(201);
    return registered.body.sessionToken as string;
  }
  const E164 = '+12015550123';

  drive('passwordless: sends by SMS and voice, refuses a wrong code, signs in', async () => {
    const { http } = await app();
    await http
      .post('/auth/otp/send')
      .send({ ...phone, channel: 'sms' })
      .expect(200);
    await http
      .post('/auth/otp/login')
      .send({
        ...phone,
        confirmationCode: emulator.lastCode(E164) === '000000' ? '111111' : '000000',
      })
      .expect(401);
    await http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: emulator.lastCode(E164) })
      .expect(200);

    emulator.advanceTime(11 * 60_000);
    await http
      .post('/auth/otp/send')
      .send({ ...phone, channel: 'call' })
      .expect(200);
    await http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: emulator.lastCode(E164) })
      .expect(200);

    const exchanges = expectConformant(5);
    expect(exchanges.map((e) => [e.method, e.path.split('/').at(-1), e.status])).toEqual([
      ['POST', 'Verifications', 201],
      ['POST', 'VerificationCheck', 200],
      ['POST', 'VerificationCheck', 200],
      ['POST', 'Verifications', 201],
      ['POST', 'VerificationCheck', 200],
    ]);
  });

  drive(
    'passwordless: Twilio’s own refusals (five wrong codes, then 60202) are documented answers',
    async () => {
      const { http } = await app();
      await http
        .post('/auth/otp/send')
        .send({ ...phone, channel: 'sms' })
        .expect(200);
      const wrong = emulator.lastCode(E164) === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i += 1) {
        await http.post('/auth/otp/login').send({ ...phone, confirmationCode: wrong });
      }
      await http
        .post('/auth/otp/login')
        .send({ ...phone, confirmationCode: emulator.lastCode(E164) })
        .expect(429);
      emulator.advanceTime(31_000); // past the module's own send cooldown
      await http
        .post('/auth/otp/send')
        .send({ ...phone, channel: 'sms' })
        .expect(429);

      const statuses = expectConformant(8).map((e) => e.status);
      expect(statuses.slice(-2)).toEqual([429, 429]);
    },
  );

  drive(
    'two-factor: register, sign in (a wrong code first), reset and change the password',
    async () => {
      const { http } = await app();
      const who = { ...phone, email: 'alice@example.com' };
      const token = await register(http, who);

      emulator.advanceTime(11 * 60_000);
      const login = { email: who.email, password: PASSWORD };
      await http
        .post('/auth/2fa/login/send')
        .send({ ...login, channel: 'call' })
        .expect(200);
      const wrong = emulator.lastCode(E164) === '000000' ? '111111' : '000000';
      await http
        .post('/auth/2fa/login')
        .send({ ...login, confirmationCode: wrong })
        .expect(401);
      await http
        .post('/auth/2fa/login')
        .send({ ...login, confirmationCode: emulator.lastCode(E164) })
        .expect(200);

      emulator.advanceTime(11 * 60_000);
      await http
        .post('/auth/2fa/password/change/send')
        .set('Authorization', `Bearer ${token}`)
        .send({ channel: 'sms' })
        .expect(200);
      await http
        .post('/auth/2fa/password/change')
        .set('Authorization', `Bearer ${token}`)
        .send({
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          confirmationCode: emulator.lastCode(E164),
        })
        .expect(200);

      emulator.advanceTime(11 * 60_000);
      await http
        .post('/auth/2fa/password/send')
        .send({ email: who.email, channel: 'sms' })
        .expect(200);
      // The reset code goes out in the background.
      const deadline = Date.now() + 10_000;
      while (emulator.deliveries(E164).length < 4 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await http
        .post('/auth/2fa/password/reset')
        .send({
          email: who.email,
          newPassword: RESET_PASSWORD,
          confirmationCode: emulator.lastCode(E164),
        })
        .expect(200);

      const paths = expectConformant(9).map((e) => e.path.split('/').at(-1));
      expect(paths.filter((p) => p === 'Verifications')).toHaveLength(4);
      expect(paths.filter((p) => p === 'VerificationCheck')).toHaveLength(5);
    },
  );

  drive('account: re-verify the session, change email and phone, delete the account', async () => {
    const { http } = await app();
    const signedIn = {
      Authorization: `Bearer ${await register(http, { ...phone, email: 'alice@example.com' })}`,
    };
    const code = (e164 = E164) => emulator.lastCode(e164);

    emulator.advanceTime(11 * 60_000);
    await http.post('/auth/session/verify/send').set(signedIn).send({ channel: 'sms' }).expect(200);
    const verified = await http
      .post('/auth/session/verify')
      .set(signedIn)
      .send({ confirmationCode: code() })
      .expect(200);
    // Re-verifying renews the token: the one before it is ended.
    const auth = { Authorization: `Bearer ${verified.body.sessionToken}` };
    await http.get('/auth/me').set(signedIn).expect(401);

    emulator.advanceTime(11 * 60_000);
    await http.post('/auth/account/email/send').set(auth).send({ channel: 'call' }).expect(200);
    await http
      .post('/auth/account/email')
      .set(auth)
      .send({ newEmail: 'alice@example.net', currentPassword: PASSWORD, confirmationCode: code() })
      .expect(200);

    emulator.advanceTime(11 * 60_000);
    const NEW = { countryCode: 'US', phoneNumber: '(201) 555-0177' };
    await http
      .post('/auth/account/phone/send')
      .set(auth)
      .send({ ...NEW, channel: 'sms' })
      .expect(200);
    await http
      .post('/auth/account/phone')
      .set(auth)
      .send({ ...NEW, currentPassword: PASSWORD, confirmationCode: code('+12015550177') })
      .expect(200);

    emulator.advanceTime(11 * 60_000);
    await http.post('/auth/account/delete/send').set(auth).send({ channel: 'sms' }).expect(200);
    await http
      .delete('/auth/account')
      .set(auth)
      .send({ confirmationCode: code('+12015550177') })
      .expect(204);

    const exchanges = expectConformant(10);
    expect(
      exchanges.filter((e) => e.path.endsWith('/Verifications')).map((e) => e.params.To),
    ).toEqual([E164, E164, E164, '+12015550177', '+12015550177']);
  });

  drive(
    'every option: locale, friendly name, app hash, tags, device IP, rate limits, WhatsApp, Lookup',
    async () => {
      const { http } = await app({
        twilio: {
          ...emulatorOptions(emulator).twilio!,
          customFriendlyName: 'Acme Shop',
          appHash: 'FA+9qCX9VSu',
          tags: { flow: 'sign-in', app: 'web' },
          deviceIp: true,
          rateLimits: { clientIp: 'end_user_ip', phone: 'end_user_phone' },
        },
        channels: ['sms', 'call', 'whatsapp'],
        locale: 'auto',
        lookup: { allowedLineTypes: ['mobile'], maxSmsPumpingRisk: 50 },
      });
      const send = (body: object, language = 'pt-BR,pt;q=0.9') =>
        http.post('/auth/otp/send').set('Accept-Language', language).send(body);

      await send({ ...phone, channel: 'sms' }).expect(200);
      await http
        .post('/auth/otp/login')
        .send({ ...phone, confirmationCode: emulator.lastCode(E164) })
        .expect(200);
      emulator.advanceTime(11 * 60_000);
      await send({ ...phone, channel: 'whatsapp' }, 'xx-YY').expect(200);
      await http
        .post('/auth/otp/login')
        .send({ ...phone, confirmationCode: emulator.lastCode(E164) })
        .expect(200);
      emulator.advanceTime(11 * 60_000);
      await send({ ...phone, channel: 'call' }, 'en-GB').expect(200);

      // Lookup refuses a landline and a number at high risk of SMS pumping, before any send.
      emulator.setLineType('+12015550124', 'landline');
      emulator.setSmsPumpingRisk('+12015550125', 90);
      await send({ countryCode: 'US', phoneNumber: '(201) 555-0124', channel: 'sms' }).expect(422);
      await send({ countryCode: 'US', phoneNumber: '(201) 555-0125', channel: 'sms' }).expect(422);

      // The service method, with the host's locale and an IPv6 client.
      await t!.app
        .get(OtpService)
        .sendLoginConfirmCode('sms', 'US', '(201) 555-0126', { locale: 'ja', ip: '2001:db8::7' });

      const exchanges = expectConformant(9);
      const all = exchanges.filter((e) => e.path.endsWith('/Verifications'));
      expect(all.map((e) => [e.params.Channel, e.params.Locale])).toEqual([
        ['sms', 'pt-BR'],
        ['whatsapp', undefined],
        ['call', 'en-GB'],
        ['sms', 'ja'],
      ]);
      expect(all[3].params).toMatchObject({ To: '+12015550126', DeviceIp: '2001:db8::7' });
      const starts = all.slice(0, 3);
      for (const { params } of starts) {
        expect(params).toMatchObject({
          To: E164,
          CustomFriendlyName: 'Acme Shop',
          Tags: JSON.stringify({ flow: 'sign-in', app: 'web' }),
          DeviceIp: expect.any(String),
          RateLimits: expect.stringContaining('"end_user_phone":"+12015550123"'),
        });
      }
      expect(starts.map((e) => e.params.AppHash)).toEqual(['FA+9qCX9VSu', undefined, undefined]);
      const lookups = exchanges.filter((e) => e.path.startsWith('/v2/PhoneNumbers/'));
      expect(lookups.map((e) => e.path)).toEqual(
        expect.arrayContaining([
          `/v2/PhoneNumbers/${E164}`,
          '/v2/PhoneNumbers/+12015550124',
          '/v2/PhoneNumbers/+12015550125',
          '/v2/PhoneNumbers/+12015550126',
        ]),
      );
      for (const { params } of lookups) {
        expect(params.Fields.split(',').sort()).toEqual([
          'line_type_intelligence',
          'sms_pumping_risk',
        ]);
      }
      expect(emulator.deliveries('+12015550124')).toEqual([]);
      expect(emulator.deliveries('+12015550125')).toEqual([]);
    },
  );

  drive('a fixed locale, and the device IP turned off', async () => {
    const { http } = await app({
      twilio: { ...emulatorOptions(emulator).twilio!, deviceIp: false },
      locale: 'fr',
    });
    await http
      .post('/auth/otp/send')
      .set('Accept-Language', 'de')
      .send({ ...phone, channel: 'sms' })
      .expect(200);
    const [start] = expectConformant(1);
    expect(start.params).toEqual({ To: E164, Channel: 'sms', Locale: 'fr' });
  });

  drive(
    'the emulator’s other answers: fetch, cancel, approve, check by sid, errors, Lookup',
    async () => {
      const { default: twilio } = await import('twilio');
      const client = twilio(emulator.accountSid, emulator.authToken);
      client.verify.baseUrl = prism.url;
      client.lookups.baseUrl = prism.url;
      const service = client.verify.v2.services(emulator.serviceSid);
      const OTHER = '+12015550124';

      const { sid } = await service.verifications.create({ to: E164, channel: 'sms' });
      await service.verifications(sid).fetch();
      await service.verifications(E164).fetch();
      await service.verifications(sid).update({ status: 'canceled' });
      await service.verifications(sid).fetch(); // canceled ones stay
      const second = await service.verifications.create({ to: OTHER, channel: 'whatsapp' });
      await service.verificationChecks.create({ verificationSid: second.sid, code: '000000' });
      await service.verifications(OTHER).update({ status: 'approved' });
      await expect(service.verifications(second.sid).fetch()).rejects.toMatchObject({
        status: 404,
      });
      await expect(
        service.verificationChecks.create({ to: OTHER, code: '123456' }),
      ).rejects.toMatchObject({ status: 404 });
      for (let i = 0; i < 5; i += 1)
        await service.verifications.create({ to: E164, channel: 'sms' });
      await expect(
        service.verifications.create({ to: E164, channel: 'sms' }),
      ).rejects.toMatchObject({
        status: 429,
        code: 60203,
      });
      const third = await service.verifications.create({ to: '+12015550125', channel: 'call' });
      for (let i = 0; i < 60; i += 1) await service.verifications(third.sid).fetch();
      await expect(service.verifications(third.sid).fetch()).rejects.toMatchObject({
        status: 429,
        code: 20429,
      });
      await expect(
        service.verifications.create({ to: E164, channel: 'sms', locale: 'xx' }),
      ).rejects.toMatchObject({ status: 404 });
      await client.lookups.v2.phoneNumbers(E164).fetch({ fields: 'line_type_intelligence' });
      await client.lookups.v2.phoneNumbers('+1201555').fetch({ fields: 'sms_pumping_risk' });
      await client.lookups.v2.phoneNumbers(OTHER).fetch();
      await client.lookups.v2.phoneNumbers('2015550123').fetch({ countryCode: 'US' });

      const exchanges = expectConformant(80);
      expect(new Set(exchanges.map((e) => e.status))).toEqual(new Set([200, 201, 404, 429]));
    },
  );

  it('reports a request the description does not allow, and does not pass it on', async () => {
    const auth = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString('base64')}`;
    const start = (body: Record<string, string>) =>
      fetch(`${prism.url}/v2/Services/${emulator.serviceSid}/Verifications`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });

    // A misspelt parameter: Prism passes it on (Twilio would ignore it), the recorder reports it.
    expect((await start({ To: E164, Channel: 'sms', CustomMesage: 'x' })).status).toBe(201);
    // A channel Twilio does not have, a number not in E.164, a missing Channel, no credentials:
    // Prism refuses them itself.
    expect((await start({ To: E164, Channel: 'telegram' })).status).toBe(422);
    expect((await start({ To: '2015550123', Channel: 'sms' })).status).toBe(422);
    expect((await start({ To: E164 })).status).toBe(422);
    const anonymous = await fetch(`${prism.url}/v2/Services/${emulator.serviceSid}/Verifications`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: E164, Channel: 'sms' }),
    });
    expect(anonymous.status).toBe(401);

    const exchanges = prism.exchanges();
    expect(exchanges.map((e) => e.violations.map((v) => v.location.join('.')))).toEqual([
      ['request.body.CustomMesage'],
      ['request.body.Channel'],
      ['request.body.To'],
      ['request.body'],
      ['request'],
    ]);
    expect(exchanges.map((e) => e.answeredByPrism)).toEqual([false, true, true, true, true]);
    expect(prism.violations()[3].message).toMatch(/Channel/);
    // Only the first was passed on.
    expect(emulator.requests()).toHaveLength(1);
  });

  it('reports an answer that breaks the description', async () => {
    // An upstream answering a verification without most of Twilio's fields.
    const { createServer } = await import('node:http');
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ sid: `VE${'a'.repeat(32)}`, status: 'pending', extra: true }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    const { port } = upstream.address() as { port: number };
    const other = await PrismConformance.start(`http://127.0.0.1:${port}`);
    try {
      const auth = `Basic ${Buffer.from(`${emulator.accountSid}:${emulator.authToken}`).toString('base64')}`;
      const answer = await fetch(`${other.url}/v2/Services/${emulator.serviceSid}/Verifications`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: E164, Channel: 'sms' }),
      });
      expect(answer.status).toBe(500);
      const messages = other.violations().map((v) => `${v.location.join('.')} ${v.message}`);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^response\.body .*required property 'to'/),
          expect.stringMatching(/^response\.body .*additional propert/),
        ]),
      );
    } finally {
      await other.stop();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  }, 120_000);
});
