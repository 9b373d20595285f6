import { isIP } from 'node:net';
import type { OptionDefaults, OptionFailure } from '../../errors/otp-options.error.js';
import { positiveInt } from '../../errors/otp-options.error.js';

/** Whether an authenticator must verify the person (PIN, biometrics), as WebAuthn names it. */
export type PasskeyUserVerification = 'required' | 'preferred' | 'discouraged';

/** Passkeys (WebAuthn discoverable credentials): on when given. */
export interface PasskeysOptions {
  /**
   * The relying party id: the site's domain that passkeys are bound to (`example.com`, or
   * `localhost` in development). Required. A passkey made for one rpId never works for another.
   */
  rpId: string;
  /** The site's name the browser shows when a passkey is made. Default: `rpId`. */
  rpName?: string;
  /**
   * The origins the page runs on (`https://example.com`, `https://app.example.com`): each must be
   * `https` (or `http` on localhost) on `rpId` or a subdomain of it. Default: `https://<rpId>`.
   */
  origins?: string[];
  /**
   * `required` (default): a passkey must verify the person, so that it is a multi-factor
   * authenticator on its own (NIST SP 800-63B 5.1.9) and signs in a two-factor member alone.
   * With `preferred` or `discouraged`, a passkey that did not verify the person counts as one
   * factor, and a member with a password still needs the password.
   */
  userVerification?: PasskeyUserVerification;
  /** The most passkeys one member may hold. Default 10. */
  maxPerMember?: number;
  /** Seconds a ceremony's challenge lives, single-use. Default 300. */
  challengeTtlSeconds?: number;
}

/** The passkeys slice of `OtpModuleOptions`. */
export interface PasskeysModuleOptions {
  /** Passkeys as an authenticator of their own. Default: off. */
  passkeys?: PasskeysOptions;
}

/** Defaults of `passkeys` (off until given; `rpName` and `origins` follow `rpId`). */
export const PASSKEYS_DEFAULTS = {
  userVerification: 'required',
  maxPerMember: 10,
  challengeTtlSeconds: 300,
} as const satisfies OptionDefaults<
  Pick<PasskeysOptions, 'userVerification' | 'maxPerMember' | 'challengeTtlSeconds'>
>;

/** `passkeys` as resolved. */
export interface ResolvedPasskeysOptions {
  rpId: string;
  rpName: string;
  origins: string[];
  userVerification: PasskeyUserVerification;
  maxPerMember: number;
  challengeTtlMs: number;
}

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const USER_VERIFICATION: readonly PasskeyUserVerification[] = [
  'required',
  'preferred',
  'discouraged',
];

/** The origin `value` on `rpId` as a browser sends it (`scheme://host[:port]`), or `undefined`. */
function originOn(value: unknown, rpId: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.origin !== value.replace(/\/$/, '') || (url.pathname !== '/' && url.pathname !== '')) {
    return undefined;
  }
  const host = url.hostname;
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(host));
  const onRp = host === rpId || host.endsWith(`.${rpId}`);
  return secure && onRp ? url.origin : undefined;
}

/** The `passkeys` option checked: off when absent; a bad field fails naming it. */
export function resolvePasskeysOptions(
  passkeys: PasskeysOptions | undefined,
  fail: OptionFailure,
): ResolvedPasskeysOptions | null {
  if (passkeys === undefined) return null;
  if (typeof passkeys !== 'object' || passkeys === null) {
    throw fail('passkeys', "must be an object such as { rpId: 'example.com' }");
  }
  const rpId = passkeys.rpId;
  // WebAuthn binds a passkey to a domain: an IP address cannot be one.
  if (typeof rpId !== 'string' || !HOST_NAME.test(rpId) || isIP(rpId) !== 0) {
    throw fail('passkeys.rpId', "must be the site's domain in lower case, such as 'example.com'");
  }
  const rpName = passkeys.rpName ?? rpId;
  if (typeof rpName !== 'string' || rpName.trim() === '' || rpName.length > 64) {
    throw fail('passkeys.rpName', 'must be a name of 1 to 64 characters');
  }
  const given = passkeys.origins ?? [`https://${rpId}`];
  if (!Array.isArray(given) || given.length === 0) {
    throw fail('passkeys.origins', "must be a list of origins such as ['https://example.com']");
  }
  const origins = given.map((value, index) => {
    const origin = originOn(value, rpId);
    if (!origin) {
      throw fail(
        `passkeys.origins[${index}]`,
        `must be an https origin (http on localhost) on ${rpId} or a subdomain, without a path`,
      );
    }
    return origin;
  });
  const userVerification = passkeys.userVerification ?? PASSKEYS_DEFAULTS.userVerification;
  if (!USER_VERIFICATION.includes(userVerification)) {
    throw fail('passkeys.userVerification', `must be one of ${USER_VERIFICATION.join(', ')}`);
  }
  const maxPerMember = positiveInt(
    passkeys.maxPerMember,
    'passkeys.maxPerMember',
    PASSKEYS_DEFAULTS.maxPerMember,
    fail,
  );
  if (maxPerMember > 100) throw fail('passkeys.maxPerMember', 'must be at most 100');
  const ttl = positiveInt(
    passkeys.challengeTtlSeconds,
    'passkeys.challengeTtlSeconds',
    PASSKEYS_DEFAULTS.challengeTtlSeconds,
    fail,
  );
  if (ttl < 30 || ttl > 600) {
    throw fail('passkeys.challengeTtlSeconds', 'must be from 30 to 600 seconds');
  }
  return {
    rpId,
    rpName: rpName.trim(),
    origins,
    userVerification,
    maxPerMember,
    challengeTtlMs: ttl * 1000,
  };
}
