import { isURL } from 'class-validator';
import {
  type OptionDefaults,
  type OptionFailure,
  positiveInt,
} from '../errors/otp-options.error.js';
import { OTP_CHANNELS, type OtpChannel } from '../otp.constants.js';
import {
  LOOKUP_DEFAULTS,
  type LookupOptions,
  resolveLookupOptions,
  type ResolvedLookupOptions,
} from './lookup/lookup.options.js';
import type { VerificationProvider } from './verification-provider.interface.js';
import { toVerifyLocale, type VerifyLocale, VERIFY_LOCALES } from './verify-locales.js';

/** Twilio Verify credentials and transport settings. */
export interface TwilioOptions {
  /** Account SID, `AC` followed by 32 hexadecimal characters. */
  accountSid: string;
  /** Auth token of the account (or of an API key's secret). */
  authToken: string;
  /** Verify service SID, `VA` followed by 32 hexadecimal characters. */
  verifyServiceSid: string;
  /**
   * Base URL of the Verify API. Leave unset in production (`https://verify.twilio.com`); point it
   * at a `TwilioVerifyEmulator` in development and tests.
   */
  baseUrl?: string;
  /** Timeout of one request to Twilio, in milliseconds. Default `5000`. */
  timeoutMs?: number;
  /**
   * Verify's `CustomFriendlyName`: the app name in the message ("Your <name> verification code
   * is…"), in place of the Verify service's friendly name. At most 32 characters. Default: the
   * service's name.
   */
  customFriendlyName?: string;
  /**
   * Verify's `AppHash`: the 11-character hash of an Android app, appended to SMS so that the
   * SMS Retriever API hands the code to the app. SMS only. Default: none.
   */
  appHash?: string;
  /**
   * Verify's `Tags`: up to 10 string pairs (keys and values up to 128 characters) recorded with
   * every verification, for Twilio's logs and reports. Default: none.
   */
  tags?: Record<string, string>;
  /**
   * Send the client's IP address as Verify's `DeviceIp`, which Twilio's Fraud Guard uses to judge
   * a send. Default `true`; `false` keeps client addresses from Twilio.
   */
  deviceIp?: boolean;
  /**
   * Verify's `RateLimits`: the unique names of Rate Limits created on the Verify service, for the
   * module's keys. `{ clientIp: 'end_user_ip', phone: 'end_user_phone' }` sends
   * `{"end_user_ip": "<client IP, an IPv6 client by its /64>", "end_user_phone": "<E.164>"}`
   * with every send, so that Twilio counts them against those limits' buckets. Default: none.
   */
  rateLimits?: VerifyRateLimitNames;
}

/** Unique names of Verify Rate Limits, by the module's key they count. */
export interface VerifyRateLimitNames {
  /** The Rate Limit counting sends per client IP (an IPv6 client by its /64). */
  clientIp?: string;
  /** The Rate Limit counting sends per phone number (E.164). */
  phone?: string;
}

/** The options of `OtpModule` about sending and checking codes. */
export interface VerificationModuleOptions {
  /** Twilio Verify credentials. Required unless `verificationProvider` is given. */
  twilio?: TwilioOptions;
  /** A provider to use instead of Twilio Verify (another SMS vendor, for example). */
  verificationProvider?: VerificationProvider;
  /**
   * Channels codes may be sent over. Default `['sms', 'call']`; `'whatsapp'` needs a WhatsApp
   * sender configured on the Verify service.
   */
  channels?: OtpChannel[];
  /**
   * The language of the codes: `'auto'` takes the visitor's `Accept-Language` when Twilio Verify
   * supports it (otherwise Twilio chooses by the number's country); a Verify locale such as
   * `'fr'` or `'pt-BR'` always sends that one; `false` never sends a locale. A `locale` given to
   * a service method wins over all three. Default `'auto'`.
   */
  locale?: 'auto' | VerifyLocale | false;
  /**
   * How long a code stays valid at the provider, in seconds: Twilio Verify's 10 minutes unless
   * the service was given another validity. Send answers report it as `expiresInSeconds`.
   * Default `600`.
   */
  codeTtlSeconds?: number;
  /** Check numbers with Twilio Lookup v2 before sending them codes. Default: off. */
  lookup?: LookupOptions;
  /**
   * Numbers that never reach Twilio and accept only their fixed code, e.g.
   * `{ '+15005550006': '123456' }`. Refused at start-up when `NODE_ENV=production` unless
   * `allowTestNumbersInProduction` is set.
   */
  testNumbers?: Record<string, string>;
  /** Accept `testNumbers` in production (app-store review accounts, for example). */
  allowTestNumbersInProduction?: boolean;
}

/**
 * Defaults of the verification options. `twilio.baseUrl` has none: unset, the Twilio SDK uses
 * Twilio's own hosts (Verify and Lookup each have theirs).
 */
export const VERIFICATION_DEFAULTS = {
  twilio: {
    timeoutMs: 5_000,
    deviceIp: true,
  },
  channels: ['sms', 'call'],
  locale: 'auto',
  /** Twilio Verify's code validity: 10 minutes, unless the Verify service is set otherwise. */
  codeTtlSeconds: 600,
  /** Applied when `lookup` is given (the Lookup check itself is off by default). */
  lookup: LOOKUP_DEFAULTS,
  allowTestNumbersInProduction: false,
} as const satisfies OptionDefaults<
  Pick<
    VerificationModuleOptions,
    'channels' | 'locale' | 'codeTtlSeconds' | 'allowTestNumbersInProduction'
  >
> & {
  twilio: OptionDefaults<Pick<TwilioOptions, 'timeoutMs' | 'deviceIp'>>;
  lookup: typeof LOOKUP_DEFAULTS;
};

/** The verification options as resolved. */
export interface ResolvedVerificationOptions {
  /** Credentials and transport; the send parameters are in `verify`. */
  twilio?: Required<
    Pick<TwilioOptions, 'accountSid' | 'authToken' | 'verifyServiceSid' | 'timeoutMs'>
  > & {
    baseUrl?: string;
  };
  verificationProvider?: VerificationProvider;
  channels: ReadonlySet<OtpChannel>;
  locale: 'auto' | VerifyLocale | false;
  codeTtlSeconds: number;
  /** The optional parameters of a Twilio Verify send. */
  verify: {
    customFriendlyName?: string;
    appHash?: string;
    /** `Tags` as the JSON text Twilio takes. */
    tags?: string;
    deviceIp: boolean;
    rateLimits?: VerifyRateLimitNames;
  };
  /** `undefined`: no Lookup check. */
  lookup?: ResolvedLookupOptions;
  /** E.164 number -> fixed code. */
  testNumbers: ReadonlyMap<string, string>;
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^VA[0-9a-fA-F]{32}$/;
const CHANNELS: readonly OtpChannel[] = OTP_CHANNELS;
/** Twilio's bounds on `Tags`: 10 pairs, keys and values of at most 128 characters. */
const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 128;
/** An Android SMS Retriever app hash: 11 characters of base64. */
const APP_HASH = /^[A-Za-z0-9+/]{11}$/;
/** Verify's friendly names are at most 32 characters. */
const MAX_FRIENDLY_NAME = 32;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function resolveTwilio(
  twilio: TwilioOptions | undefined,
  fail: OptionFailure,
): ResolvedVerificationOptions['twilio'] {
  if (twilio === undefined) return undefined;
  if (typeof twilio !== 'object' || twilio === null) {
    throw fail('twilio', 'must be an object');
  }
  const { accountSid, authToken, verifyServiceSid, baseUrl, timeoutMs } = twilio;
  // An empty value is most often a variable that is not set: say so, and which one.
  const missing = (value: unknown) => value === undefined || value === null || value === '';
  const unset = (variable: string) =>
    `is missing (is ${variable} set? The Twilio Console shows it)`;
  if (missing(accountSid)) throw fail('twilio.accountSid', unset('TWILIO_ACCOUNT_SID'));
  if (typeof accountSid !== 'string' || !ACCOUNT_SID.test(accountSid)) {
    throw fail('twilio.accountSid', 'must start with "AC" followed by 32 hex characters');
  }
  if (missing(authToken)) throw fail('twilio.authToken', unset('TWILIO_AUTH_TOKEN'));
  if (typeof authToken !== 'string' || authToken.length < 16) {
    throw fail('twilio.authToken', 'is too short: give the Auth Token of the Twilio account');
  }
  if (missing(verifyServiceSid)) {
    throw fail('twilio.verifyServiceSid', unset('TWILIO_VERIFY_SERVICE_SID'));
  }
  if (typeof verifyServiceSid !== 'string' || !SERVICE_SID.test(verifyServiceSid)) {
    throw fail('twilio.verifyServiceSid', 'must start with "VA" followed by 32 hex characters');
  }
  if (
    baseUrl !== undefined &&
    (typeof baseUrl !== 'string' ||
      !isURL(baseUrl, { protocols: ['http', 'https'], require_tld: false, require_protocol: true }))
  ) {
    throw fail('twilio.baseUrl', 'must be an http(s) URL');
  }
  return {
    accountSid,
    authToken,
    verifyServiceSid,
    baseUrl,
    timeoutMs: positiveInt(
      timeoutMs,
      'twilio.timeoutMs',
      VERIFICATION_DEFAULTS.twilio.timeoutMs,
      fail,
    ),
  };
}

function resolveProvider(
  provider: VerificationProvider | undefined,
  twilio: ResolvedVerificationOptions['twilio'],
  fail: OptionFailure,
): VerificationProvider | undefined {
  if (!twilio && !provider) {
    throw fail('twilio', 'is required unless "verificationProvider" is given');
  }
  if (
    provider !== undefined &&
    (typeof provider?.start !== 'function' || typeof provider?.check !== 'function')
  ) {
    throw fail('verificationProvider', 'must implement start() and check()');
  }
  return provider;
}

function resolveChannels(channels: unknown, fail: OptionFailure): ReadonlySet<OtpChannel> {
  if (channels === undefined) return new Set(VERIFICATION_DEFAULTS.channels);
  if (
    !Array.isArray(channels) ||
    channels.length === 0 ||
    !channels.every((c) => CHANNELS.includes(c as OtpChannel))
  ) {
    throw fail('channels', `must be a non-empty list of ${CHANNELS.join(', ')}`);
  }
  return new Set(channels as OtpChannel[]);
}

function resolveLocale(
  locale: unknown,
  fail: OptionFailure,
): ResolvedVerificationOptions['locale'] {
  if (locale === undefined || locale === 'auto') return VERIFICATION_DEFAULTS.locale;
  if (locale === false) return false;
  const known = typeof locale === 'string' ? toVerifyLocale(locale) : undefined;
  if (!known) {
    throw fail(
      'locale',
      `must be "auto", false or a locale Twilio Verify supports (${VERIFY_LOCALES.join(', ')})`,
    );
  }
  return known;
}

function plainText(value: unknown, option: string, max: number, fail: OptionFailure): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw fail(option, `must be a non-empty string of at most ${max} characters`);
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw fail(option, 'must not contain control characters');
  }
  return value;
}

function resolveTags(tags: unknown, fail: OptionFailure): string | undefined {
  if (tags === undefined) return undefined;
  const entries =
    typeof tags === 'object' && tags !== null && !Array.isArray(tags) ? Object.entries(tags) : [];
  if (
    entries.length === 0 ||
    entries.length > MAX_TAGS ||
    !entries.every(
      ([key, value]) =>
        key.length > 0 &&
        key.length <= MAX_TAG_LENGTH &&
        typeof value === 'string' &&
        value.length <= MAX_TAG_LENGTH,
    )
  ) {
    throw fail(
      'twilio.tags',
      `must be an object of 1 to ${MAX_TAGS} string values, keys and values of at most ${MAX_TAG_LENGTH} characters`,
    );
  }
  return JSON.stringify(Object.fromEntries(entries));
}

function resolveVerifyRateLimits(names: TwilioOptions['rateLimits'], fail: OptionFailure) {
  if (names === undefined) return undefined;
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw fail('twilio.rateLimits', 'must be an object such as { phone: "..." }');
  }
  const unknown = Object.keys(names).filter((key) => key !== 'clientIp' && key !== 'phone');
  if (unknown.length > 0) {
    throw fail(
      `twilio.rateLimits.${unknown[0]}`,
      'is not a key the module can send; the keys are clientIp and phone',
    );
  }
  const { clientIp, phone } = names;
  if (clientIp === undefined && phone === undefined) {
    throw fail('twilio.rateLimits', 'must name a Rate Limit for clientIp or phone');
  }
  const resolved = {
    ...(clientIp !== undefined && {
      clientIp: plainText(clientIp, 'twilio.rateLimits.clientIp', 128, fail),
    }),
    ...(phone !== undefined && { phone: plainText(phone, 'twilio.rateLimits.phone', 128, fail) }),
  };
  if (resolved.clientIp !== undefined && resolved.clientIp === resolved.phone) {
    throw fail('twilio.rateLimits', 'must name two different Rate Limits');
  }
  return resolved;
}

function resolveVerify(
  twilio: TwilioOptions | undefined,
  fail: OptionFailure,
): ResolvedVerificationOptions['verify'] {
  const given = twilio ?? ({} as Partial<TwilioOptions>);
  if (given.deviceIp !== undefined && typeof given.deviceIp !== 'boolean') {
    throw fail('twilio.deviceIp', 'must be true or false');
  }
  if (
    given.appHash !== undefined &&
    (typeof given.appHash !== 'string' || !APP_HASH.test(given.appHash))
  ) {
    throw fail(
      'twilio.appHash',
      "must be the 11-character hash of the Android app (Google's SMS Retriever)",
    );
  }
  return {
    customFriendlyName:
      given.customFriendlyName === undefined
        ? undefined
        : plainText(given.customFriendlyName, 'twilio.customFriendlyName', MAX_FRIENDLY_NAME, fail),
    appHash: given.appHash,
    tags: resolveTags(given.tags, fail),
    deviceIp: given.deviceIp ?? VERIFICATION_DEFAULTS.twilio.deviceIp,
    rateLimits: resolveVerifyRateLimits(given.rateLimits, fail),
  };
}

function resolveTestNumbers(
  given: VerificationModuleOptions,
  fail: OptionFailure,
): ReadonlyMap<string, string> {
  const entries = Object.entries(given.testNumbers ?? {});
  for (const [phone, code] of entries) {
    if (!/^\+[1-9]\d{6,14}$/.test(phone) || typeof code !== 'string' || !/^\d{4,10}$/.test(code)) {
      throw fail('testNumbers', 'must map E.164 numbers to codes of 4 to 10 digits');
    }
  }
  const allowed =
    given.allowTestNumbersInProduction ?? VERIFICATION_DEFAULTS.allowTestNumbersInProduction;
  if (entries.length > 0 && process.env.NODE_ENV === 'production' && allowed !== true) {
    throw fail(
      'testNumbers',
      'is refused in production; set "allowTestNumbersInProduction" to accept it',
    );
  }
  return new Map(entries);
}

/**
 * Checks the verification options (Twilio or another provider, channels, locale, code lifetime,
 * Verify's send parameters, Lookup, test numbers) and fills in their defaults; a bad option
 * throws `fail(...)`.
 */
export function resolveVerificationOptions(
  given: VerificationModuleOptions,
  fail: OptionFailure,
): ResolvedVerificationOptions {
  const twilio = resolveTwilio(given.twilio, fail);
  const verificationProvider = resolveProvider(given.verificationProvider, twilio, fail);
  const channels = resolveChannels(given.channels, fail);
  return {
    twilio,
    verificationProvider,
    channels,
    locale: resolveLocale(given.locale, fail),
    codeTtlSeconds: positiveInt(
      given.codeTtlSeconds,
      'codeTtlSeconds',
      VERIFICATION_DEFAULTS.codeTtlSeconds,
      fail,
    ),
    verify: resolveVerify(given.twilio, fail),
    lookup: resolveLookupOptions(given.lookup, { twilio: twilio !== undefined, channels }, fail),
    testNumbers: resolveTestNumbers(given, fail),
  };
}
