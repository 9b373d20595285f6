import { getCountries } from 'libphonenumber-js/max';
import { CountriesService } from '../phone/countries.service.js';
import { MemoryRateLimitStorage } from '../rate-limit/memory-rate-limit.storage.js';
import type { RateLimitStorage } from '../rate-limit/rate-limit-storage.interface.js';
import type { VerificationProvider } from '../verification/verification-provider.interface.js';
import { otpOptionsFromEnv } from './otp.config.js';
import { RATE_RULES } from './otp-defaults.js';
import type { OtpModuleOptions } from './otp-options.interface.js';
import { OtpOptionsError, resolveOtpOptions } from './resolve-options.js';

const HEX32 = '0123456789abcdef'.repeat(2);
const TWILIO = {
  accountSid: `AC${HEX32}`,
  authToken: 'an-auth-token-of-32-characters!!',
  verifyServiceSid: `VA${HEX32}`,
};
const BASE = { twilio: TWILIO, mailDomain: 'example.com' };

/** The base options with `overrides` on top, loosely typed so that tests can pass what the types refuse. */
function resolve(overrides: Record<string, unknown> = {}) {
  return resolveOtpOptions({ ...BASE, ...overrides } as unknown as OtpModuleOptions);
}

/** The error `resolve(overrides)` throws; fails the test when it throws none. */
function refusal(overrides: Record<string, unknown>): Error {
  try {
    resolve(overrides);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`accepted ${JSON.stringify(overrides)}`);
}

const provider: VerificationProvider = {
  start: async () => undefined,
  check: async () => 'approved',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('resolveOtpOptions', () => {
  describe('defaults', () => {
    it('fills in every default the options document', () => {
      const resolved = resolve();
      expect(resolved.twilio).toEqual({ ...TWILIO, baseUrl: undefined, timeoutMs: 5_000 });
      expect(resolved.verificationProvider).toBeUndefined();
      expect(resolved.approval).toBe('automatic');
      expect([...resolved.channels]).toEqual(['sms', 'call']);
      expect(resolved.allowedCountries).toBeUndefined();
      expect(resolved.session).toEqual({
        ttlMs: 12 * HOUR,
        idleTimeoutMs: HOUR,
        cacheTtlMs: 2_000,
        cacheSize: 10_000,
        cookie: undefined,
        revocation: {
          channel: 'auto',
          cacheTtlMs: 300_000,
          name: 'nestjs_otp_sessions',
          postgresConnection: undefined,
        },
      });
      expect(resolved.testNumbers.size).toBe(0);
    });

    it('turns every rate rule on, at the limits the options document', () => {
      const { storage, rules } = resolve().rateLimit;
      expect(storage).toBeInstanceOf(MemoryRateLimitStorage);
      expect(rules).toEqual({
        sendCooldown: { limit: 1, windowMs: 30_000 },
        sendsPerPhone: { limit: 5, windowMs: 10 * MINUTE },
        sendsPerIp: { limit: 20, windowMs: HOUR },
        sendsPerRange: { limit: 10, windowMs: HOUR },
        sendsPerCountry: { limit: 1_000, windowMs: HOUR },
        sendsPerEmail: { limit: 5, windowMs: 10 * MINUTE },
        checksPerPhone: { limit: 30, windowMs: 10 * MINUTE },
        checksPerIp: { limit: 100, windowMs: 15 * MINUTE },
        resetChecksPerEmail: { limit: 30, windowMs: 10 * MINUTE },
        passwordAttemptsPerIp: { limit: 100, windowMs: 15 * MINUTE },
        passwordFailuresPerClient: { limit: 10, windowMs: 15 * MINUTE },
        passwordFailuresPerEmail: { limit: 30, windowMs: MINUTE },
      });
      expect(Object.keys(rules).sort()).toEqual(['sendCooldown', ...RATE_RULES].sort());
    });

    it('gives each module instance counters of its own', () => {
      expect(resolve().rateLimit.storage).not.toBe(resolve().rateLimit.storage);
    });

    it('fills in the cookie defaults when cookie mode is on', () => {
      expect(resolve({ session: { cookie: {} } }).session.cookie).toEqual({
        name: 'otp_session',
        secure: true,
        sameSite: 'lax',
        domain: undefined,
        path: '/',
        csrfHeader: 'x-requested-with',
      });
    });
  });

  describe('overrides', () => {
    it('keeps the Twilio transport settings given', () => {
      const { twilio } = resolve({
        twilio: { ...TWILIO, baseUrl: 'http://127.0.0.1:4010', timeoutMs: 1_500 },
      });
      expect(twilio).toMatchObject({ baseUrl: 'http://127.0.0.1:4010', timeoutMs: 1_500 });
    });

    it('accepts a verification provider instead of Twilio', () => {
      const resolved = resolveOtpOptions({ verificationProvider: provider, mailDomain: 'x.org' });
      expect(resolved.twilio).toBeUndefined();
      expect(resolved.verificationProvider).toBe(provider);
    });

    it('merges approval, channels, countries and the mail domain, normalising case', () => {
      const resolved = resolve({
        mailDomain: 'Members.Example.COM',
        approval: 'manual',
        channels: ['sms'],
        allowedCountries: ['gb', 'US'],
      });
      expect(resolved.mailDomain).toBe('members.example.com');
      expect(resolved.approval).toBe('manual');
      expect([...resolved.channels]).toEqual(['sms']);
      expect([...(resolved.allowedCountries ?? [])].sort()).toEqual(['GB', 'US']);
    });

    it('converts session lifetimes to milliseconds, and accepts a cache of 0 (off)', () => {
      const { session } = resolve({
        session: { ttlSeconds: 600, idleTimeoutSeconds: 60, cacheTtlMs: 0, cacheSize: 5 },
      });
      expect(session).toMatchObject({
        ttlMs: 600_000,
        idleTimeoutMs: 60_000,
        cacheTtlMs: 0,
        cacheSize: 5,
      });
    });

    it('caps the idle timeout at the absolute lifetime', () => {
      const { session } = resolve({ session: { ttlSeconds: 300, idleTimeoutSeconds: 3_600 } });
      expect(session.idleTimeoutMs).toBe(300_000);
    });

    it('merges cookie settings and lower-cases the CSRF header name', () => {
      const cookie = {
        name: 'sid',
        secure: false,
        sameSite: 'strict',
        domain: 'example.com',
        path: '/app',
        csrfHeader: 'X-CSRF-Token',
      };
      expect(resolve({ session: { cookie } }).session.cookie).toEqual({
        ...cookie,
        csrfHeader: 'x-csrf-token',
      });
    });

    it('maps test numbers to their fixed codes', () => {
      const { testNumbers } = resolve({ testNumbers: { '+15005550006': '123456' } });
      expect([...testNumbers]).toEqual([['+15005550006', '123456']]);
    });
  });

  describe('cookie domain and path', () => {
    it.each(['example.com', '.example.com', 'auth.example.co.uk', 'xn--bcher-kva.example'])(
      'accepts the domain %s',
      (domain) => {
        expect(resolve({ session: { cookie: { domain } } }).session.cookie?.domain).toBe(domain);
      },
    );

    it.each(['/', '/app', '/app/v1', '/~me/a-b_c.d'])('accepts the path %s', (path) => {
      expect(resolve({ session: { cookie: { path } } }).session.cookie?.path).toBe(path);
    });
  });

  describe('allowedCountries and the country list', () => {
    it('accepts exactly the countries that the country list offers, in any case', () => {
      const offered = new CountriesService(resolve()).getCountries().map((c) => c.code);
      const accepted = getCountries().filter((code) => {
        try {
          return resolve({ allowedCountries: [code.toLowerCase()] }).allowedCountries?.has(code);
        } catch (error) {
          if (error instanceof OtpOptionsError) return false;
          throw error;
        }
      });
      expect(accepted.sort()).toEqual([...offered].sort());
      expect(
        getCountries()
          .filter((code) => !accepted.includes(code))
          .sort(),
      ).toEqual(['AC', 'TA', 'XK']);
    });
  });

  describe('rate rules', () => {
    it('changes one rule and keeps the others at their defaults', () => {
      const { rules } = resolve({
        rateLimit: { sendsPerPhone: { limit: 3, windowSeconds: 60 } },
      }).rateLimit;
      expect(rules.sendsPerPhone).toEqual({ limit: 3, windowMs: 60_000 });
      expect(rules.sendsPerIp).toEqual({ limit: 20, windowMs: HOUR });
    });

    it('turns a rule set to false off, and only that one', () => {
      const { rules } = resolve({ rateLimit: { checksPerIp: false } }).rateLimit;
      expect(rules.checksPerIp).toBeUndefined();
      expect(rules.checksPerPhone).toEqual({ limit: 30, windowMs: 10 * MINUTE });
    });

    it.each([0, false])('turns the send cooldown off with %p', (sendCooldownSeconds) => {
      const { rules } = resolve({ rateLimit: { sendCooldownSeconds } }).rateLimit;
      expect(rules.sendCooldown).toBeUndefined();
      expect(rules.sendsPerPhone).toBeDefined();
    });

    it('resolves a changed cooldown as one send per window', () => {
      const { rules } = resolve({ rateLimit: { sendCooldownSeconds: 10 } }).rateLimit;
      expect(rules.sendCooldown).toEqual({ limit: 1, windowMs: 10_000 });
    });

    it('turns every rule off with rateLimit: false, keeping a storage', () => {
      const { storage, rules } = resolve({ rateLimit: false }).rateLimit;
      expect(rules).toEqual({});
      expect(storage).toBeInstanceOf(MemoryRateLimitStorage);
    });

    it('uses the storage given', () => {
      const storage: RateLimitStorage = {
        hit: async () => ({ allowed: true, hitId: '1' }),
        undo: async () => undefined,
        clear: async () => undefined,
      };
      expect(resolve({ rateLimit: { storage } }).rateLimit.storage).toBe(storage);
    });

    it('refuses the legacy passwordAttemptsPerEmail, naming its replacements', () => {
      for (const value of [{ limit: 5, windowSeconds: 60 }, false]) {
        const error = refusal({ rateLimit: { passwordAttemptsPerEmail: value } });
        expect(error).toBeInstanceOf(OtpOptionsError);
        expect(error.message).toContain('"rateLimit.passwordAttemptsPerEmail" is replaced by');
        expect(error.message).toContain('"passwordFailuresPerClient"');
        expect(error.message).toContain('"passwordFailuresPerEmail"');
      }
    });
  });

  describe('refusals at start-up', () => {
    it('refuses options that are not an object', () => {
      expect(() => resolveOtpOptions(null as unknown as OtpModuleOptions)).toThrow(
        'OtpModule: option "options" must be an object',
      );
    });

    it('words its error as an OtpOptionsError naming the option', () => {
      const error = refusal({ approval: 'sometimes' });
      expect(error).toBeInstanceOf(OtpOptionsError);
      expect(error.name).toBe('OtpOptionsError');
      expect(error.message).toBe('OtpModule: option "approval" must be "automatic" or "manual"');
    });

    const twilio = (patch: Record<string, unknown>) => ({ twilio: { ...TWILIO, ...patch } });
    const session = (patch: Record<string, unknown>) => ({ session: patch });
    const cookie = (patch: Record<string, unknown>) => ({ session: { cookie: patch } });
    const rateLimit = (patch: Record<string, unknown>) => ({ rateLimit: patch });

    it.each<[string, Record<string, unknown>, string]>([
      ['twilio', { twilio: 'AC...' }, 'must be an object'],
      ['twilio', { twilio: undefined }, 'is required unless "verificationProvider" is given'],
      ['twilio.accountSid', twilio({ accountSid: 'AC123' }), 'must start with "AC" followed by 32'],
      ['twilio.authToken', twilio({ authToken: 'short' }), 'is too short'],
      ['twilio.accountSid', twilio({ accountSid: '' }), 'is missing (is TWILIO_ACCOUNT_SID set?'],
      [
        'twilio.authToken',
        twilio({ authToken: undefined }),
        'is missing (is TWILIO_AUTH_TOKEN set?',
      ],
      [
        'twilio.verifyServiceSid',
        twilio({ verifyServiceSid: '' }),
        'is missing (is TWILIO_VERIFY_SERVICE_SID set?',
      ],
      [
        'twilio.verifyServiceSid',
        twilio({ verifyServiceSid: `AC${HEX32}` }),
        'must start with "VA"',
      ],
      ['twilio.baseUrl', twilio({ baseUrl: 'ftp://127.0.0.1' }), 'must be an http(s) URL'],
      ['twilio.baseUrl', twilio({ baseUrl: '127.0.0.1:4010' }), 'must be an http(s) URL'],
      ['twilio.timeoutMs', twilio({ timeoutMs: 0 }), 'must be a positive integer'],
      [
        'verificationProvider',
        { verificationProvider: { start: provider.start } },
        'must implement start() and check()',
      ],
      ['mailDomain', { mailDomain: undefined }, 'must be a domain name such as "example.com"'],
      ['mailDomain', { mailDomain: 'localhost' }, 'must be a domain name'],
      ['approval', { approval: 'auto' }, 'must be "automatic" or "manual"'],
      ['channels', { channels: [] }, 'must be a non-empty list of sms, call'],
      ['channels', { channels: ['sms', 'email'] }, 'must be a non-empty list of sms, call'],
      ['allowedCountries', { allowedCountries: ['GB', 'XX'] }, 'ISO 3166-1 alpha-2 codes'],
      ['allowedCountries', { allowedCountries: 'GB' }, 'must be a non-empty list'],
      ['session.ttlSeconds', session({ ttlSeconds: 0 }), 'must be a positive integer'],
      ['session.idleTimeoutSeconds', session({ idleTimeoutSeconds: 1.5 }), 'positive integer'],
      ['session.cacheTtlMs', session({ cacheTtlMs: -1 }), 'must be a non-negative integer'],
      ['session.revocation', session({ revocation: 'redis' }), 'must be an object'],
      [
        'session.revocation.channel',
        session({ revocation: { channel: 'redis' } }),
        'must be "auto", "postgres", "single-process", false or { redis: client }',
      ],
      [
        'session.revocation.channel',
        session({ revocation: { channel: { redis: { publish() {} } } } }),
        'with a client that has publish() and duplicate()',
      ],
      [
        'session.revocation.cacheTtlMs',
        session({ revocation: { cacheTtlMs: 1.5 } }),
        'must be a non-negative integer',
      ],
      [
        'session.revocation.postgresConnection',
        session({ revocation: { postgresConnection: 'postgres://db' } }),
        'must be an object',
      ],
      [
        'session.revocation.name',
        session({ revocation: { name: 'otp; DROP TABLE x' } }),
        'must be 1 to 63 letters, digits or underscores',
      ],
      ['session.cacheSize', session({ cacheSize: '100' }), 'must be a positive integer'],
      ['session.cookie.name', cookie({ name: 'otp session' }), 'must be a valid cookie name'],
      ['session.cookie.sameSite', cookie({ sameSite: 'none' }), 'must be "lax" or "strict"'],
      [
        'session.cookie.csrfHeader',
        cookie({ csrfHeader: 'X CSRF' }),
        'must be an HTTP header name',
      ],
      ['rateLimit.storage', rateLimit({ storage: { hit: 'hit' } }), 'must implement hit(), undo()'],
      ['rateLimit.sendCooldownSeconds', rateLimit({ sendCooldownSeconds: -5 }), 'positive integer'],
      ['rateLimit.sendsPerIp', rateLimit({ sendsPerIp: 20 }), 'must be { limit, windowSeconds }'],
      [
        'rateLimit.sendsPerPhone.limit',
        rateLimit({ sendsPerPhone: { limit: 0, windowSeconds: 60 } }),
        'must be a positive integer',
      ],
      [
        'rateLimit.checksPerIp.windowSeconds',
        rateLimit({ checksPerIp: { limit: 10 } }),
        'must be a positive integer',
      ],
      ['session.ttlSeconds', session({ ttlSeconds: 1e300 }), 'must be a positive integer'],
      ['session.cookie', session({ cookie: null }), 'must be an object'],
      ['session.cookie.name', cookie({ name: 123 }), 'must be a valid cookie name'],
      ['session.cookie.secure', cookie({ secure: 'no' }), 'must be true or false'],
      ['session.cookie.domain', cookie({ domain: 'example.com; Secure' }), 'must be a domain'],
      ['session.cookie.domain', cookie({ domain: 'https://example.com' }), 'must be a domain'],
      ['session.cookie.domain', cookie({ domain: 'example..com' }), 'must be a domain'],
      ['session.cookie.domain', cookie({ domain: '10.0.0.1' }), 'must be a domain'],
      ['session.cookie.domain', cookie({ domain: 42 }), 'must be a domain'],
      ['session.cookie.path', cookie({ path: 'app' }), 'must start with "/"'],
      ['session.cookie.path', cookie({ path: '/app; Domain=x' }), 'without ";" or "<"'],
      ['session.cookie.path', cookie({ path: '/app\u0000' }), 'must start with "/"'],
      ['session.cookie.path', cookie({ path: `/${'a'.repeat(1024)}` }), 'at most 1024'],
      ['session.cookie.path', cookie({ path: null }), 'must start with "/"'],
      ['allowedCountries', { allowedCountries: ['GB', 'zz'] }, 'unknown: "ZZ"'],
      ['allowedCountries', { allowedCountries: ['GB', 3] }, 'must be a non-empty list'],
      ['allowedCountries', { allowedCountries: ['GB', 'xk', 'TA'] }, 'names "XK", "TA": not ISO'],
      ['allowedCountries', { allowedCountries: ['AC'] }, 'names "AC"'],
      ['rateLimit.sendsPerIp', rateLimit({ sendsPerIp: null }), 'must be { limit, windowSeconds }'],
      ['rateLimit.sendPerPhone', rateLimit({ sendPerPhone: false }), 'is not a rate rule'],
      ['testNumbers', { testNumbers: { '15005550006': '123456' } }, 'must map E.164 numbers'],
      ['testNumbers', { testNumbers: { '+15005550006': '12' } }, 'codes of 4 to 10 digits'],
    ])('refuses a bad %s (%j)', (option, overrides, problem) => {
      const error = refusal(overrides);
      expect(error).toBeInstanceOf(OtpOptionsError);
      expect(error.message).toContain(`OtpModule: option "${option}" `);
      expect(error.message).toContain(problem);
    });

    describe('test numbers in production', () => {
      const saved = process.env.NODE_ENV;
      beforeEach(() => (process.env.NODE_ENV = 'production'));
      afterEach(() => (process.env.NODE_ENV = saved));
      const testNumbers = { '+15005550006': '123456' };

      it('refuses them', () => {
        expect(refusal({ testNumbers }).message).toContain(
          'option "testNumbers" is refused in production; set "allowTestNumbersInProduction"',
        );
      });

      it('accepts them with allowTestNumbersInProduction, and starts without any', () => {
        expect(resolve({ testNumbers, allowTestNumbersInProduction: true }).testNumbers.size).toBe(
          1,
        );
        expect(resolve().testNumbers.size).toBe(0);
      });
    });
  });

  describe('from the environment (otpConfig)', () => {
    const env = {
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_VERIFY_SERVICE_SID: TWILIO.verifyServiceSid,
      OTP_MAIL_DOMAIN: 'example.com',
    };

    it('resolves to the defaults from the Twilio variables and the mail domain alone', () => {
      expect(resolveOtpOptions(otpOptionsFromEnv(env))).toEqual(resolve());
    });

    it('reads lists, numbers and a secure cookie', () => {
      const resolved = resolveOtpOptions(
        otpOptionsFromEnv({
          ...env,
          OTP_CHANNELS: 'sms, call',
          OTP_ALLOWED_COUNTRIES: 'us,ca',
          OTP_SESSION_TTL_SECONDS: '600',
          OTP_SESSION_COOKIE: 'true',
          OTP_SEND_COOLDOWN_SECONDS: '0',
        }),
      );
      expect([...resolved.channels]).toEqual(['sms', 'call']);
      expect([...(resolved.allowedCountries ?? [])]).toEqual(['US', 'CA']);
      expect(resolved.session.ttlMs).toBe(600_000);
      expect(resolved.session.cookie?.secure).toBe(true);
      expect(resolved.rateLimit.rules.sendCooldown).toBeUndefined();
    });

    it('fails start-up on a value that is not a number, naming the option', () => {
      expect(() =>
        resolveOtpOptions(otpOptionsFromEnv({ ...env, OTP_SEND_COOLDOWN_SECONDS: '30s' })),
      ).toThrow('option "rateLimit.sendCooldownSeconds" must be a positive integer');
    });
  });
});

describe('resolveOtpOptions: Twilio Verify parameters, locale, WhatsApp and Lookup', () => {
  const withTwilio = (extra: Record<string, unknown>) => ({ twilio: { ...TWILIO, ...extra } });

  it('defaults: automatic locale, Twilio’s 10-minute codes, DeviceIp on, no Lookup', () => {
    const resolved = resolve();
    expect(resolved.locale).toBe('auto');
    expect(resolved.codeTtlSeconds).toBe(600);
    expect(resolved.verify).toEqual({ deviceIp: true });
    expect(resolved.lookup).toBeUndefined();
  });

  it('takes a fixed locale in Twilio’s spelling, or false', () => {
    expect(resolve({ locale: 'pt-br' }).locale).toBe('pt-BR');
    expect(resolve({ locale: 'fr' }).locale).toBe('fr');
    expect(resolve({ locale: false }).locale).toBe(false);
  });

  it('resolves the send parameters, Tags as Twilio’s JSON text', () => {
    const resolved = resolve(
      withTwilio({
        customFriendlyName: 'Acme',
        appHash: 'He42w354ol9',
        tags: { app: 'web', tenant: 'acme' },
        deviceIp: false,
        rateLimits: { clientIp: 'end_user_ip', phone: 'end_user_phone' },
      }),
    );
    expect(resolved.verify).toEqual({
      customFriendlyName: 'Acme',
      appHash: 'He42w354ol9',
      tags: '{"app":"web","tenant":"acme"}',
      deviceIp: false,
      rateLimits: { clientIp: 'end_user_ip', phone: 'end_user_phone' },
    });
  });

  it('accepts WhatsApp as a channel', () => {
    expect([...resolve({ channels: ['sms', 'whatsapp'] }).channels]).toEqual(['sms', 'whatsapp']);
  });

  it('resolves Lookup with its defaults', () => {
    const { lookup } = resolve({ lookup: {} });
    expect(lookup).toEqual({
      allowedLineTypes: new Set(['mobile', 'personal']),
      maxSmsPumpingRisk: undefined,
      channels: new Set(['sms', 'call']),
      whenUnavailable: 'send',
      cacheTtlMs: 86_400_000,
      cacheSize: 10_000,
    });
    expect(
      resolve({
        lookup: { allowedLineTypes: false, maxSmsPumpingRisk: 60, whenUnavailable: 'refuse' },
      }).lookup,
    ).toMatchObject({
      allowedLineTypes: undefined,
      maxSmsPumpingRisk: 60,
      whenUnavailable: 'refuse',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['locale', { locale: 'xx' }, 'must be "auto", false or a locale Twilio Verify supports'],
    ['locale', { locale: 'pt-PT' }, 'a locale Twilio Verify supports (af, ar'],
    ['locale', { locale: true }, 'must be "auto", false or a locale'],
    ['codeTtlSeconds', { codeTtlSeconds: 0 }, 'must be a positive integer'],
    [
      'channels',
      { channels: ['sms', 'telegram'] },
      'must be a non-empty list of sms, call, whatsapp',
    ],
    ['twilio.customFriendlyName', withTwilio({ customFriendlyName: '' }), 'non-empty string'],
    [
      'twilio.customFriendlyName',
      withTwilio({ customFriendlyName: 'x'.repeat(33) }),
      'at most 32 characters',
    ],
    [
      'twilio.customFriendlyName',
      withTwilio({ customFriendlyName: 'Acme\nYour code is 000000' }),
      'must not contain control characters',
    ],
    ['twilio.appHash', withTwilio({ appHash: 'short' }), 'must be the 11-character hash'],
    ['twilio.tags', withTwilio({ tags: { n: 1 } }), 'must be an object of 1 to 10 string values'],
    ['twilio.tags', withTwilio({ tags: {} }), 'must be an object of 1 to 10'],
    ['twilio.tags', withTwilio({ tags: { k: 'v'.repeat(129) } }), 'at most 128 characters'],
    [
      'twilio.tags',
      withTwilio({ tags: Object.fromEntries([...Array(11).keys()].map((i) => [`k${i}`, 'v'])) }),
      'of 1 to 10 string values',
    ],
    ['twilio.deviceIp', withTwilio({ deviceIp: 'yes' }), 'must be true or false'],
    ['twilio.rateLimits', withTwilio({ rateLimits: 'phone' }), 'must be an object'],
    ['twilio.rateLimits', withTwilio({ rateLimits: {} }), 'must name a Rate Limit'],
    [
      'twilio.rateLimits.email',
      withTwilio({ rateLimits: { email: 'by_email' } }),
      'the keys are clientIp and phone',
    ],
    ['twilio.rateLimits.phone', withTwilio({ rateLimits: { phone: '' } }), 'non-empty string'],
    [
      'twilio.rateLimits',
      withTwilio({ rateLimits: { clientIp: 'same', phone: 'same' } }),
      'two different Rate Limits',
    ],
    ['lookup', { lookup: true }, 'must be an object'],
    ['lookup', { twilio: undefined, verificationProvider: provider, lookup: {} }, 'needs "twilio"'],
    ['lookup', { lookup: { allowedLineTypes: false } }, 'asks for nothing'],
    [
      'lookup.allowedLineTypes',
      { lookup: { allowedLineTypes: ['mobile', 'voip'] } },
      'must be false or a non-empty list of mobile, landline',
    ],
    ['lookup.allowedLineTypes', { lookup: { allowedLineTypes: [] } }, 'non-empty list'],
    ['lookup.maxSmsPumpingRisk', { lookup: { maxSmsPumpingRisk: 101 } }, 'from 0 to 100'],
    ['lookup.maxSmsPumpingRisk', { lookup: { maxSmsPumpingRisk: '50' } }, 'from 0 to 100'],
    ['lookup.channels', { lookup: { channels: ['fax'] } }, 'must be a non-empty list of sms'],
    [
      'lookup.channels',
      { lookup: { channels: ['whatsapp'] } },
      'names "whatsapp", which "channels" does not allow',
    ],
    [
      'lookup.whenUnavailable',
      { lookup: { whenUnavailable: 'open' } },
      'must be "send" or "refuse"',
    ],
    ['lookup.cacheTtlSeconds', { lookup: { cacheTtlSeconds: 0 } }, 'must be a positive integer'],
    ['lookup.cacheSize', { lookup: { cacheSize: 1.5 } }, 'must be a positive integer'],
  ])('refuses a bad %s (%j)', (option, overrides, problem) => {
    const error = refusal(overrides);
    expect(error).toBeInstanceOf(OtpOptionsError);
    expect(error.message).toContain(`OtpModule: option "${option}" `);
    expect(error.message).toContain(problem);
  });

  it('reads the locale, the code lifetime and the send parameters from the environment', () => {
    const env = {
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_VERIFY_SERVICE_SID: TWILIO.verifyServiceSid,
      OTP_MAIL_DOMAIN: 'example.com',
    };
    const resolved = resolveOtpOptions(
      otpOptionsFromEnv({
        ...env,
        OTP_CHANNELS: 'sms,whatsapp',
        OTP_LOCALE: 'es',
        OTP_CODE_TTL_SECONDS: '300',
        TWILIO_CUSTOM_FRIENDLY_NAME: 'Acme',
        TWILIO_DEVICE_IP: 'false',
      }),
    );
    expect([...resolved.channels]).toEqual(['sms', 'whatsapp']);
    expect(resolved.locale).toBe('es');
    expect(resolved.codeTtlSeconds).toBe(300);
    expect(resolved.verify).toMatchObject({ customFriendlyName: 'Acme', deviceIp: false });
    expect(resolveOtpOptions(otpOptionsFromEnv({ ...env, OTP_LOCALE: 'off' })).locale).toBe(false);
    expect(() => resolveOtpOptions(otpOptionsFromEnv({ ...env, OTP_LOCALE: 'klingon' }))).toThrow(
      'option "locale" must be "auto", false or a locale',
    );
  });
});
