import type { EmulatorDelivery } from '../emulator.types.js';
import { TwilioApiError } from './twilio-api.error.js';
import { VerifyState, type VerifyStateOptions } from './verify-state.js';

const SERVICE = 'VA' + '0'.repeat(32);
const TO = '+15005550006';
const MINUTE = 60_000;

/** The Twilio error `act` throws. */
function twilioError(act: () => unknown): TwilioApiError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(TwilioApiError);
    return error as TwilioApiError;
  }
  throw new Error('expected a TwilioApiError');
}

describe('VerifyState (without HTTP)', () => {
  let time: number;
  let delivered: EmulatorDelivery[];

  function state(options: Partial<VerifyStateOptions> = {}): VerifyState {
    return new VerifyState({
      serviceSid: SERVICE,
      now: () => time,
      onDelivery: (delivery) => delivered.push(delivery),
      ...options,
    });
  }

  const wrong = (code: string) => (code[0] === '0' ? '1' : '0') + code.slice(1);

  beforeEach(() => {
    time = Date.UTC(2026, 0, 1);
    delivered = [];
  });

  describe('start', () => {
    it('creates a pending verification and delivers its code', () => {
      const verify = state({ codeLength: 8 });
      const verification = verify.start({ To: TO, Channel: 'sms', Locale: 'pt-BR' });

      expect(verification).toMatchObject({
        to: TO,
        channel: 'sms',
        status: 'pending',
        checks: 0,
        createdAt: time,
        updatedAt: time,
      });
      expect(verification.sid).toMatch(/^VE[0-9a-f]{32}$/);
      expect(verification.code).toMatch(/^\d{8}$/);
      expect(verification.sendAttempts).toEqual([
        { sid: expect.stringMatching(/^VL[0-9a-f]{32}$/), channel: 'sms', at: time },
      ]);
      const delivery = {
        to: TO,
        channel: 'sms',
        code: verification.code,
        verificationSid: verification.sid,
        at: new Date(time),
        locale: 'pt-BR',
      };
      expect(verify.deliveries()).toEqual([delivery]);
      expect(delivered).toEqual([delivery]);
    });

    it('re-sends the pending code on the channel asked for', () => {
      const verify = state();
      const first = verify.start({ To: TO, Channel: 'sms' });
      time += MINUTE;
      const second = verify.start({ To: TO, Channel: 'call' });

      expect(second).toMatchObject({ sid: first.sid, code: first.code, channel: 'call' });
      expect(second.updatedAt).toBe(time);
      expect(second.sendAttempts.map((attempt) => attempt.channel)).toEqual(['sms', 'call']);
      expect(verify.deliveries(TO).map((delivery) => delivery.code)).toEqual([
        first.code,
        first.code,
      ]);
      expect(verify.deliveries('+15005550007')).toEqual([]);
    });

    it('hands out copies that later changes do not reach', () => {
      const verify = state();
      const started = verify.start({ To: TO, Channel: 'sms' });
      verify.start({ To: TO, Channel: 'sms' });
      expect(started.sendAttempts).toHaveLength(1);
      started.status = 'approved';
      expect(verify.fetch(started.sid)?.status).toBe('pending');
    });

    it('refuses what Twilio refuses, in Twilio’s order', () => {
      const verify = state({ disabledChannels: ['whatsapp'] });
      expect(twilioError(() => verify.start({ Channel: 'sms' }))).toMatchObject({
        status: 400,
        code: 20001,
        message: 'Missing required parameter To in the post body',
      });
      expect(twilioError(() => verify.start({ To: '5550006', Channel: 'sms' }))).toMatchObject({
        code: 60200,
        message: 'Invalid parameter `To`: 5550006',
      });
      expect(twilioError(() => verify.start({ To: TO, Channel: 'email' })).code).toBe(60200);
      expect(
        twilioError(() => verify.start({ To: TO, Channel: 'whatsapp', Tags: '[]' })),
      ).toMatchObject({ status: 400, code: 60223 });
      expect(twilioError(() => verify.start({ To: TO, Channel: 'sms', Tags: '[]' }))).toMatchObject(
        { code: 60200, message: 'Invalid parameter `Tags`: []' },
      );
      expect(
        twilioError(() => verify.start({ To: TO, Channel: 'sms', DeviceIp: '1.2.3' })).code,
      ).toBe(60200);
      expect(
        twilioError(() => verify.start({ To: TO, Channel: 'sms', RateLimits: '{"a":{}}' })).code,
      ).toBe(60200);
      expect(
        twilioError(() => verify.start({ To: TO, Channel: 'sms', Locale: 'xx' })),
      ).toMatchObject({
        status: 404,
        code: 20404,
        message: `The requested resource /Services/${SERVICE}/Verifications was not found`,
      });
      expect(verify.deliveries()).toEqual([]);
    });

    it('allows 5 sends per number per 10 minutes (60203), lifted when a verification ends', () => {
      const verify = state();
      for (let i = 0; i < 5; i += 1) verify.start({ To: TO, Channel: 'sms' });
      expect(twilioError(() => verify.start({ To: TO, Channel: 'sms' }))).toMatchObject({
        status: 429,
        code: 60203,
      });
      verify.start({ To: '+15005550007', Channel: 'sms' });

      time += 10 * MINUTE;
      expect(verify.start({ To: TO, Channel: 'sms' }).status).toBe('pending');
      for (let i = 0; i < 4; i += 1) verify.start({ To: TO, Channel: 'sms' });
      expect(twilioError(() => verify.start({ To: TO, Channel: 'sms' })).code).toBe(60203);
      verify.update(TO, { Status: 'canceled' });
      expect(verify.start({ To: TO, Channel: 'sms' }).status).toBe('pending');
    });
  });

  describe('check', () => {
    it('approves the right code, then the verification is gone', () => {
      const verify = state();
      const { sid, code } = verify.start({ To: TO, Channel: 'sms' });
      time += 1000;
      expect(verify.check({ To: TO, Code: code })).toMatchObject({
        sid,
        status: 'approved',
        checks: 1,
        updatedAt: time,
      });
      expect(verify.check({ VerificationSid: sid, Code: code })).toBeUndefined();
      expect(verify.fetch(sid)).toBeUndefined();
    });

    it('checks by VerificationSid as well as by To', () => {
      const verify = state();
      const { sid, code } = verify.start({ To: TO, Channel: 'sms' });
      expect(verify.check({ VerificationSid: sid, Code: wrong(code) })?.status).toBe('pending');
      expect(verify.check({ VerificationSid: sid, Code: code })?.status).toBe('approved');
    });

    it('locks the number after the fifth wrong code until the verification would expire', () => {
      const verify = state({ codeValiditySeconds: 300 });
      const { sid, code } = verify.start({ To: TO, Channel: 'sms' });
      for (let i = 1; i <= 5; i += 1) {
        expect(verify.check({ To: TO, Code: wrong(code) })).toMatchObject({
          status: 'pending',
          checks: i,
        });
      }
      const locked = { status: 429, code: 60202, message: 'Max check attempts reached' };
      expect(twilioError(() => verify.check({ To: TO, Code: code }))).toMatchObject(locked);
      expect(twilioError(() => verify.check({ VerificationSid: sid, Code: code }))).toMatchObject(
        locked,
      );
      expect(twilioError(() => verify.start({ To: TO, Channel: 'sms' }))).toMatchObject(locked);
      expect(verify.fetch(sid)).toBeUndefined();

      time += 5 * MINUTE;
      expect(verify.check({ VerificationSid: sid, Code: code })).toBeUndefined();
      expect(verify.start({ To: TO, Channel: 'sms' }).sid).not.toBe(sid);
    });

    it('validates the code before looking for the verification', () => {
      const verify = state();
      expect(twilioError(() => verify.check({ To: TO })).code).toBe(20001);
      expect(twilioError(() => verify.check({ To: TO, Code: '123' })).code).toBe(60200);
      expect(twilioError(() => verify.check({ Code: '123456' })).code).toBe(20001);
      expect(verify.check({ To: TO, Code: '123456' })).toBeUndefined();
    });
  });

  describe('expiry', () => {
    it('deletes a pending verification once its validity is over', () => {
      const verify = state({ codeValiditySeconds: 120 });
      const { sid, code } = verify.start({ To: TO, Channel: 'sms' });
      time += 2 * MINUTE - 1;
      expect(verify.fetch(sid)?.status).toBe('pending');
      time += 1;
      expect(verify.fetch(sid)).toBeUndefined();
      expect(verify.fetch(TO)).toBeUndefined();
      expect(verify.check({ To: TO, Code: code })).toBeUndefined();
      expect(verify.start({ To: TO, Channel: 'sms' }).sid).not.toBe(sid);
    });
  });

  describe('fetch and update', () => {
    it('keeps a canceled verification fetchable by sid, not by number', () => {
      const verify = state();
      const { sid } = verify.start({ To: TO, Channel: 'sms' });
      time += 1000;
      expect(verify.update(sid, { Status: 'canceled' })).toMatchObject({
        status: 'canceled',
        updatedAt: time,
      });
      expect(verify.fetch(sid)?.status).toBe('canceled');
      expect(verify.fetch(TO)).toBeUndefined();
      expect(verify.update(sid, { Status: 'approved' })).toBeUndefined();
    });

    it('approves by number, and refuses another status', () => {
      const verify = state();
      const { sid } = verify.start({ To: TO, Channel: 'sms' });
      expect(twilioError(() => verify.update(TO, {})).code).toBe(20001);
      expect(twilioError(() => verify.update(TO, { Status: 'pending' }))).toMatchObject({
        code: 60200,
        message: 'Invalid parameter `Status`: pending',
      });
      expect(verify.update(TO, { Status: 'approved' })).toMatchObject({ sid, status: 'approved' });
      expect(verify.fetch(sid)).toBeUndefined();
    });

    it('limits status fetches per number, by sid and by number alike (20429)', () => {
      const verify = state();
      const { sid } = verify.start({ To: TO, Channel: 'sms' });
      for (let i = 0; i < 30; i += 1) {
        verify.fetch(sid);
        verify.fetch(TO);
      }
      expect(twilioError(() => verify.fetch(sid))).toMatchObject({
        status: 429,
        code: 20429,
        message: 'Too many requests',
      });
      expect(verify.fetch('+15005550007')).toBeUndefined();
      time += MINUTE;
      expect(verify.fetch(sid)?.sid).toBe(sid);
    });
  });

  it('reset forgets verifications, deliveries, locks and counters', () => {
    const verify = state();
    const { sid, code } = verify.start({ To: TO, Channel: 'sms' });
    for (let i = 0; i < 5; i += 1) verify.check({ To: TO, Code: wrong(code) });
    verify.reset();

    expect(verify.deliveries()).toEqual([]);
    expect(verify.fetch(sid)).toBeUndefined();
    for (let i = 0; i < 5; i += 1) verify.start({ To: TO, Channel: 'sms' });
  });

  it('rejects an out-of-range code length or validity', () => {
    expect(() => state({ codeLength: 3 })).toThrow(
      new RangeError('codeLength must be an integer from 4 to 10, got 3'),
    );
    expect(() => state({ codeLength: 10.5 })).toThrow(RangeError);
    expect(() => state({ codeValiditySeconds: 119 })).toThrow(
      new RangeError('codeValiditySeconds must be an integer from 120 to 86400, got 119'),
    );
    expect(() => state({ codeValiditySeconds: 86_401 })).toThrow(RangeError);
  });
});
