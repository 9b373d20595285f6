import type { RateLimitStorage } from '../rate-limit/rate-limit-storage.interface.js';
import type { RedisPubSubClient } from '../sessions/revocation/redis-revocation-channel.js';
import type { VerificationProvider } from '../verification/verification-provider.interface.js';
import type { OtpChannel } from '../otp.constants.js';
import type { VerifyLocale } from '../verification/verify-locales.js';
import type { CanActivate, Type } from '@nestjs/common';
import type { DataSource, DataSourceOptions } from 'typeorm';

export type { OtpChannel };

/** How new two-factor sign-ups are approved. */
export type ApprovalMode = 'automatic' | 'manual';

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

/** Line types of Twilio Lookup v2's Line Type Intelligence. */
export type LineType =
  | 'mobile'
  | 'landline'
  | 'fixedVoip'
  | 'nonFixedVoip'
  | 'personal'
  | 'tollFree'
  | 'premium'
  | 'sharedCost'
  | 'uan'
  | 'voicemail'
  | 'pager'
  | 'unknown';

/**
 * A check of each number with Twilio Lookup v2 before its first code (each Lookup request is
 * billed by Twilio). Refused numbers get 422 `DELIVERY_REFUSED`.
 */
export interface LookupOptions {
  /**
   * Line types that may receive codes (Line Type Intelligence); `false` skips that package. A
   * number Lookup gives no type for is not refused on its type. Default `['mobile', 'personal']`.
   */
  allowedLineTypes?: LineType[] | false;
  /**
   * Highest SMS Pumping Risk score (0, low, to 100, high) that may receive codes; numbers Twilio
   * has blocked for pumping are refused too. Default: the package is not asked for.
   */
  maxSmsPumpingRisk?: number;
  /** Channels whose sends are checked. Default `['sms', 'call']`. */
  channels?: OtpChannel[];
  /**
   * When Lookup cannot answer (down, timed out, 5xx): `'send'` sends the code anyway (fail
   * open, logged), `'refuse'` answers 503 `PROVIDER_UNAVAILABLE` (fail closed). Default `'send'`.
   */
  whenUnavailable?: 'send' | 'refuse';
  /** How long an answer is kept for a number, in seconds. Default `86400` (a day). */
  cacheTtlSeconds?: number;
  /** Numbers whose answers are kept, oldest dropped first. Default `10000`. */
  cacheSize?: number;
}

/** Options of the session cookie. Leave `session.cookie` unset to use bearer tokens only. */
export interface SessionCookieOptions {
  /** Cookie name. Default `otp_session`. */
  name?: string;
  /** Send the cookie over HTTPS only. Default `true`. */
  secure?: boolean;
  /** SameSite attribute. Default `'lax'`. */
  sameSite?: 'lax' | 'strict';
  /** Cookie domain. Default: the host of the request. */
  domain?: string;
  /** Cookie path. Default `/`. */
  path?: string;
  /**
   * Header that state-changing requests (anything but GET, HEAD, OPTIONS) signed in by the
   * cookie must carry, with any value. Browsers do not let another site set a custom header
   * without a CORS preflight, so this stops cross-site request forgery. Default
   * `X-Requested-With`.
   */
  csrfHeader?: string;
}

/** Session lifetime settings. */
export interface SessionOptions {
  /** Absolute lifetime of a session, in seconds. Default 12 hours. */
  ttlSeconds?: number;
  /** A session unused for this long, in seconds, expires. Default 1 hour. */
  idleTimeoutSeconds?: number;
  /**
   * How long, in milliseconds, an instance may answer from its in-process session cache before
   * asking the database again when no revocation channel is live (none configured, or its
   * connection lost). It bounds how late another instance sees a revocation then; the instance
   * that revokes a session refuses it at once. `0` disables the cache. Default `2000`.
   */
  cacheTtlMs?: number;
  /**
   * How revocations reach the other instances, so that they may cache sessions for long.
   * Default: PostgreSQL `LISTEN/NOTIFY` when the data source is PostgreSQL.
   */
  revocation?: SessionRevocationOptions;
  /** Maximum number of sessions held in the in-process cache. Default `10000`. */
  cacheSize?: number;
  /** Also issue the session as an HttpOnly cookie, and accept it. Default: off. */
  cookie?: SessionCookieOptions;
}

/**
 * The channel that tells every instance of the app at once that sessions were revoked (logout,
 * a session revoked or expired, a member blocked, changed or deleted). While it is live an
 * instance keeps sessions cached for `cacheTtlMs` (minutes); while it is down (or when there is
 * none) for the short `session.cacheTtlMs`.
 */
export interface SessionRevocationOptions {
  /**
   * - `'auto'`: `'postgres'` when the data source is PostgreSQL; otherwise instances in this
   *   process hear each other, but other processes may not, so the short cache applies.
   * - `'postgres'`: `LISTEN/NOTIFY` on a dedicated connection made from the data source's
   *   settings; refused at start-up on another database.
   * - `{ redis: client }`: Redis pub/sub; messages are published with `client`, and
   *   `client.duplicate()` subscribes (an `ioredis` client fits).
   * - `'single-process'`: no other process uses the database, so this process hears every
   *   revocation (one instance, e.g. on SQLite).
   * - `false`: none; every instance caches for `session.cacheTtlMs`.
   *
   * Default `'auto'`.
   */
  channel?: 'auto' | 'postgres' | 'single-process' | false | { redis: RedisPubSubClient };
  /** How long, in milliseconds, sessions stay cached while the channel is live. Default `300000`. */
  cacheTtlMs?: number;
  /** The PostgreSQL or Redis channel name (letters, digits, `_`). Default `nestjs_otp_sessions`. */
  name?: string;
  /**
   * `pg` client settings of the listening connection, over the data source's own: for a data
   * source behind a pooler that does not pass `LISTEN` through (PgBouncer in transaction mode),
   * e.g. `{ connectionString: 'postgres://…@db-host:5432/app' }`. Default: the data source's.
   */
  postgresConnection?: Record<string, unknown>;
}

/** A limit: at most `limit` attempts per `windowSeconds` (a sliding window). */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/**
 * Abuse limits. Each rule can be changed, or turned off with `false`. Counters live in
 * `storage`: in memory by default (one instance), `RedisRateLimitStorage` for several. An attempt
 * is counted in all the windows that apply or, when one is full, in none.
 */
export interface RateLimitOptions {
  /** Where counters live. Default: in memory (one instance); `RedisRateLimitStorage` shares them. */
  storage?: RateLimitStorage;
  /** Seconds between two sends to one phone (SMS and call alike). Default `30`. */
  sendCooldownSeconds?: number | false;
  /** Sends per phone. Default 5 per 10 minutes (Twilio's own). */
  sendsPerPhone?: RateRule | false;
  /** Sends per client IP (an IPv6 client by its /64). Default 20 per hour. */
  sendsPerIp?: RateRule | false;
  /**
   * Sends per number range: numbers that differ only in their last four digits. Stops sweeps of
   * a range. Default 10 per hour.
   */
  sendsPerRange?: RateRule | false;
  /** Sends per country calling code. Default 1,000 per hour. */
  sendsPerCountry?: RateRule | false;
  /**
   * Sends for one email, known or not, counted apart for each flow: sign-up, two-factor sign-in
   * and password reset each have a budget of their own, so that nobody spends a member's
   * sign-in budget with sign-ups or resets for their email (and a reset answers alike for a
   * member and a stranger). Default 5 per 10 minutes.
   */
  sendsPerEmail?: RateRule | false;
  /**
   * Wrong codes per phone, counted only against a code this module sent that is still open (a
   * check with no code pending costs the phone nothing). Default 30 per 10 minutes: above the 25
   * that Twilio's 5 checks per code and `sendsPerPhone` allow, so that someone without the phone
   * cannot fill it, and any wait it imposes is at most 10 minutes.
   */
  checksPerPhone?: RateRule | false;
  /** Code checks per client IP, of any outcome. Default 100 per 15 minutes. */
  checksPerIp?: RateRule | false;
  /** Failed password-reset checks per email, known or not. Default 30 per 10 minutes. */
  resetChecksPerEmail?: RateRule | false;
  /** Password checks per client IP, of any outcome. Default 100 per 15 minutes. */
  passwordAttemptsPerIp?: RateRule | false;
  /**
   * Wrong passwords for one email from one client IP; the right password clears it. Default 10
   * per 15 minutes.
   */
  passwordFailuresPerClient?: RateRule | false;
  /**
   * Wrong passwords for one email from all clients: a short, bounded delay against distributed
   * guessing, never a long lock. Default 30 per minute.
   */
  passwordFailuresPerEmail?: RateRule | false;
}

/** Options of `OtpModule`, given to `forRoot()` or returned by the `forRootAsync()` factory. */
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

export interface OtpModuleOptions {
  /** Twilio Verify credentials. Required unless `verificationProvider` is given. */
  twilio?: TwilioOptions;
  /** A provider to use instead of Twilio Verify (another SMS vendor, for example). */
  verificationProvider?: VerificationProvider;
  /**
   * Domain of the placeholder emails given to members created by passwordless login:
   * `<E.164 digits without '+'>@<mailDomain>`.
   */
  mailDomain: string;
  /** Approval of two-factor sign-ups. Default `'automatic'`. */
  approval?: ApprovalMode;
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
  /** Authenticator apps (TOTP) as a second factor beside the phone. Default: off. */
  totp?: TotpOptions;
  /** Devices a member trusts at a two-factor sign-in skip the code. Default: on, 30 days. */
  trustedDevices?: TrustedDevicesOptions;
  /** ISO 3166-1 alpha-2 codes of the countries that may receive codes. Default: all. */
  allowedCountries?: string[];
  /** Session lifetime, cache and cookie. */
  session?: SessionOptions;
  /** Abuse limits; `false` turns them all off (tests only). */
  rateLimit?: RateLimitOptions | false;
  /**
   * Numbers that never reach Twilio and accept only their fixed code, e.g.
   * `{ '+15005550006': '123456' }`. Refused at start-up when `NODE_ENV=production` unless
   * `allowTestNumbersInProduction` is set.
   */
  testNumbers?: Record<string, string>;
  /** Accept `testNumbers` in production (app-store review accounts, for example). */
  allowTestNumbersInProduction?: boolean;
}

/** Options that change the module's shape; they are given beside the options, never by a factory. */
export interface OtpModuleExtras {
  /** Register the module globally. Default `false`. */
  isGlobal?: boolean;
  /**
   * HTTP routes: `{ prefix }` to move them (default `'auth'`), `false` to use the services alone.
   */
  routes?: false | { prefix?: string };
  /** When a guard class is given, the admin routes are mounted behind it. Default: not mounted. */
  admin?: { guard: Type<CanActivate> };
  /**
   * The TypeORM data source that holds members and sessions, for hosts with several: its name
   * (`TypeOrmModule.forRoot({ name: 'accounts', ... })`), or its options or `DataSource`, as
   * `TypeOrmModule.forFeature(entities, dataSource)` takes. Default: the default data source.
   */
  dataSource?: string | DataSource | DataSourceOptions;
}
