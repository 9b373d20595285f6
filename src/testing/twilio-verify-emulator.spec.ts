import twilio from 'twilio';

import { TwilioVerifyEmulator, type EmulatorDelivery } from './index.js';

const TEN_MINUTES = 10 * 60 * 1000;
const TO = '+15005550006';

type Client = ReturnType<typeof twilio>;
type ClientOptions = NonNullable<Parameters<typeof twilio>[2]>;

interface AxiosLikeError {
  isAxiosError: boolean;
  code: string;
  message: string;
}

/** Resolves with what `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Resolves with the RestException `promise` rejects with. */
async function restError(promise: Promise<unknown>): Promise<twilio.RestException> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(twilio.RestException);
  return error as twilio.RestException;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('TwilioVerifyEmulator (driven by the twilio SDK)', () => {
  const emu = new TwilioVerifyEmulator();

  function client(options?: ClientOptions, authToken = emu.authToken): Client {
    const result = twilio(emu.accountSid, authToken, options);
    result.verify.baseUrl = emu.url;
    result.lookups.baseUrl = emu.url;
    return result;
  }

  function service(options?: ClientOptions) {
    return client(options).verify.v2.services(emu.serviceSid);
  }

  const start = (to = TO) => service().verifications.create({ to, channel: 'sms' });
  const check = (code: string, to = TO) => service().verificationChecks.create({ to, code });
  const wrongCode = (to = TO) => (emu.lastCode(to) === '000000' ? '111111' : '000000');

  beforeAll(async () => {
    await emu.start();
  });
  afterAll(() => emu.stop());
  beforeEach(() => emu.reset());

  describe('starting and checking', () => {
    it('starts a verification in Twilio’s wire format and approves the right code', async () => {
      const verification = await start();

      expect(verification.sid).toMatch(/^VE[0-9a-f]{32}$/);
      expect(verification).toMatchObject({
        serviceSid: emu.serviceSid,
        accountSid: emu.accountSid,
        to: TO,
        channel: 'sms',
        status: 'pending',
        valid: false,
        amount: null,
        payee: null,
        sna: null,
      });
      expect(verification.sendCodeAttempts).toHaveLength(1);
      expect(verification.sendCodeAttempts[0]).toMatchObject({ channel: 'sms' });
      expect(verification.dateCreated).toBeInstanceOf(Date);
      expect(verification.url).toBe(
        `${emu.url}/v2/Services/${emu.serviceSid}/Verifications/${verification.sid}`,
      );

      const code = emu.lastCode(TO);
      expect(code).toMatch(/^\d{6}$/);
      expect(emu.deliveries()).toEqual([
        { to: TO, channel: 'sms', code, verificationSid: verification.sid, at: expect.any(Date) },
      ]);

      const result = await check(code!);
      expect(result).toMatchObject({
        sid: verification.sid,
        serviceSid: emu.serviceSid,
        accountSid: emu.accountSid,
        to: TO,
        channel: 'sms',
        status: 'approved',
        valid: true,
        snaAttemptsErrorCodes: [],
      });
    });

    it('checks by VerificationSid as well as by To', async () => {
      const { sid } = await start();
      const result = await service().verificationChecks.create({
        verificationSid: sid,
        code: emu.lastCode(TO)!,
      });
      expect(result).toMatchObject({ sid, status: 'approved', valid: true });
    });

    it('sends voice codes', async () => {
      const verification = await service().verifications.create({ to: TO, channel: 'call' });
      expect(verification.channel).toBe('call');
      expect(emu.deliveries(TO)[0].channel).toBe('call');
    });

    it('answers a wrong code with pending/valid=false five times, then 429 60202', async () => {
      const { sid } = await start();
      for (let i = 0; i < 5; i += 1) {
        await expect(check(wrongCode())).resolves.toMatchObject({
          status: 'pending',
          valid: false,
        });
      }

      const error = await restError(check(wrongCode()));
      expect(error).toMatchObject({
        status: 429,
        code: 60202,
        message: 'Max check attempts reached',
        moreInfo: 'https://www.twilio.com/docs/errors/60202',
      });
      // Locked: even the right code is refused now, by number or by sid.
      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 429, code: 60202 });
      await expect(
        service().verificationChecks.create({ verificationSid: sid, code: emu.lastCode(TO)! }),
      ).rejects.toMatchObject({ status: 429, code: 60202 });
      // Twilio deletes a verification that reached its maximum attempts.
      await expect(service().verifications(sid).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
      });
    });

    it('refuses a new verification after 60202 until the failed one expires', async () => {
      const { sid } = await start();
      for (let i = 0; i < 5; i += 1) await check(wrongCode());

      const error = await restError(start());
      expect(error).toMatchObject({
        status: 429,
        code: 60202,
        message: 'Max check attempts reached',
      });
      await expect(
        service().verifications.create({ to: TO, channel: 'call' }),
      ).rejects.toMatchObject({ status: 429, code: 60202 });
      expect(emu.deliveries(TO)).toHaveLength(1);
      // Other numbers are not affected.
      await expect(start('+15005550007')).resolves.toMatchObject({ status: 'pending' });

      emu.advanceTime(TEN_MINUTES - 2000);
      await expect(start()).rejects.toMatchObject({ code: 60202 });
      emu.advanceTime(2000);
      const next = await start();
      expect(next.sid).not.toBe(sid);
      await expect(check(emu.lastCode(TO)!)).resolves.toMatchObject({ status: 'approved' });
    });

    it('counts the right code among the five checks', async () => {
      await start();
      for (let i = 0; i < 4; i += 1) await check(wrongCode());
      await expect(check(emu.lastCode(TO)!)).resolves.toMatchObject({ status: 'approved' });
    });

    it('refuses any check once approved (404 20404)', async () => {
      await start();
      await check(emu.lastCode(TO)!);

      const error = await restError(check(emu.lastCode(TO)!));
      expect(error).toMatchObject({
        status: 404,
        code: 20404,
        message: `The requested resource /Services/${emu.serviceSid}/VerificationCheck was not found`,
        moreInfo: 'https://www.twilio.com/docs/errors/20404',
      });
    });

    it('answers 404 20404 when no verification exists', async () => {
      await expect(check('123456')).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('approves exactly one of many concurrent checks of the right code', async () => {
      await start();
      const code = emu.lastCode(TO)!;

      const results = await Promise.allSettled(Array.from({ length: 10 }, () => check(code)));

      const approved = results.filter(
        (r) => r.status === 'fulfilled' && r.value.status === 'approved',
      );
      const notFound = results.filter(
        (r) => r.status === 'rejected' && (r.reason as twilio.RestException).status === 404,
      );
      expect(approved).toHaveLength(1);
      expect(notFound).toHaveLength(9);
    });
  });

  describe('re-sends and the send limit', () => {
    it('re-sends the same code under the same sid while it is valid', async () => {
      const first = await start();
      const firstCode = emu.lastCode(TO);
      emu.advanceTime(60_000);
      const second = await start();

      expect(second.sid).toBe(first.sid);
      expect(second.sendCodeAttempts).toHaveLength(2);
      expect(emu.lastCode(TO)).toBe(firstCode);
      expect(emu.deliveries(TO).map((d) => d.code)).toEqual([firstCode, firstCode]);
      const [firstAt, secondAt] = emu.deliveries(TO).map((d) => d.at.getTime());
      expect(secondAt - firstAt).toBeGreaterThanOrEqual(60_000);
    });

    it('refuses the sixth send to a number within 10 minutes (429 60203)', async () => {
      for (let i = 0; i < 5; i += 1) await start();

      const error = await restError(start());
      expect(error).toMatchObject({
        status: 429,
        code: 60203,
        message: 'Max send attempts reached',
      });
      expect(emu.deliveries(TO)).toHaveLength(5);
      // Other numbers are not affected, and the window passes.
      await expect(start('+15005550007')).resolves.toMatchObject({ status: 'pending' });
      emu.advanceTime(TEN_MINUTES + 1000);
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
    });
  });

  describe('send limit lifted', () => {
    it('lifts 60203 once the verification is approved', async () => {
      for (let i = 0; i < 5; i += 1) await start();
      await expect(start()).rejects.toMatchObject({ status: 429, code: 60203 });

      await check(emu.lastCode(TO)!);
      for (let i = 0; i < 5; i += 1) await start();
      await expect(start()).rejects.toMatchObject({ status: 429, code: 60203 });
    });

    it('lifts 60203 once the verification is canceled', async () => {
      for (let i = 0; i < 5; i += 1) await start();
      await service().verifications(TO).update({ status: 'canceled' });

      const next = await start();
      expect(next.status).toBe('pending');
      expect(emu.deliveries(TO)).toHaveLength(6);
    });

    it('keeps 60203 after wrong codes', async () => {
      for (let i = 0; i < 5; i += 1) await start();
      await check(wrongCode());
      await expect(start()).rejects.toMatchObject({ status: 429, code: 60203 });
    });
  });

  describe('expiry', () => {
    it('expires codes after 10 minutes; the next start sends a new verification', async () => {
      const { sid } = await start();
      const code = emu.lastCode(TO)!;
      emu.advanceTime(TEN_MINUTES + 1000);

      await expect(check(code)).rejects.toMatchObject({ status: 404, code: 20404 });
      // Twilio deletes expired verifications.
      await expect(service().verifications(sid).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
      });

      const next = await start();
      expect(next.sid).not.toBe(sid);
      expect(emu.deliveries(TO)).toHaveLength(2);
      expect(emu.deliveries(TO)[1].verificationSid).toBe(next.sid);
    });

    it('answers a channel turned off on the service with 400 60223, sending nothing', async () => {
      const other = new TwilioVerifyEmulator({ disabledChannels: ['whatsapp'] });
      await other.start();
      try {
        const sdk = twilio(other.accountSid, other.authToken);
        sdk.verify.baseUrl = other.url;
        const services = sdk.verify.v2.services(other.serviceSid);
        await expect(
          services.verifications.create({ to: TO, channel: 'whatsapp' }),
        ).rejects.toMatchObject({ status: 400, code: 60223, message: 'Delivery channel disabled' });
        expect(other.deliveries()).toEqual([]);
        await expect(
          services.verifications.create({ to: TO, channel: 'sms' }),
        ).resolves.toMatchObject({ status: 'pending' });
      } finally {
        await other.stop();
      }
    });

    it('keeps codes valid for codeValiditySeconds', async () => {
      const other = new TwilioVerifyEmulator({ codeValiditySeconds: 120 });
      await other.start();
      try {
        const sdk = twilio(other.accountSid, other.authToken);
        sdk.verify.baseUrl = other.url;
        const services = sdk.verify.v2.services(other.serviceSid);
        const { sid } = await services.verifications.create({ to: TO, channel: 'sms' });
        other.advanceTime(119_000);
        await expect(services.verifications(sid).fetch()).resolves.toMatchObject({
          status: 'pending',
        });
        other.advanceTime(1000);
        await expect(
          services.verificationChecks.create({ to: TO, code: other.lastCode(TO)! }),
        ).rejects.toMatchObject({ status: 404, code: 20404 });

        // A used-up verification locks its number for the same two minutes.
        await services.verifications.create({ to: TO, channel: 'sms' });
        for (let i = 0; i < 5; i += 1) {
          await services.verificationChecks.create({ to: TO, code: '0000000' });
        }
        await expect(
          services.verifications.create({ to: TO, channel: 'sms' }),
        ).rejects.toMatchObject({ code: 60202 });
        other.advanceTime(120_000);
        await expect(
          services.verifications.create({ to: TO, channel: 'sms' }),
        ).resolves.toMatchObject({ status: 'pending' });
      } finally {
        await other.stop();
      }
    });

    it('uses the now option as its clock', async () => {
      let now = Date.parse('2030-01-01T00:00:00Z');
      const delivered: EmulatorDelivery[] = [];
      const other = new TwilioVerifyEmulator({
        now: () => now,
        codeLength: 4,
        onDelivery: (d) => delivered.push(d),
      });
      await other.start();
      try {
        const sdk = twilio(other.accountSid, other.authToken);
        sdk.verify.baseUrl = other.url;
        const services = sdk.verify.v2.services(other.serviceSid);

        const verification = await services.verifications.create({ to: TO, channel: 'sms' });
        expect(verification.dateCreated.toISOString()).toBe('2030-01-01T00:00:00.000Z');
        expect(delivered).toHaveLength(1);
        expect(delivered[0].code).toMatch(/^\d{4}$/);
        expect(delivered[0].at.toISOString()).toBe('2030-01-01T00:00:00.000Z');

        now += TEN_MINUTES;
        await expect(
          services.verificationChecks.create({ to: TO, code: delivered[0].code }),
        ).rejects.toMatchObject({ status: 404, code: 20404 });
      } finally {
        await other.stop();
      }
    });
  });

  describe('fetching and updating', () => {
    it('fetches a verification by sid and by To', async () => {
      const { sid } = await start();

      await expect(service().verifications(sid).fetch()).resolves.toMatchObject({
        sid,
        to: TO,
        status: 'pending',
      });
      await expect(service().verifications(TO).fetch()).resolves.toMatchObject({ sid });
      await expect(
        service()
          .verifications(`VE${'0'.repeat(32)}`)
          .fetch(),
      ).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('cancels by sid; the code then no longer works', async () => {
      const { sid } = await start();

      const canceled = await service().verifications(sid).update({ status: 'canceled' });
      expect(canceled).toMatchObject({ sid, status: 'canceled', valid: false });

      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 404, code: 20404 });
      await expect(service().verifications(sid).fetch()).resolves.toMatchObject({
        status: 'canceled',
      });
      await expect(service().verifications(TO).fetch()).rejects.toMatchObject({ status: 404 });
    });

    it('cancels by To', async () => {
      const { sid } = await start();

      const canceled = await service().verifications(TO).update({ status: 'canceled' });
      expect(canceled).toMatchObject({ sid, status: 'canceled' });
      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 404, code: 20404 });
      await expect(
        service().verifications(TO).update({ status: 'canceled' }),
      ).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('approves through an update', async () => {
      const { sid } = await start();
      await expect(
        service().verifications(sid).update({ status: 'approved' }),
      ).resolves.toMatchObject({ status: 'approved', valid: true });
      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('deletes a verification once approved: fetching it answers 404 20404', async () => {
      const { sid } = await start();
      await check(emu.lastCode(TO)!);

      const error = await restError(service().verifications(sid).fetch());
      expect(error).toMatchObject({
        status: 404,
        code: 20404,
        message: `The requested resource /Services/${emu.serviceSid}/Verifications/${sid} was not found`,
      });
      await expect(service().verifications(TO).fetch()).rejects.toMatchObject({ status: 404 });

      const other = await start('+15005550007');
      await service().verifications(other.sid).update({ status: 'approved' });
      await expect(service().verifications(other.sid).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
      });
    });

    it('limits status fetches per number: 60 a minute, 180 an hour, 250 a day (429 20429)', async () => {
      const { sid } = await start();
      const fetchIt = (key = sid) => service().verifications(key).fetch();
      for (let i = 0; i < 60; i += 1) await fetchIt(i % 2 === 0 ? sid : TO);

      const error = await restError(fetchIt());
      expect(error).toMatchObject({ status: 429, code: 20429, message: 'Too many requests' });
      await expect(fetchIt(TO)).rejects.toMatchObject({ status: 429, code: 20429 });
      // Another number has its own allowance; checks are not status fetches.
      const other = await start('+15005550007');
      await expect(fetchIt(other.sid)).resolves.toMatchObject({ status: 'pending' });
      await expect(check(wrongCode())).resolves.toMatchObject({ status: 'pending' });

      // 60 more in each of the next two minutes makes 180: the hourly limit.
      const fetchMinute = async () => {
        emu.advanceTime(60_000);
        for (let i = 0; i < 60; i += 1) await fetchIt(TO);
      };
      await fetchMinute();
      await fetchMinute();
      emu.advanceTime(60_000);
      await expect(fetchIt(TO)).rejects.toMatchObject({ status: 429, code: 20429 });

      // An hour later, 60 and then 10 more make 250: the daily limit.
      emu.advanceTime(60 * 60_000);
      const { sid: later } = await start();
      await fetchMinute();
      emu.advanceTime(60_000);
      for (let i = 0; i < 10; i += 1) await fetchIt(later);
      emu.advanceTime(60 * 60_000);
      await expect(fetchIt(later)).rejects.toMatchObject({ status: 429, code: 20429 });
      emu.advanceTime(24 * 60 * 60_000);
      await expect(fetchIt(TO)).rejects.toMatchObject({ status: 404, code: 20404 });
    }, 30_000);
  });

  describe('authentication and validation', () => {
    it('answers wrong credentials with 401 20003 and does not record the request', async () => {
      const sdk = client(undefined, 'f'.repeat(32));

      const error = await restError(
        sdk.verify.v2.services(emu.serviceSid).verifications.create({ to: TO, channel: 'sms' }),
      );
      expect(error).toMatchObject({
        status: 401,
        code: 20003,
        message: 'Authenticate',
        moreInfo: 'https://www.twilio.com/docs/errors/20003',
      });
      expect(emu.requests()).toEqual([]);
      expect(emu.deliveries()).toEqual([]);
    });

    it('answers a malformed To with 400 60200 and sends nothing', async () => {
      const error = await restError(start('5551234'));
      expect(error).toMatchObject({
        status: 400,
        code: 60200,
        message: 'Invalid parameter `To`: 5551234',
      });
      expect(emu.deliveries()).toEqual([]);
    });

    it('answers an unsupported channel with 400 60200', async () => {
      await expect(
        service().verifications.create({ to: TO, channel: 'email' }),
      ).rejects.toMatchObject({
        status: 400,
        code: 60200,
        message: 'Invalid parameter `Channel`: email',
      });
    });

    it('answers channels it does not serve with 400 60200', async () => {
      for (const channel of ['email', 'sna', 'auto', 'SMS', 'voice']) {
        await expect(service().verifications.create({ to: TO, channel })).rejects.toMatchObject({
          status: 400,
          code: 60200,
          message: `Invalid parameter \`Channel\`: ${channel}`,
        });
      }
      expect(emu.deliveries()).toEqual([]);
    });

    it('answers a code that is not 4 to 10 digits with 400 60200, without counting a check', async () => {
      await start();
      for (const code of ['123', '12345678901', '12a456', ' 123456']) {
        await expect(check(code)).rejects.toMatchObject({
          status: 400,
          code: 60200,
          message: `Invalid parameter \`Code\`: ${code}`,
        });
      }
      for (let i = 0; i < 4; i += 1) await check(wrongCode());
      await expect(check(emu.lastCode(TO)!)).resolves.toMatchObject({ status: 'approved' });
    });

    it('answers an update to another status with 400 60200', async () => {
      const { sid } = await start();
      await expect(
        service()
          .verifications(sid)
          .update({ status: 'pending' as 'canceled' }),
      ).rejects.toMatchObject({
        status: 400,
        code: 60200,
        message: 'Invalid parameter `Status`: pending',
      });
      await expect(service().verifications(sid).fetch()).resolves.toMatchObject({
        status: 'pending',
      });
    });

    it('answers another service sid with 404 20404', async () => {
      const other = `VA${'1'.repeat(32)}`;
      const error = await restError(
        client().verify.v2.services(other).verifications.create({ to: TO, channel: 'sms' }),
      );
      expect(error).toMatchObject({
        status: 404,
        code: 20404,
        message: `The requested resource /Services/${other}/Verifications was not found`,
      });
    });

    it('answers missing parameters, unknown routes and wrong methods with Twilio errors', async () => {
      const auth = `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`;
      const post = (path: string, body: string) =>
        fetch(`${emu.url}${path}`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
        });
      const base = `/v2/Services/${emu.serviceSid}`;

      const missing = await post(`${base}/VerificationCheck`, `To=${encodeURIComponent(TO)}`);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({
        code: 20001,
        message: 'Missing required parameter Code in the post body',
        more_info: 'https://www.twilio.com/docs/errors/20001',
        status: 400,
      });

      const unknown = await post('/v2/Nothing', '');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ code: 20404, status: 404 });

      const wrongMethod = await fetch(`${emu.url}${base}/Verifications`, {
        headers: { Authorization: auth },
      });
      expect(wrongMethod.status).toBe(405);
      expect(await wrongMethod.json()).toMatchObject({ code: 20004, status: 405 });
    });
  });

  describe('verification parameters', () => {
    it('sends in a supported Locale with a CustomFriendlyName, and records both', async () => {
      const verification = await service().verifications.create({
        to: TO,
        channel: 'sms',
        locale: 'pt-BR',
        customFriendlyName: 'Acme Shop',
      });
      expect(verification.status).toBe('pending');
      expect(emu.deliveries(TO)).toEqual([
        {
          to: TO,
          channel: 'sms',
          code: emu.lastCode(TO),
          verificationSid: verification.sid,
          at: expect.any(Date),
          locale: 'pt-BR',
          customFriendlyName: 'Acme Shop',
        },
      ]);
    });

    it('leaves the locale and friendly name out of a delivery that did not ask for them', async () => {
      await start();
      const [delivery] = emu.deliveries(TO);
      expect(delivery).not.toHaveProperty('locale');
      expect(delivery).not.toHaveProperty('customFriendlyName');
    });

    it('refuses an unsupported Locale with 404 20404, as Twilio does, and sends nothing', async () => {
      for (const locale of ['xx', 'pt_BR', 'EN', 'en-US']) {
        const error = await restError(
          service().verifications.create({ to: TO, channel: 'sms', locale }),
        );
        expect(error).toMatchObject({
          status: 404,
          code: 20404,
          message: `The requested resource /Services/${emu.serviceSid}/Verifications was not found`,
        });
      }
      expect(emu.deliveries()).toEqual([]);
      // Refused sends do not count against the send limit.
      for (let i = 0; i < 5; i += 1) await start();
    });

    it('records AppHash, Tags, DeviceIp and RateLimits exactly as the SDK posts them', async () => {
      await service().verifications.create({
        to: TO,
        channel: 'sms',
        appHash: 'FA+9qCX9VSu',
        tags: JSON.stringify({ flow: 'login', app: 'web' }),
        deviceIp: '203.0.113.7',
        rateLimits: { end_user_ip_address: '203.0.113.7', phone_number: TO },
      });
      expect(emu.requests()[0].params).toEqual({
        To: TO,
        Channel: 'sms',
        AppHash: 'FA+9qCX9VSu',
        Tags: '{"flow":"login","app":"web"}',
        DeviceIp: '203.0.113.7',
        RateLimits: `{"end_user_ip_address":"203.0.113.7","phone_number":"${TO}"}`,
      });
      expect(emu.deliveries(TO)).toHaveLength(1);
    });

    it('takes an IPv6 DeviceIp', async () => {
      await expect(
        service().verifications.create({ to: TO, channel: 'sms', deviceIp: '2001:db8::1' }),
      ).resolves.toMatchObject({ status: 'pending' });
    });

    it('refuses malformed Tags, RateLimits and DeviceIp with 400 60200 and sends nothing', async () => {
      const tooMany = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
      const cases: [object, string][] = [
        [{ tags: 'not json' }, 'Tags'],
        [{ tags: '["a"]' }, 'Tags'],
        [{ tags: JSON.stringify({ n: 1 }) }, 'Tags'],
        [{ tags: JSON.stringify(tooMany) }, 'Tags'],
        [{ tags: JSON.stringify({ k: 'v'.repeat(129) }) }, 'Tags'],
        [{ rateLimits: 'not json' }, 'RateLimits'],
        [{ rateLimits: { key: { nested: true } } }, 'RateLimits'],
        [{ deviceIp: '203.0.113' }, 'DeviceIp'],
        [{ deviceIp: 'localhost' }, 'DeviceIp'],
      ];
      for (const [extra, name] of cases) {
        const error = await restError(
          service().verifications.create({ to: TO, channel: 'sms', ...extra }),
        );
        expect(error).toMatchObject({ status: 400, code: 60200 });
        expect(error.message).toContain(`\`${name}\``);
      }
      expect(emu.deliveries()).toEqual([]);
    });

    it('sends WhatsApp codes, and re-sends a pending verification on another channel', async () => {
      const verification = await service().verifications.create({ to: TO, channel: 'whatsapp' });
      expect(verification.channel).toBe('whatsapp');
      expect(verification.sendCodeAttempts[0]).toMatchObject({ channel: 'whatsapp' });
      const resent = await start();
      expect(resent.sid).toBe(verification.sid);
      expect(emu.deliveries(TO).map((d) => d.channel)).toEqual(['whatsapp', 'sms']);
      await expect(check(emu.lastCode(TO)!)).resolves.toMatchObject({
        status: 'approved',
        channel: 'sms',
      });
    });
  });

  describe('Lookup v2', () => {
    const FIELDS = 'line_type_intelligence,sms_pumping_risk';
    const US = '+12015550123';
    const lookup = (number = US, fields = FIELDS) =>
      client().lookups.v2.phoneNumbers(number).fetch({ fields });

    it('answers a mobile number with low risk by default, in Twilio’s wire format', async () => {
      const result = await lookup();
      expect(result).toMatchObject({
        callingCountryCode: '1',
        countryCode: 'US',
        phoneNumber: US,
        nationalFormat: '(201) 555-0123',
        valid: true,
        validationErrors: [],
        callerName: null,
        simSwap: null,
        lineStatus: null,
        lineTypeIntelligence: { type: 'mobile', errorCode: null },
        smsPumpingRisk: {
          carrierRiskCategory: 'low',
          numberBlocked: false,
          smsPumpingRiskScore: 0,
          errorCode: null,
        },
        url: `${emu.url}/v2/PhoneNumbers/${encodeURIComponent(US)}`,
      });
    });

    it('reports the line type and risk score a test sets, per number', async () => {
      emu.setLineType(US, 'nonFixedVoip');
      emu.setSmsPumpingRisk(US, 85);
      emu.setLineType('+447400123456', 'landline');
      emu.setSmsPumpingRisk('+447400123456', 61);

      expect(await lookup()).toMatchObject({
        lineTypeIntelligence: { type: 'nonFixedVoip' },
        smsPumpingRisk: {
          smsPumpingRiskScore: 85,
          carrierRiskCategory: 'high',
          numberBlocked: true,
        },
      });
      expect(await lookup('+447400123456')).toMatchObject({
        callingCountryCode: '44',
        countryCode: 'GB',
        lineTypeIntelligence: { type: 'landline' },
        smsPumpingRisk: { smsPumpingRiskScore: 61, carrierRiskCategory: 'moderate' },
      });
      expect(await lookup('+12015550124')).toMatchObject({
        lineTypeIntelligence: { type: 'mobile' },
        smsPumpingRisk: { smsPumpingRiskScore: 0 },
      });
    });

    it('answers only the packages Fields asks for', async () => {
      await expect(lookup(US, 'line_type_intelligence')).resolves.toMatchObject({
        lineTypeIntelligence: { type: 'mobile' },
        smsPumpingRisk: null,
      });
      await expect(client().lookups.v2.phoneNumbers(US).fetch()).resolves.toMatchObject({
        valid: true,
        lineTypeIntelligence: null,
        smsPumpingRisk: null,
      });
    });

    it('answers an invalid number with valid=false and no packages', async () => {
      await expect(lookup('+1201555')).resolves.toMatchObject({
        valid: false,
        validationErrors: ['TOO_SHORT'],
        lineTypeIntelligence: null,
        smsPumpingRisk: null,
      });
      await expect(lookup('12015550123')).resolves.toMatchObject({
        valid: false,
        validationErrors: ['NOT_A_NUMBER'],
      });
    });

    it('takes a national number with CountryCode', async () => {
      emu.setLineType(US, 'landline');
      await expect(
        client().lookups.v2.phoneNumbers('2015550123').fetch({ countryCode: 'US', fields: FIELDS }),
      ).resolves.toMatchObject({
        valid: true,
        phoneNumber: US,
        countryCode: 'US',
        lineTypeIntelligence: { type: 'landline' },
      });
      await expect(
        client().lookups.v2.phoneNumbers('2015550123').fetch({ countryCode: 'ZZ' }),
      ).resolves.toMatchObject({ valid: false, validationErrors: ['NOT_A_NUMBER'] });
    });

    it('lists lookups in requests(), with the Fields asked for', async () => {
      await lookup();
      expect(emu.requests()).toEqual([
        {
          method: 'GET',
          path: `/v2/PhoneNumbers/${US}`,
          params: { Fields: FIELDS },
          at: expect.any(Date),
        },
      ]);
    });

    it('plays faults limited to the Lookup endpoint', async () => {
      emu.injectFault({ kind: 'status', status: 503 }, { endpoint: 'Lookup', times: 1 });
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
      await expect(lookup()).rejects.toMatchObject({ status: 503, code: 20503 });
      await expect(lookup()).resolves.toMatchObject({ valid: true });

      emu.injectFault({ kind: 'hang' }, { endpoint: 'Lookup', times: 1 });
      await expect(
        client({ timeout: 200 }).lookups.v2.phoneNumbers(US).fetch({ fields: FIELDS }),
      ).rejects.toMatchObject({ code: 'ECONNABORTED' });
    });

    it('validates what a test sets, and reset() forgets it', async () => {
      expect(() => emu.setLineType('2015550123', 'mobile')).toThrow(RangeError);
      expect(() => emu.setLineType(US, 'satellite' as never)).toThrow(RangeError);
      expect(() => emu.setSmsPumpingRisk(US, 101)).toThrow(RangeError);
      expect(() => emu.setSmsPumpingRisk(US, 1.5)).toThrow(RangeError);

      emu.setLineType(US, 'tollFree');
      emu.setSmsPumpingRisk(US, 99);
      emu.reset();
      await expect(lookup()).resolves.toMatchObject({
        lineTypeIntelligence: { type: 'mobile' },
        smsPumpingRisk: { smsPumpingRiskScore: 0 },
      });
    });

    it('answers other methods with 405 20004', async () => {
      const auth = `Basic ${Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64')}`;
      const response = await fetch(`${emu.url}/v2/PhoneNumbers/${US}`, {
        method: 'POST',
        headers: { Authorization: auth },
      });
      expect(response.status).toBe(405);
      expect(await response.json()).toMatchObject({ code: 20004 });
    });
  });

  describe('requests()', () => {
    it('records method, path and exactly the posted params', async () => {
      await start();
      await check('123456');

      expect(emu.requests()).toEqual([
        {
          method: 'POST',
          path: `/v2/Services/${emu.serviceSid}/Verifications`,
          params: { To: TO, Channel: 'sms' },
          at: expect.any(Date),
        },
        {
          method: 'POST',
          path: `/v2/Services/${emu.serviceSid}/VerificationCheck`,
          params: { To: TO, Code: '123456' },
          at: expect.any(Date),
        },
      ]);
    });
  });

  describe('faults', () => {
    it('answers with an injected status until cleared', async () => {
      emu.injectFault({ kind: 'status', status: 503 });

      const error = await restError(start());
      expect(error).toMatchObject({
        status: 503,
        code: 20503,
        message: 'Service Unavailable',
        moreInfo: 'https://www.twilio.com/docs/errors/20503',
      });
      await expect(start()).rejects.toMatchObject({ status: 503 });
      expect(emu.requests()).toHaveLength(2);
      expect(emu.deliveries()).toEqual([]);

      emu.clearFaults();
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
    });

    it('applies a fault `times` times, then answers normally', async () => {
      emu.injectFault({ kind: 'status', status: 500, code: 20500, message: 'boom' }, { times: 1 });

      await expect(start()).rejects.toMatchObject({ status: 500, code: 20500, message: 'boom' });
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
    });

    it('limits a fault to one endpoint; the first matching fault wins', async () => {
      emu.injectFault({ kind: 'status', status: 502 }, { endpoint: 'VerificationCheck', times: 1 });
      emu.injectFault({ kind: 'status', status: 504 }, { times: 1 });

      await expect(start()).rejects.toMatchObject({ status: 504 });
      await start();
      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 502 });
      await expect(check(emu.lastCode(TO)!)).resolves.toMatchObject({ status: 'approved' });
    });

    it('delays answers: a client with a shorter timeout gets ECONNABORTED', async () => {
      emu.injectFault({ kind: 'delay', ms: 400 }, { times: 1 });

      const error = (await rejection(
        service({ timeout: 200 }).verifications.create({ to: TO, channel: 'sms' }),
      )) as AxiosLikeError;
      expect(error).not.toBeInstanceOf(twilio.RestException);
      expect(error).toMatchObject({
        isAxiosError: true,
        code: 'ECONNABORTED',
        message: 'timeout of 200ms exceeded',
      });

      // Like the real service, the request is still carried out after the delay.
      await waitFor(() => emu.deliveries(TO).length === 1);
    });

    it('delays answers: a patient client gets the normal answer', async () => {
      emu.injectFault({ kind: 'delay', ms: 100 }, { times: 1 });
      const started = Date.now();
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });

    it('resets the connection: the client gets ECONNRESET', async () => {
      emu.injectFault({ kind: 'reset' }, { times: 1 });

      const error = (await rejection(start())) as AxiosLikeError;
      expect(error).toMatchObject({
        isAxiosError: true,
        code: 'ECONNRESET',
        message: 'socket hang up',
      });
      expect(emu.requests()).toHaveLength(1);
      expect(emu.deliveries()).toEqual([]);
      await expect(start()).resolves.toMatchObject({ status: 'pending' });
    });

    it('hangs: the client times out, and nothing is processed', async () => {
      emu.injectFault({ kind: 'hang' }, { times: 1 });

      await expect(
        service({ timeout: 200 }).verifications.create({ to: TO, channel: 'sms' }),
      ).rejects.toMatchObject({ code: 'ECONNABORTED' });
      expect(emu.deliveries()).toEqual([]);
    });

    it('validates fault options', () => {
      expect(() => emu.injectFault({ kind: 'reset' }, { times: 0 })).toThrow(RangeError);
      expect(() => emu.injectFault({ kind: 'delay', ms: -1 })).toThrow(RangeError);
    });
  });

  describe('reset()', () => {
    it('forgets verifications, deliveries, requests, counters, faults and time', async () => {
      for (let i = 0; i < 5; i += 1) await start();
      emu.advanceTime(60_000);
      emu.injectFault({ kind: 'status', status: 503 }, { endpoint: 'VerificationCheck' });

      emu.reset();

      expect(emu.deliveries()).toEqual([]);
      expect(emu.requests()).toEqual([]);
      expect(emu.lastCode(TO)).toBeUndefined();
      await expect(check('123456')).rejects.toMatchObject({ status: 404 }); // no fault, no verification
      const verification = await start(); // send counter forgotten
      expect(Math.abs(verification.dateCreated.getTime() - Date.now())).toBeLessThan(5000);
    });
  });

  describe('lifecycle', () => {
    it('has no url before start(), and stop() closes hanging connections', async () => {
      const other = new TwilioVerifyEmulator({ accountSid: `AC${'a'.repeat(32)}` });
      expect(() => other.url).toThrow(/not started/);
      expect(other.accountSid).toBe(`AC${'a'.repeat(32)}`);
      expect(other.serviceSid).toMatch(/^VA[0-9a-f]{32}$/);
      expect(other.authToken).toMatch(/^[0-9a-f]{32}$/);

      await other.start();
      other.injectFault({ kind: 'hang' });
      const sdk = twilio(other.accountSid, other.authToken);
      sdk.verify.baseUrl = other.url;
      const pending = rejection(
        sdk.verify.v2.services(other.serviceSid).verifications.create({ to: TO, channel: 'sms' }),
      );
      await waitFor(() => other.requests().length === 1);

      await other.stop();
      await expect(pending).resolves.toMatchObject({ code: 'ECONNRESET' });
      expect(() => other.url).toThrow(/not started/);
      await other.stop(); // idempotent
    });

    it('rejects an out-of-range codeLength or codeValiditySeconds', () => {
      expect(() => new TwilioVerifyEmulator({ codeLength: 3 })).toThrow(RangeError);
      expect(() => new TwilioVerifyEmulator({ codeValiditySeconds: 119 })).toThrow(RangeError);
      expect(() => new TwilioVerifyEmulator({ codeValiditySeconds: 86_401 })).toThrow(RangeError);
      expect(() => new TwilioVerifyEmulator({ codeValiditySeconds: 300.5 })).toThrow(RangeError);
    });
  });
});
