import { OtpService } from 'nestjs-otp';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';
import { verificationStarts } from './support/verify-requests.js';

/** Sends a passwordless code with this Accept-Language (none when undefined). */
function send(t: TestApp, acceptLanguage?: string) {
  t.emulator.advanceTime(11 * 60_000);
  const req = t.http.post('/auth/otp/send');
  if (acceptLanguage !== undefined) req.set('Accept-Language', acceptLanguage);
  return req.send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE });
}

/** The Locale of the last verification start, or undefined when none was sent. */
function lastLocale(t: TestApp): string | undefined {
  return verificationStarts(t.emulator).at(-1)?.params.Locale;
}

describe("The code's language (locale)", () => {
  describe("'auto' (the default): from Accept-Language", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ otp: { rateLimit: false } });
    });
    afterAll(() => t.close());

    it.each<[string, string | undefined]>([
      ['pt-BR', 'pt-BR'],
      ['pt-PT,pt;q=0.9', 'pt'],
      ['fr-CH, fr;q=0.9, en;q=0.8', 'fr'],
      ['de;q=0.3, es;q=0.8', 'es'],
      ['en-GB,en;q=0.9', 'en-GB'],
      ['xx-YY, zz;q=0.5, it;q=0.1', 'it'],
      ['zh-Hant-HK', 'zh-HK'],
    ])(
      'Accept-Language %j sends Locale %j, and the code goes out in it',
      async (header, locale) => {
        await send(t, header).expect(200);
        expect(lastLocale(t)).toBe(locale);
        expect(t.emulator.deliveries(US_E164).at(-1)?.locale).toBe(locale);
      },
    );

    it('sends no Locale when no language Twilio supports is accepted, so Twilio uses the country', async () => {
      for (const header of ['xx-YY, zz;q=0.5', '*', 'pt;q=0']) {
        await send(t, header).expect(200);
        expect(verificationStarts(t.emulator).at(-1)?.params).not.toHaveProperty('Locale');
        expect(t.emulator.deliveries(US_E164).at(-1)?.locale).toBeUndefined();
      }
    });

    it('sends no Locale without an Accept-Language header', async () => {
      await send(t).expect(200);
      expect(verificationStarts(t.emulator).at(-1)?.params).not.toHaveProperty('Locale');
    });

    it('takes the language on every send route', async () => {
      const who = { email: 'loc@example.com', phoneNumber: '(201) 555-0150', countryCode: 'US' };
      await t.http
        .post('/auth/2fa/register/send')
        .set('Accept-Language', 'nl-BE')
        .send({ ...who, channel: 'sms' })
        .expect(200);
      expect(lastLocale(t)).toBe('nl');
      await t.http
        .post('/auth/2fa/register')
        .send({
          ...who,
          password: 'correct horse battery',
          confirmationCode: t.emulator.lastCode('+12015550150'),
        })
        .expect(201);
      t.emulator.advanceTime(11 * 60_000);
      await t.http
        .post('/auth/2fa/login/send')
        .set('Accept-Language', 'ja-JP')
        .send({ email: who.email, password: 'correct horse battery', channel: 'sms' })
        .expect(200);
      expect(lastLocale(t)).toBe('ja');
      t.emulator.advanceTime(11 * 60_000);
      await t.http
        .post('/auth/2fa/password/send')
        .set('Accept-Language', 'sv')
        .send({ email: who.email, channel: 'sms' })
        .expect(200);
      // The reset code goes out in the background.
      for (let i = 0; i < 100 && lastLocale(t) !== 'sv'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(lastLocale(t)).toBe('sv');
    });

    it("lets the host choose a member's language through the service, over Accept-Language", async () => {
      t.emulator.advanceTime(11 * 60_000);
      const otp = t.app.get(OtpService);
      await otp.sendLoginConfirmCode('sms', 'US', US_PHONE, {
        acceptLanguage: 'de',
        locale: 'pt-br',
      });
      expect(lastLocale(t)).toBe('pt-BR');
      t.emulator.advanceTime(11 * 60_000);
      await otp.sendLoginConfirmCode('sms', 'US', US_PHONE, { acceptLanguage: 'de' });
      expect(lastLocale(t)).toBe('de');
    });

    it('sends again without the locale when Twilio refuses it, as Twilio advises', async () => {
      t.emulator.advanceTime(11 * 60_000);
      const before = verificationStarts(t.emulator).length;
      t.emulator.injectFault(
        {
          kind: 'status',
          status: 404,
          code: 20404,
          message: 'The requested resource was not found',
        },
        { endpoint: 'Verifications', times: 1 },
      );
      await send(t, 'fr').expect(200);
      const starts = verificationStarts(t.emulator).slice(before);
      expect(starts.map((r) => r.params.Locale)).toEqual(['fr', undefined]);
      expect(t.emulator.deliveries(US_E164).at(-1)?.locale).toBeUndefined();
      expect(t.logs.lines.join('\n')).toContain('Twilio Verify refused locale fr for +1******0123');
    });

    it('refuses a host locale Twilio does not support with 400 VALIDATION_FAILED, sending nothing', async () => {
      const before = verificationStarts(t.emulator).length;
      const otp = t.app.get(OtpService);
      await expect(
        otp.sendLoginConfirmCode('sms', 'US', US_PHONE, { locale: 'tlh' }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        status: 400,
      });
      expect(verificationStarts(t.emulator)).toHaveLength(before);
    });
  });

  describe('a fixed locale', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ otp: { rateLimit: false, locale: 'es' } });
    });
    afterAll(() => t.close());

    it('sends that locale whatever the visitor accepts', async () => {
      await send(t, 'fr').expect(200);
      expect(lastLocale(t)).toBe('es');
      await send(t).expect(200);
      expect(lastLocale(t)).toBe('es');
      expect(t.emulator.deliveries(US_E164).at(-1)?.locale).toBe('es');
    });
  });

  describe('locale: false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ otp: { rateLimit: false, locale: false } });
    });
    afterAll(() => t.close());

    it('never sends a Locale, leaving the language to the number’s country', async () => {
      await send(t, 'fr').expect(200);
      expect(verificationStarts(t.emulator).at(-1)?.params).not.toHaveProperty('Locale');
    });
  });

  it('refuses at start-up a locale Twilio Verify does not support, naming the option', async () => {
    await expect(createTestApp({ otp: { locale: 'pt-PT' as never } })).rejects.toThrow(
      'OtpModule: option "locale" must be "auto", false or a locale Twilio Verify supports',
    );
  });
});
