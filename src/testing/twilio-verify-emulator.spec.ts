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
      // Locked: even the right code is refused now.
      await expect(check(emu.lastCode(TO)!)).rejects.toMatchObject({ status: 429, code: 60202 });
      const fetched = await service().verifications(sid).fetch();
      expect(fetched.status).toBe('max_attempts_reached');

      // A new verification can be started for the number.
      const next = await start();
      expect(next.sid).not.toBe(sid);
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

  describe('expiry', () => {
    it('expires codes after 10 minutes; the next start sends a new verification', async () => {
      const { sid } = await start();
      const code = emu.lastCode(TO)!;
      emu.advanceTime(TEN_MINUTES + 1000);

      await expect(check(code)).rejects.toMatchObject({ status: 404, code: 20404 });
      const fetched = await service().verifications(sid).fetch();
      expect(fetched.status).toBe('expired');

      const next = await start();
      expect(next.sid).not.toBe(sid);
      expect(emu.deliveries(TO)).toHaveLength(2);
      expect(emu.deliveries(TO)[1].verificationSid).toBe(next.sid);
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
    });
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

    it('rejects an out-of-range codeLength', () => {
      expect(() => new TwilioVerifyEmulator({ codeLength: 3 })).toThrow(RangeError);
    });
  });
});
