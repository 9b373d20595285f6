import { parseTotpKey } from '../credentials/totp-secret-cipher.js';
import type { TotpOptions, TrustedDevicesOptions } from './otp-options.interface.js';

/** Authenticator apps as resolved: the keys (the first encrypts) and the issuer apps show. */
export interface ResolvedTotpOptions {
  keys: Buffer[];
  issuer: string;
}

const KEY_FORM = 'must be 32 random bytes in base64 or hex (e.g. `openssl rand -base64 32`)';

/** The `totp` option checked: off when absent, and a key is required when it is given. */
export function resolveTotp(
  totp: TotpOptions | undefined,
  mailDomain: string,
  fail: (option: string, problem: string) => Error,
): ResolvedTotpOptions | null {
  if (totp === undefined) return null;
  if (typeof totp !== 'object' || totp === null) {
    throw fail('totp', 'must be an object with an encryptionKey');
  }
  if (totp.encryptionKey === undefined) {
    throw fail(
      'totp.encryptionKey',
      `is required to turn authenticator apps on: it encrypts their secrets at rest, and ${KEY_FORM}`,
    );
  }
  const current = parseTotpKey(totp.encryptionKey);
  if (!current) throw fail('totp.encryptionKey', KEY_FORM);
  const previous = totp.previousEncryptionKeys ?? [];
  if (!Array.isArray(previous)) {
    throw fail('totp.previousEncryptionKeys', 'must be a list of keys');
  }
  const keys = [current];
  previous.forEach((value, index) => {
    const key = parseTotpKey(value);
    if (!key) throw fail(`totp.previousEncryptionKeys[${index}]`, KEY_FORM);
    keys.push(key);
  });
  const issuer = totp.issuer ?? mailDomain;
  if (
    typeof issuer !== 'string' ||
    issuer.trim() === '' ||
    issuer.length > 64 ||
    issuer.includes(':')
  ) {
    throw fail('totp.issuer', 'must be a name of 1 to 64 characters without ":"');
  }
  return { keys, issuer: issuer.trim() };
}

/** Trusted devices as resolved: how long one stays trusted, and the cookie that carries it. */
export interface ResolvedTrustedDevicesOptions {
  ttlMs: number;
  cookieName: string;
}

const DEFAULT_TRUSTED_DAYS = 30;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;

/** The `trustedDevices` option checked: on for 30 days by default, off with `days: 0`. */
export function resolveTrustedDevices(
  devices: TrustedDevicesOptions | undefined,
  fail: (option: string, problem: string) => Error,
): ResolvedTrustedDevicesOptions | null {
  if (devices !== undefined && (typeof devices !== 'object' || devices === null)) {
    throw fail('trustedDevices', 'must be an object such as { days: 30 }');
  }
  const days = devices?.days ?? DEFAULT_TRUSTED_DAYS;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 400) {
    throw fail('trustedDevices.days', 'must be an integer from 0 (off) to 400');
  }
  const cookieName = devices?.cookieName ?? 'otp_device';
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) {
    throw fail('trustedDevices.cookieName', 'must be a cookie name (letters, digits, -_.)');
  }
  return days === 0 ? null : { ttlMs: days * 86_400_000, cookieName };
}
