import { randomBytes } from 'node:crypto';
import { otpOptionsFromEnv } from '../config/otp.config.js';
import { resolveOtpOptions } from '../config/resolve-options.js';
import { resolveTotp } from './credentials.options.js';

const fail = (option: string, problem: string) => new Error(`"${option}" ${problem}`);

describe('the totp option', () => {
  const key = randomBytes(32).toString('base64');

  it('is off when absent, and names the mail domain as issuer by default', () => {
    expect(resolveTotp(undefined, 'example.com', fail)).toBeNull();
    const resolved = resolveTotp({ encryptionKey: key }, 'example.com', fail)!;
    expect(resolved.issuer).toBe('example.com');
    expect(resolved.keys).toHaveLength(1);
  });

  it('fails start-up without a key, naming the option and saying what a key is', () => {
    expect(() => resolveTotp({} as never, 'example.com', fail)).toThrow(
      /"totp.encryptionKey" is required .*32 random bytes/,
    );
    expect(() => resolveTotp({ encryptionKey: 'short' }, 'example.com', fail)).toThrow(
      /"totp.encryptionKey" must be 32 random bytes/,
    );
    expect(() =>
      resolveTotp(
        { encryptionKey: key, previousEncryptionKeys: [key, 'bad'] },
        'example.com',
        fail,
      ),
    ).toThrow(/"totp.previousEncryptionKeys\[1\]"/);
    expect(() => resolveTotp({ encryptionKey: key, issuer: 'a:b' }, 'example.com', fail)).toThrow(
      /"totp.issuer"/,
    );
    expect(() => resolveTotp(null as never, 'example.com', fail)).toThrow(/"totp"/);
  });

  it('keeps the previous keys after the current one, for rotation', () => {
    const old = randomBytes(32);
    const resolved = resolveTotp(
      { encryptionKey: key, previousEncryptionKeys: [old.toString('hex')], issuer: ' Acme ' },
      'example.com',
      fail,
    )!;
    expect(resolved.keys[1]).toEqual(old);
    expect(resolved.issuer).toBe('Acme');
  });
});

describe('the totp option from the environment', () => {
  it('is on with OTP_TOTP_ENCRYPTION_KEY, and a bad key fails start-up naming it', () => {
    const env = {
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'b'.repeat(32),
      TWILIO_VERIFY_SERVICE_SID: `VA${'c'.repeat(32)}`,
      OTP_MAIL_DOMAIN: 'example.com',
    };
    const key = randomBytes(32);
    const old = randomBytes(32);
    const resolved = resolveOtpOptions(
      otpOptionsFromEnv({
        ...env,
        OTP_TOTP_ENCRYPTION_KEY: key.toString('base64'),
        OTP_TOTP_PREVIOUS_ENCRYPTION_KEYS: old.toString('hex'),
        OTP_TOTP_ISSUER: 'Acme',
      }),
    );
    expect(resolved.totp).toEqual({ keys: [key, old], issuer: 'Acme' });
    expect(resolveOtpOptions(otpOptionsFromEnv(env)).totp).toBeNull();
    expect(() =>
      resolveOtpOptions(otpOptionsFromEnv({ ...env, OTP_TOTP_ENCRYPTION_KEY: 'secret' })),
    ).toThrow(/option "totp.encryptionKey" must be 32 random bytes/);
  });
});
