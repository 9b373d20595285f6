import type { OTP_DEFAULTS } from './otp-defaults.js';
import type { CountryCode } from 'libphonenumber-js/max';
import type { RateLimitStorage } from '../rate-limit/rate-limit-storage.interface.js';
import type { VerificationProvider } from '../verification/verification-provider.interface.js';
import type { OtpChannel } from '../verification/otp-channel.js';
import type { ApprovalMode, SessionCookieOptions, TwilioOptions } from './otp-options.interface.js';

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
  twilio?: Required<Omit<TwilioOptions, 'baseUrl'>> & { baseUrl?: string };
  verificationProvider?: VerificationProvider;
  mailDomain: string;
  approval: ApprovalMode;
  channels: ReadonlySet<OtpChannel>;
  /** `undefined` means every country. */
  allowedCountries?: ReadonlySet<CountryCode>;
  session: {
    ttlMs: number;
    idleTimeoutMs: number;
    cacheTtlMs: number;
    cacheSize: number;
    cookie?: Required<Omit<SessionCookieOptions, 'domain'>> & { domain?: string };
  };
  rateLimit: {
    storage: RateLimitStorage;
    rules: Partial<Record<RuleName, ResolvedRateRule>>;
  };
  /** E.164 number -> fixed code. */
  testNumbers: ReadonlyMap<string, string>;
}
