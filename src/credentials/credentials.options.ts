import type { OptionDefaults, OptionFailure } from '../errors/otp-options.error.js';
import { COOKIE_NAME } from '../sessions/session.options.js';
import {
  PASSKEYS_DEFAULTS,
  type PasskeysModuleOptions,
  type ResolvedPasskeysOptions,
  resolvePasskeysOptions,
} from './passkeys/passkeys.options.js';
import { parseTotpKey } from './totp-secret-cipher.js';

/** Trusted devices: a two-factor sign-in with `rememberDevice` spares that device the code. */
export interface TrustedDevicesOptions {
  /** Days a device stays trusted; `0` turns trusted devices off. Default: 30. */
  days?: number;
  /** The HttpOnly cookie carrying the device token in cookie mode. Default: `otp_device`. */
  cookieName?: string;
}

/** Authenticator apps (TOTP, RFC 6238): on when given. */
export interface TotpOptions {
  /**
   * The AES-256-GCM key that encrypts the apps' secrets at rest: 32 random bytes in base64 or
   * hex (`openssl rand -base64 32`). Required. Keep it out of the database's backups.
   */
  encryptionKey: string;
  /**
   * Earlier keys, which still decrypt the secrets they encrypted: to rotate, give the new key as
   * `encryptionKey` and the old one here; each secret is encrypted again under the new key when
   * it is next used.
   */
  previousEncryptionKeys?: string[];
  /** The name authenticator apps show beside the code. Default: `mailDomain`. */
  issuer?: string;
}

/** The options of `OtpModule` about what a member proves with besides the phone. */
export interface CredentialsModuleOptions extends PasskeysModuleOptions {
  /** Authenticator apps (TOTP) as a second factor beside the phone. Default: off. */
  totp?: TotpOptions;
  /** Devices a member trusts at a two-factor sign-in skip the code. Default: on, 30 days. */
  trustedDevices?: TrustedDevicesOptions;
}

/** Defaults of the credentials options (`totp` is off until given; its issuer is `mailDomain`). */
export const CREDENTIALS_DEFAULTS = {
  trustedDevices: { days: 30, cookieName: 'otp_device' },
  /** Apply once `passkeys` is given. */
  passkeys: PASSKEYS_DEFAULTS,
} as const satisfies {
  trustedDevices: OptionDefaults<TrustedDevicesOptions>;
  passkeys: typeof PASSKEYS_DEFAULTS;
};

/** Authenticator apps as resolved: the keys (the first encrypts) and the issuer apps show. */
export interface ResolvedTotpOptions {
  keys: Buffer[];
  issuer: string;
}

/** Trusted devices as resolved: how long one stays trusted, and the cookie that carries it. */
export interface ResolvedTrustedDevicesOptions {
  ttlMs: number;
  cookieName: string;
}

/** The credentials options as resolved. */
export interface ResolvedCredentialsOptions {
  /** `null`: authenticator apps are off. */
  totp: ResolvedTotpOptions | null;
  /** `null`: trusted devices are off. */
  trustedDevices: ResolvedTrustedDevicesOptions | null;
  /** `null`: passkeys are off. */
  passkeys: ResolvedPasskeysOptions | null;
}

const KEY_FORM = 'must be 32 random bytes in base64 or hex (e.g. `openssl rand -base64 32`)';
const DAY_MS = 86_400_000;
/** The most days a device may stay trusted: browsers cap a cookie's lifetime at 400 days. */
const MAX_TRUSTED_DAYS = 400;

/** The `totp` option checked: off when absent, and a key is required when it is given. */
export function resolveTotp(
  totp: TotpOptions | undefined,
  mailDomain: string,
  fail: OptionFailure,
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

/** The `trustedDevices` option checked: on for 30 days by default, off with `days: 0`. */
export function resolveTrustedDevices(
  devices: TrustedDevicesOptions | undefined,
  fail: OptionFailure,
): ResolvedTrustedDevicesOptions | null {
  if (devices !== undefined && (typeof devices !== 'object' || devices === null)) {
    throw fail('trustedDevices', 'must be an object such as { days: 30 }');
  }
  const defaults = CREDENTIALS_DEFAULTS.trustedDevices;
  const days = devices?.days ?? defaults.days;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_TRUSTED_DAYS) {
    throw fail('trustedDevices.days', `must be an integer from 0 (off) to ${MAX_TRUSTED_DAYS}`);
  }
  const cookieName = devices?.cookieName ?? defaults.cookieName;
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) {
    throw fail('trustedDevices.cookieName', 'must be a cookie name (letters, digits, -_.)');
  }
  return days === 0 ? null : { ttlMs: days * DAY_MS, cookieName };
}

/**
 * Checks `totp` and `trustedDevices` and fills in their defaults (`mailDomain`, resolved, is the
 * apps' default issuer); a bad option throws `fail(...)`.
 */
export function resolveCredentialsOptions(
  given: CredentialsModuleOptions,
  mailDomain: string,
  fail: OptionFailure,
): ResolvedCredentialsOptions {
  return {
    totp: resolveTotp(given.totp, mailDomain, fail),
    trustedDevices: resolveTrustedDevices(given.trustedDevices, fail),
    passkeys: resolvePasskeysOptions(given.passkeys, fail),
  };
}
