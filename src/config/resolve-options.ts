import type {
  LineType,
  LookupOptions,
  OtpChannel,
  OtpModuleOptions,
  SessionCookieOptions,
  SessionRevocationOptions,
  TwilioOptions,
} from './otp-options.interface.js';
import type { RateLimitOptions, RateRule } from './otp-options.interface.js';
import type { ResolvedOtpOptions, ResolvedRateRule } from './resolved-otp-options.interface.js';
import { isFQDN, isURL } from 'class-validator';
import { getCountries, type CountryCode } from 'libphonenumber-js/max';
import { OTP_CHANNELS } from '../otp.constants.js';
import { toVerifyLocale, VERIFY_LOCALES } from '../verification/verify-locales.js';
import { MemoryRateLimitStorage } from '../rate-limit/memory-rate-limit.storage.js';
import { OTP_DEFAULTS, RATE_RULES } from './otp-defaults.js';
import { resolveTotp, resolveTrustedDevices } from './resolve-authenticators.js';

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const SERVICE_SID = /^VA[0-9a-fA-F]{32}$/;
const CHANNELS: readonly OtpChannel[] = OTP_CHANNELS;
const LINE_TYPES: readonly LineType[] = [
  'mobile',
  'landline',
  'fixedVoip',
  'nonFixedVoip',
  'personal',
  'tollFree',
  'premium',
  'sharedCost',
  'uan',
  'voicemail',
  'pager',
  'unknown',
];
/** Twilio's bounds on `Tags`: 10 pairs, keys and values of at most 128 characters. */
const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 128;
/** An Android SMS Retriever app hash: 11 characters of base64. */
const APP_HASH = /^[A-Za-z0-9+/]{11}$/;
/** Verify's friendly names are at most 32 characters. */
const MAX_FRIENDLY_NAME = 32;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;
/**
 * A cookie's `Domain`: dot-separated labels of letters, digits and inner hyphens (a leading dot
 * is allowed and ignored by browsers), as RFC 1034 names them and the `cookie` package accepts.
 */
const COOKIE_DOMAIN =
  /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A cookie's `Path`: starts with `/`; printable ASCII but `;` and `<` (RFC 6265 path-value). */
const COOKIE_PATH = /^\/[\u0020-\u003a\u003d-\u007e]*$/;
const MAX_DOMAIN_LENGTH = 253;
const MAX_COOKIE_PATH_LENGTH = 1024;
/**
 * Regions that libphonenumber knows but that are not ISO 3166-1 countries, which the module's
 * country list (`CountriesService`) leaves out: Ascension Island (AC, +247) and Tristan da Cunha
 * (TA, +290 with Saint Helena) are only "exceptionally reserved" codes, and XK (Kosovo, +383) is
 * a user-assigned one. Nobody can pick them in the list, so `allowedCountries` refuses them.
 */
const NOT_SERVED_COUNTRIES: ReadonlySet<string> = new Set(['AC', 'TA', 'XK']);

/** Thrown at start-up when an option is missing or malformed; the message names the option. */
export class OtpOptionsError extends Error {
  constructor(option: string, problem: string) {
    super(`OtpModule: option "${option}" ${problem}`);
    this.name = 'OtpOptionsError';
  }
}

function positiveInt(value: unknown, option: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new OtpOptionsError(
      option,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer`,
    );
  }
  return value;
}

function resolveTwilio(twilio: TwilioOptions | undefined): ResolvedOtpOptions['twilio'] {
  if (twilio === undefined) return undefined;
  if (typeof twilio !== 'object' || twilio === null) {
    throw new OtpOptionsError('twilio', 'must be an object');
  }
  const { accountSid, authToken, verifyServiceSid, baseUrl, timeoutMs } = twilio;
  if (typeof accountSid !== 'string' || !ACCOUNT_SID.test(accountSid)) {
    throw new OtpOptionsError(
      'twilio.accountSid',
      'must start with "AC" followed by 32 hex characters',
    );
  }
  if (typeof authToken !== 'string' || authToken.length < 16) {
    throw new OtpOptionsError('twilio.authToken', 'is missing or too short');
  }
  if (typeof verifyServiceSid !== 'string' || !SERVICE_SID.test(verifyServiceSid)) {
    throw new OtpOptionsError(
      'twilio.verifyServiceSid',
      'must start with "VA" followed by 32 hex characters',
    );
  }
  if (
    baseUrl !== undefined &&
    (typeof baseUrl !== 'string' ||
      !isURL(baseUrl, { protocols: ['http', 'https'], require_tld: false, require_protocol: true }))
  ) {
    throw new OtpOptionsError('twilio.baseUrl', 'must be an http(s) URL');
  }
  return {
    accountSid,
    authToken,
    verifyServiceSid,
    baseUrl,
    timeoutMs: positiveInt(timeoutMs, 'twilio.timeoutMs', OTP_DEFAULTS.twilioTimeoutMs),
  };
}

function resolveChannels(channels: unknown): ReadonlySet<OtpChannel> {
  if (channels === undefined) return new Set(OTP_DEFAULTS.channels);
  if (
    !Array.isArray(channels) ||
    channels.length === 0 ||
    !channels.every((c) => CHANNELS.includes(c as OtpChannel))
  ) {
    throw new OtpOptionsError('channels', `must be a non-empty list of ${CHANNELS.join(', ')}`);
  }
  return new Set(channels as OtpChannel[]);
}

function resolveCountries(countries: unknown): ReadonlySet<CountryCode> | undefined {
  if (countries === undefined) return undefined;
  const known = new Set<string>(getCountries());
  const problem = 'must be a non-empty list of ISO 3166-1 alpha-2 codes that have a dial code';
  if (
    !Array.isArray(countries) ||
    countries.length === 0 ||
    !countries.every((c): c is string => typeof c === 'string')
  ) {
    throw new OtpOptionsError('allowedCountries', problem);
  }
  const codes = countries.map((c) => c.toUpperCase());
  const unknown = codes.filter((code) => !known.has(code));
  if (unknown.length > 0) {
    throw new OtpOptionsError('allowedCountries', `${problem}; unknown: ${list(unknown)}`);
  }
  const unserved = codes.filter((code) => NOT_SERVED_COUNTRIES.has(code));
  if (unserved.length > 0) {
    throw new OtpOptionsError(
      'allowedCountries',
      `names ${list(unserved)}: not ISO 3166-1 countries, and not in the module's country list ` +
        `(${[...NOT_SERVED_COUNTRIES].join(', ')} are refused)`,
    );
  }
  return new Set(codes as CountryCode[]);
}

/** Distinct values, quoted (JSON escapes control characters), for an error message. */
function list(values: readonly string[]): string {
  return [...new Set(values)].map((value) => JSON.stringify(value.slice(0, 16))).join(', ');
}

function resolveHeaderName(header: string | undefined): string {
  if (header === undefined) return 'x-requested-with';
  if (typeof header !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(header)) {
    throw new OtpOptionsError('session.cookie.csrfHeader', 'must be an HTTP header name');
  }
  return header.toLowerCase();
}

function resolveRevocation(
  revocation: SessionRevocationOptions | undefined,
): ResolvedOtpOptions['session']['revocation'] {
  if (revocation !== undefined && (typeof revocation !== 'object' || revocation === null)) {
    throw new OtpOptionsError('session.revocation', 'must be an object');
  }
  const channel = revocation?.channel ?? 'auto';
  const named = channel === 'auto' || channel === 'postgres' || channel === 'single-process';
  const redis = typeof channel === 'object' && channel !== null ? channel.redis : undefined;
  if (!named && channel !== false) {
    if (
      typeof redis?.publish !== 'function' ||
      typeof (redis as { duplicate?: unknown }).duplicate !== 'function'
    ) {
      throw new OtpOptionsError(
        'session.revocation.channel',
        'must be "auto", "postgres", "single-process", false or { redis: client } with a client ' +
          'that has publish() and duplicate()',
      );
    }
  }
  const name = revocation?.name ?? OTP_DEFAULTS.revocationChannelName;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new OtpOptionsError(
      'session.revocation.name',
      'must be 1 to 63 letters, digits or underscores, not starting with a digit',
    );
  }
  const postgresConnection = revocation?.postgresConnection;
  if (
    postgresConnection !== undefined &&
    (typeof postgresConnection !== 'object' || postgresConnection === null)
  ) {
    throw new OtpOptionsError('session.revocation.postgresConnection', 'must be an object');
  }
  return {
    channel,
    postgresConnection,
    cacheTtlMs: positiveInt(
      revocation?.cacheTtlMs,
      'session.revocation.cacheTtlMs',
      OTP_DEFAULTS.revocationCacheTtlMs,
      true,
    ),
    name,
  };
}

function resolveCookie(cookie: SessionCookieOptions | undefined) {
  if (cookie === undefined) return undefined;
  if (typeof cookie !== 'object' || cookie === null) {
    throw new OtpOptionsError('session.cookie', 'must be an object (leave it unset for no cookie)');
  }
  const name = cookie.name ?? OTP_DEFAULTS.cookieName;
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    throw new OtpOptionsError('session.cookie.name', 'must be a valid cookie name');
  }
  const sameSite = cookie.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new OtpOptionsError('session.cookie.sameSite', 'must be "lax" or "strict"');
  }
  if (cookie.secure !== undefined && typeof cookie.secure !== 'boolean') {
    throw new OtpOptionsError('session.cookie.secure', 'must be true or false');
  }
  const { domain } = cookie;
  if (
    domain !== undefined &&
    (typeof domain !== 'string' ||
      domain.length > MAX_DOMAIN_LENGTH ||
      !COOKIE_DOMAIN.test(domain) ||
      /^\.?[\d.]+$/.test(domain))
  ) {
    throw new OtpOptionsError(
      'session.cookie.domain',
      'must be a domain name such as "example.com" (leave it unset for a cookie of the host alone)',
    );
  }
  const path: unknown = cookie.path === undefined ? '/' : cookie.path;
  if (typeof path !== 'string' || path.length > MAX_COOKIE_PATH_LENGTH || !COOKIE_PATH.test(path)) {
    throw new OtpOptionsError(
      'session.cookie.path',
      `must start with "/" and be at most ${MAX_COOKIE_PATH_LENGTH} printable ASCII characters ` +
        'without ";" or "<"',
    );
  }
  return {
    name,
    secure: cookie.secure ?? true,
    sameSite,
    domain,
    path,
    csrfHeader: resolveHeaderName(cookie.csrfHeader),
  };
}

function resolveRule(
  value: RateRule | false | undefined,
  option: string,
  fallback: RateRule,
): ResolvedRateRule | undefined {
  if (value === false) return undefined;
  const rule = value === undefined ? fallback : value;
  if (typeof rule !== 'object' || rule === null) {
    throw new OtpOptionsError(option, 'must be { limit, windowSeconds } or false');
  }
  return {
    limit: positiveInt(rule.limit ?? Number.NaN, `${option}.limit`, 0),
    windowMs: positiveInt(rule.windowSeconds ?? Number.NaN, `${option}.windowSeconds`, 0) * 1000,
  };
}

function resolveRateLimit(options: RateLimitOptions | false | undefined) {
  const storage = (options && options.storage) || new MemoryRateLimitStorage();
  if (
    typeof storage.hit !== 'function' ||
    typeof storage.undo !== 'function' ||
    typeof storage.clear !== 'function'
  ) {
    throw new OtpOptionsError('rateLimit.storage', 'must implement hit(), undo() and clear()');
  }
  if (options && 'passwordAttemptsPerEmail' in options) {
    throw new OtpOptionsError(
      'rateLimit.passwordAttemptsPerEmail',
      'is replaced by "passwordFailuresPerClient" (per client and email) and "passwordFailuresPerEmail" (per email, a short window)',
    );
  }
  if (options === false) return { storage, rules: {} };
  const given = options ?? {};
  const known = new Set<string>([...RATE_RULES, 'storage', 'sendCooldownSeconds']);
  const unknown = Object.keys(given).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new OtpOptionsError(
      `rateLimit.${unknown[0]}`,
      `is not a rate rule; the rules are ${[...RATE_RULES, 'sendCooldownSeconds'].join(', ')}`,
    );
  }
  const defaults = OTP_DEFAULTS.rateLimit;
  const rules: ResolvedOtpOptions['rateLimit']['rules'] = {};
  const cooldown = given.sendCooldownSeconds ?? defaults.sendCooldownSeconds;
  if (cooldown !== false && cooldown !== 0) {
    rules.sendCooldown = resolveRule(
      { limit: 1, windowSeconds: positiveInt(cooldown, 'rateLimit.sendCooldownSeconds', 0) },
      'rateLimit.sendCooldownSeconds',
      { limit: 1, windowSeconds: 1 },
    );
  }
  for (const name of RATE_RULES) {
    rules[name] = resolveRule(given[name], `rateLimit.${name}`, defaults[name]);
  }
  return { storage, rules };
}

function plainText(value: unknown, option: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new OtpOptionsError(option, `must be a non-empty string of at most ${max} characters`);
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new OtpOptionsError(option, 'must not contain control characters');
  }
  return value;
}

function resolveTags(tags: unknown): string | undefined {
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
    throw new OtpOptionsError(
      'twilio.tags',
      `must be an object of 1 to ${MAX_TAGS} string values, keys and values of at most ${MAX_TAG_LENGTH} characters`,
    );
  }
  return JSON.stringify(Object.fromEntries(entries));
}

function resolveVerifyRateLimits(names: TwilioOptions['rateLimits']) {
  if (names === undefined) return undefined;
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw new OtpOptionsError('twilio.rateLimits', 'must be an object such as { phone: "..." }');
  }
  const unknown = Object.keys(names).filter((key) => key !== 'clientIp' && key !== 'phone');
  if (unknown.length > 0) {
    throw new OtpOptionsError(
      `twilio.rateLimits.${unknown[0]}`,
      'is not a key the module can send; the keys are clientIp and phone',
    );
  }
  const { clientIp, phone } = names;
  if (clientIp === undefined && phone === undefined) {
    throw new OtpOptionsError('twilio.rateLimits', 'must name a Rate Limit for clientIp or phone');
  }
  const resolved = {
    ...(clientIp !== undefined && {
      clientIp: plainText(clientIp, 'twilio.rateLimits.clientIp', 128),
    }),
    ...(phone !== undefined && { phone: plainText(phone, 'twilio.rateLimits.phone', 128) }),
  };
  if (resolved.clientIp !== undefined && resolved.clientIp === resolved.phone) {
    throw new OtpOptionsError('twilio.rateLimits', 'must name two different Rate Limits');
  }
  return resolved;
}

function resolveVerify(twilio: TwilioOptions | undefined): ResolvedOtpOptions['verify'] {
  const given = twilio ?? ({} as Partial<TwilioOptions>);
  if (given.deviceIp !== undefined && typeof given.deviceIp !== 'boolean') {
    throw new OtpOptionsError('twilio.deviceIp', 'must be true or false');
  }
  if (
    given.appHash !== undefined &&
    (typeof given.appHash !== 'string' || !APP_HASH.test(given.appHash))
  ) {
    throw new OtpOptionsError(
      'twilio.appHash',
      "must be the 11-character hash of the Android app (Google's SMS Retriever)",
    );
  }
  return {
    customFriendlyName:
      given.customFriendlyName === undefined
        ? undefined
        : plainText(given.customFriendlyName, 'twilio.customFriendlyName', MAX_FRIENDLY_NAME),
    appHash: given.appHash,
    tags: resolveTags(given.tags),
    deviceIp: given.deviceIp ?? OTP_DEFAULTS.deviceIp,
    rateLimits: resolveVerifyRateLimits(given.rateLimits),
  };
}

function resolveLocale(locale: unknown): ResolvedOtpOptions['locale'] {
  if (locale === undefined || locale === 'auto') return OTP_DEFAULTS.locale;
  if (locale === false) return false;
  const known = typeof locale === 'string' ? toVerifyLocale(locale) : undefined;
  if (!known) {
    throw new OtpOptionsError(
      'locale',
      `must be "auto", false or a locale Twilio Verify supports (${VERIFY_LOCALES.join(', ')})`,
    );
  }
  return known;
}

function resolveLookup(
  lookup: LookupOptions | undefined,
  twilio: ResolvedOtpOptions['twilio'],
  channels: ReadonlySet<OtpChannel>,
): ResolvedOtpOptions['lookup'] {
  if (lookup === undefined) return undefined;
  if (typeof lookup !== 'object' || lookup === null || Array.isArray(lookup)) {
    throw new OtpOptionsError('lookup', 'must be an object (leave it unset for no Lookup check)');
  }
  if (!twilio) {
    throw new OtpOptionsError('lookup', 'needs "twilio": Lookup is asked with its credentials');
  }
  const types = lookup.allowedLineTypes ?? [...OTP_DEFAULTS.lookupLineTypes];
  if (
    types !== false &&
    (!Array.isArray(types) ||
      types.length === 0 ||
      !types.every((type) => LINE_TYPES.includes(type)))
  ) {
    throw new OtpOptionsError(
      'lookup.allowedLineTypes',
      `must be false or a non-empty list of ${LINE_TYPES.join(', ')}`,
    );
  }
  const risk = lookup.maxSmsPumpingRisk;
  if (
    risk !== undefined &&
    (typeof risk !== 'number' || !Number.isInteger(risk) || risk < 0 || risk > 100)
  ) {
    throw new OtpOptionsError('lookup.maxSmsPumpingRisk', 'must be an integer from 0 to 100');
  }
  if (types === false && risk === undefined) {
    throw new OtpOptionsError(
      'lookup',
      'asks for nothing: give "allowedLineTypes" or "maxSmsPumpingRisk"',
    );
  }
  const checked = lookup.channels ?? OTP_DEFAULTS.lookupChannels;
  if (
    !Array.isArray(checked) ||
    checked.length === 0 ||
    !checked.every((channel) => CHANNELS.includes(channel))
  ) {
    throw new OtpOptionsError(
      'lookup.channels',
      `must be a non-empty list of ${CHANNELS.join(', ')}`,
    );
  }
  const unused = checked.find((channel) => !channels.has(channel));
  if (unused !== undefined && lookup.channels !== undefined) {
    throw new OtpOptionsError(
      'lookup.channels',
      `names "${unused}", which "channels" does not allow`,
    );
  }
  const whenUnavailable = lookup.whenUnavailable ?? OTP_DEFAULTS.lookupWhenUnavailable;
  if (whenUnavailable !== 'send' && whenUnavailable !== 'refuse') {
    throw new OtpOptionsError('lookup.whenUnavailable', 'must be "send" or "refuse"');
  }
  return {
    allowedLineTypes: types === false ? undefined : new Set(types),
    maxSmsPumpingRisk: risk,
    channels: new Set(checked),
    whenUnavailable,
    cacheTtlMs:
      positiveInt(
        lookup.cacheTtlSeconds,
        'lookup.cacheTtlSeconds',
        OTP_DEFAULTS.lookupCacheTtlSeconds,
      ) * 1000,
    cacheSize: positiveInt(lookup.cacheSize, 'lookup.cacheSize', OTP_DEFAULTS.lookupCacheSize),
  };
}

function resolveTestNumbers(options: OtpModuleOptions): ReadonlyMap<string, string> {
  const entries = Object.entries(options.testNumbers ?? {});
  for (const [phone, code] of entries) {
    if (!/^\+[1-9]\d{6,14}$/.test(phone) || typeof code !== 'string' || !/^\d{4,10}$/.test(code)) {
      throw new OtpOptionsError('testNumbers', 'must map E.164 numbers to codes of 4 to 10 digits');
    }
  }
  if (
    entries.length > 0 &&
    process.env.NODE_ENV === 'production' &&
    options.allowTestNumbersInProduction !== true
  ) {
    throw new OtpOptionsError(
      'testNumbers',
      'is refused in production; set "allowTestNumbersInProduction" to accept it',
    );
  }
  return new Map(entries);
}

/** Validates the module options and fills in defaults. Throws `OtpOptionsError`. */
export function resolveOtpOptions(options: OtpModuleOptions): ResolvedOtpOptions {
  if (typeof options !== 'object' || options === null) {
    throw new OtpOptionsError('options', 'must be an object');
  }
  const twilio = resolveTwilio(options.twilio);
  const provider = options.verificationProvider;
  if (!twilio && !provider) {
    throw new OtpOptionsError('twilio', 'is required unless "verificationProvider" is given');
  }
  if (
    provider !== undefined &&
    (typeof provider?.start !== 'function' || typeof provider?.check !== 'function')
  ) {
    throw new OtpOptionsError('verificationProvider', 'must implement start() and check()');
  }
  const { mailDomain } = options;
  if (typeof mailDomain !== 'string' || !isFQDN(mailDomain)) {
    throw new OtpOptionsError('mailDomain', 'must be a domain name such as "example.com"');
  }
  const approval = options.approval ?? OTP_DEFAULTS.approval;
  if (approval !== 'automatic' && approval !== 'manual') {
    throw new OtpOptionsError('approval', 'must be "automatic" or "manual"');
  }
  const session = options.session ?? {};
  const ttlSeconds = positiveInt(
    session.ttlSeconds,
    'session.ttlSeconds',
    OTP_DEFAULTS.sessionTtlSeconds,
  );
  const idleSeconds = positiveInt(
    session.idleTimeoutSeconds,
    'session.idleTimeoutSeconds',
    OTP_DEFAULTS.sessionIdleTimeoutSeconds,
  );
  const channels = resolveChannels(options.channels);
  return {
    twilio,
    verificationProvider: provider,
    mailDomain: mailDomain.toLowerCase(),
    approval,
    channels,
    allowedCountries: resolveCountries(options.allowedCountries),
    locale: resolveLocale(options.locale),
    codeTtlSeconds: positiveInt(
      options.codeTtlSeconds,
      'codeTtlSeconds',
      OTP_DEFAULTS.codeTtlSeconds,
    ),
    verify: resolveVerify(options.twilio),
    lookup: resolveLookup(options.lookup, twilio, channels),
    totp: resolveTotp(
      options.totp,
      mailDomain.toLowerCase(),
      (option, problem) => new OtpOptionsError(option, problem),
    ),
    trustedDevices: resolveTrustedDevices(
      options.trustedDevices,
      (option, problem) => new OtpOptionsError(option, problem),
    ),
    session: {
      ttlMs: ttlSeconds * 1000,
      idleTimeoutMs: Math.min(idleSeconds, ttlSeconds) * 1000,
      cacheTtlMs: positiveInt(
        session.cacheTtlMs,
        'session.cacheTtlMs',
        OTP_DEFAULTS.sessionCacheTtlMs,
        true,
      ),
      cacheSize: positiveInt(session.cacheSize, 'session.cacheSize', OTP_DEFAULTS.sessionCacheSize),
      cookie: resolveCookie(session.cookie),
      revocation: resolveRevocation(session.revocation),
    },
    rateLimit: resolveRateLimit(options.rateLimit),
    testNumbers: resolveTestNumbers(options),
  };
}
