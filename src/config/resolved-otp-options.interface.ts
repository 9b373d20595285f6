import type { OTP_DEFAULTS } from './otp-defaults.js';
import type { RateLimitStorage } from '../rate-limit/rate-limit-storage.interface.js';
import type { VerificationProvider } from '../verification/verification-provider.interface.js';
import type { OtpChannel } from '../otp.constants.js';
import type { ApprovalMode, SessionCookieOptions, TwilioOptions } from './otp-options.interface.js';
import type { LineType, VerifyRateLimitNames } from './otp-options.interface.js';
import type { VerifyLocale } from '../verification/verify-locales.js';
import type { RedisPubSubClient } from '../sessions/revocation/redis-revocation-channel.js';
import type {
  ResolvedTotpOptions,
  ResolvedTrustedDevicesOptions,
} from './resolve-authenticators.js';
import type { CountryCode } from 'libphonenumber-js/max';

/** A limit in milliseconds. */
export interface ResolvedRateRule {
  limit: number;
  windowMs: number;
}

/** Names of the resolved rate rules: the cooldown and every rule of the defaults. */
export type RuleName =
  'sendCooldown' | Exclude<keyof typeof OTP_DEFAULTS.rateLimit, 'sendCooldownSeconds'>;

/** The options after validation, with every default filled in. */
export interface ResolvedOtpOptions {
  /** Credentials and transport; the send parameters are in `verify`. */
  twilio?: Required<
    Pick<TwilioOptions, 'accountSid' | 'authToken' | 'verifyServiceSid' | 'timeoutMs'>
  > & {
    baseUrl?: string;
  };
  verificationProvider?: VerificationProvider;
  mailDomain: string;
  approval: ApprovalMode;
  channels: ReadonlySet<OtpChannel>;
  /** `undefined` means every country. */
  allowedCountries?: ReadonlySet<CountryCode>;
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
  /** `null`: authenticator apps are off. */
  totp: ResolvedTotpOptions | null;
  /** `null`: trusted devices are off. */
  trustedDevices: ResolvedTrustedDevicesOptions | null;
  /** `undefined`: no Lookup check. */
  lookup?: {
    /** `undefined`: the line type is not asked for. */
    allowedLineTypes?: ReadonlySet<LineType>;
    /** `undefined`: the SMS pumping risk is not asked for. */
    maxSmsPumpingRisk?: number;
    channels: ReadonlySet<OtpChannel>;
    whenUnavailable: 'send' | 'refuse';
    cacheTtlMs: number;
    cacheSize: number;
  };
  session: {
    ttlMs: number;
    idleTimeoutMs: number;
    cacheTtlMs: number;
    cacheSize: number;
    cookie?: Required<Omit<SessionCookieOptions, 'domain'>> & { domain?: string };
    revocation: {
      channel: 'auto' | 'postgres' | 'single-process' | false | { redis: RedisPubSubClient };
      cacheTtlMs: number;
      name: string;
      postgresConnection?: Record<string, unknown>;
    };
  };
  rateLimit: {
    storage: RateLimitStorage;
    rules: Partial<Record<RuleName, ResolvedRateRule>>;
  };
  /** E.164 number -> fixed code. */
  testNumbers: ReadonlyMap<string, string>;
}
