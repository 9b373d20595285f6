import { OtpEvent, OtpEventsService, type OtpModuleOptions } from 'nestjs-otp';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';
import { lookups, verificationStarts } from './support/verify-requests.js';

const VOIP_PHONE = '(201) 555-0124';
const VOIP_E164 = '+12015550124';

function send(t: TestApp, phoneNumber = US_PHONE, channel = 'sms') {
  t.emulator.advanceTime(11 * 60_000);
  return t.http.post('/auth/otp/send').send({ channel, countryCode: 'US', phoneNumber });
}

function app(lookup: OtpModuleOptions['lookup'], otp: Partial<OtpModuleOptions> = {}) {
  return createTestApp({ otp: { rateLimit: false, ...otp, lookup } });
}

describe('Lookup v2 line check before sending', () => {
  describe('line types', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await app({}, { channels: ['sms', 'call', 'whatsapp'] });
    });
    afterEach(() => t.close());

    it('asks Lookup for the line type, then sends to a mobile', async () => {
      await send(t).expect(200);
      const [query] = lookups(t.emulator);
      expect(query.method).toBe('GET');
      expect(query.path).toBe(`/v2/PhoneNumbers/${US_E164}`);
      expect(query.params).toEqual({ Fields: 'line_type_intelligence' });
      expect(verificationStarts(t.emulator)).toHaveLength(1);
    });

    it.each(['nonFixedVoip', 'fixedVoip', 'landline'] as const)(
      'refuses a %s number with 422 DELIVERY_REFUSED, before anything reaches Verify',
      async (type) => {
        t.emulator.setLineType(VOIP_E164, type);
        const events: unknown[] = [];
        t.app.get(OtpEventsService).on(OtpEvent.DELIVERY_REFUSED, (e) => events.push(e));
        const res = await send(t, VOIP_PHONE).expect(422);
        expect(res.body).toMatchObject({ code: 'DELIVERY_REFUSED', results: false });
        expect(verificationStarts(t.emulator)).toHaveLength(0);
        expect(events).toEqual([
          expect.objectContaining({ maskedPhone: '+1******0124', reason: 'DELIVERY_REFUSED' }),
        ]);
        const logs = t.logs.lines.join('\n');
        expect(logs).toContain(`Lookup refused +1******0124: line type ${type}`);
        expect(logs).not.toContain(VOIP_E164);
        expect(logs).not.toContain('2015550124');
      },
    );

    it('refuses on the two-factor routes too', async () => {
      t.emulator.setLineType(VOIP_E164, 'nonFixedVoip');
      const res = await t.http
        .post('/auth/2fa/register/send')
        .send({
          email: 'v@example.com',
          phoneNumber: VOIP_PHONE,
          countryCode: 'US',
          channel: 'call',
        })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'DELIVERY_REFUSED', registerUser: false });
      expect(verificationStarts(t.emulator)).toHaveLength(0);
    });

    it('asks once for two sends to one number, refused or not', async () => {
      t.emulator.setLineType(VOIP_E164, 'nonFixedVoip');
      await send(t, VOIP_PHONE).expect(422);
      await send(t, VOIP_PHONE).expect(422);
      await send(t).expect(200);
      await send(t).expect(200);
      expect(lookups(t.emulator).map((r) => r.path)).toEqual([
        `/v2/PhoneNumbers/${VOIP_E164}`,
        `/v2/PhoneNumbers/${US_E164}`,
      ]);
      expect(verificationStarts(t.emulator)).toHaveLength(2);
    });

    it('does not check WhatsApp sends unless lookup.channels names it', async () => {
      t.emulator.setLineType(VOIP_E164, 'nonFixedVoip');
      await send(t, VOIP_PHONE, 'whatsapp').expect(200);
      expect(lookups(t.emulator)).toHaveLength(0);
    });
  });

  it('takes the line types it is given: landlines allowed for calls', async () => {
    const t = await app({ allowedLineTypes: ['mobile', 'landline'] });
    try {
      t.emulator.setLineType(VOIP_E164, 'landline');
      await send(t, VOIP_PHONE, 'call').expect(200);
      t.emulator.setLineType('+12015550125', 'nonFixedVoip');
      await send(t, '(201) 555-0125', 'call').expect(422);
    } finally {
      await t.close();
    }
  });

  it('refuses a high SMS pumping risk, asking for both packages', async () => {
    const t = await app({ maxSmsPumpingRisk: 60 });
    try {
      t.emulator.setSmsPumpingRisk(VOIP_E164, 75);
      t.emulator.setSmsPumpingRisk(US_E164, 40);
      const res = await send(t, VOIP_PHONE).expect(422);
      expect(res.body.code).toBe('DELIVERY_REFUSED');
      await send(t).expect(200);
      expect(lookups(t.emulator)[0].params).toEqual({
        Fields: 'line_type_intelligence,sms_pumping_risk',
      });
      expect(verificationStarts(t.emulator).map((r) => r.params.To)).toEqual([US_E164]);
      expect(t.logs.lines.join('\n')).toContain('Lookup refused +1******0124: SMS pumping risk 75');
    } finally {
      await t.close();
    }
  });

  it('asks for the pumping risk alone when line types are off', async () => {
    const t = await app({ allowedLineTypes: false, maxSmsPumpingRisk: 60 });
    try {
      t.emulator.setLineType(US_E164, 'nonFixedVoip');
      await send(t).expect(200);
      expect(lookups(t.emulator)[0].params).toEqual({ Fields: 'sms_pumping_risk' });
    } finally {
      await t.close();
    }
  });

  it('never looks up test numbers', async () => {
    const t = await app({}, { testNumbers: { '+12015550199': '123456' } });
    try {
      await send(t, '(201) 555-0199').expect(200);
      expect(t.emulator.requests()).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  describe('when Lookup is down', () => {
    it.each([
      ['a 503', { kind: 'status', status: 503 }],
      ['a connection reset', { kind: 'reset' }],
    ] as const)('fails open by default on %s: sends the code and logs it', async (_name, fault) => {
      const t = await app({});
      try {
        t.emulator.injectFault(fault, { endpoint: 'Lookup' });
        await send(t).expect(200);
        expect(verificationStarts(t.emulator)).toHaveLength(1);
        const logs = t.logs.lines.join('\n');
        expect(logs).toMatch(
          /Twilio Lookup for \+1\*{6}0123 failed .*sending without a line check/,
        );
        expect(logs).not.toContain(US_E164);
        // No answer is kept: the next send asks again.
        t.emulator.clearFaults();
        await send(t).expect(200);
        expect(lookups(t.emulator).length).toBeGreaterThanOrEqual(2);
      } finally {
        await t.close();
      }
    });

    it("fails closed with whenUnavailable: 'refuse': 503 with Retry-After, nothing sent, the send not counted", async () => {
      const t = await createTestApp({ otp: { lookup: { whenUnavailable: 'refuse' } } });
      try {
        t.emulator.injectFault({ kind: 'status', status: 503 }, { endpoint: 'Lookup', times: 1 });
        t.emulator.advanceTime(11 * 60_000);
        const body = { channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE };
        const res = await t.http.post('/auth/otp/send').send(body).expect(503);
        expect(res.body).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', results: false });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(verificationStarts(t.emulator)).toHaveLength(0);
        expect(t.logs.lines.join('\n')).toMatch(
          /Twilio Lookup for \+1\*{6}0123 failed .*refusing to send/,
        );
        // The refused send was not counted: the cooldown does not hold the retry back.
        await t.http.post('/auth/otp/send').send(body).expect(200);
        expect(verificationStarts(t.emulator)).toHaveLength(1);
      } finally {
        await t.close();
      }
    });
  });

  it('refuses misconfigured Lookup options at start-up, naming the option', async () => {
    await expect(app({ allowedLineTypes: ['mobile', 'voip' as never] })).rejects.toThrow(
      'OtpModule: option "lookup.allowedLineTypes" must be false or a non-empty list',
    );
    await expect(app({ maxSmsPumpingRisk: 150 })).rejects.toThrow(
      'OtpModule: option "lookup.maxSmsPumpingRisk" must be an integer from 0 to 100',
    );
    await expect(app({ whenUnavailable: 'open' as never })).rejects.toThrow(
      'OtpModule: option "lookup.whenUnavailable" must be "send" or "refuse"',
    );
  });
});
