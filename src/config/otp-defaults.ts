import type { OtpChannel } from '../otp.constants.js';
import type { ApprovalMode } from './otp-options.interface.js';
import { TWILIO_VERIFY_CODE_TTL_SECONDS } from '../verification/twilio-verification.provider.js';

/** Every default of the module's options, in one place. */
export const OTP_DEFAULTS = {
  approval: 'automatic' as ApprovalMode,
  channels: ['sms', 'call'] as OtpChannel[],
  twilioTimeoutMs: 5_000,
  locale: 'auto' as const,
  /** Twilio Verify's code validity. */
  codeTtlSeconds: TWILIO_VERIFY_CODE_TTL_SECONDS,
  deviceIp: true,
  lookupLineTypes: ['mobile', 'personal'] as const,
  lookupChannels: ['sms', 'call'] as OtpChannel[],
  lookupWhenUnavailable: 'send' as const,
  lookupCacheTtlSeconds: 24 * 60 * 60,
  lookupCacheSize: 10_000,
  sessionTtlSeconds: 12 * 60 * 60,
  sessionIdleTimeoutSeconds: 60 * 60,
  sessionCacheTtlMs: 2_000,
  sessionCacheSize: 10_000,
  revocationCacheTtlMs: 5 * 60_000,
  revocationChannelName: 'nestjs_otp_sessions',
  cookieName: 'otp_session',
  routePrefix: 'auth',
  rateLimit: {
    sendCooldownSeconds: 30,
    sendsPerPhone: { limit: 5, windowSeconds: 600 },
    sendsPerIp: { limit: 20, windowSeconds: 3600 },
    sendsPerRange: { limit: 10, windowSeconds: 3600 },
    sendsPerCountry: { limit: 1000, windowSeconds: 3600 },
    sendsPerEmail: { limit: 5, windowSeconds: 600 },
    checksPerPhone: { limit: 30, windowSeconds: 600 },
    checksPerIp: { limit: 100, windowSeconds: 900 },
    resetChecksPerEmail: { limit: 30, windowSeconds: 600 },
    passwordAttemptsPerIp: { limit: 100, windowSeconds: 900 },
    passwordFailuresPerClient: { limit: 10, windowSeconds: 900 },
    passwordFailuresPerEmail: { limit: 30, windowSeconds: 60 },
  },
} as const;

/** The rate rules given as `{ limit, windowSeconds }` (all but the cooldown), from the defaults. */
export const RATE_RULES = Object.keys(OTP_DEFAULTS.rateLimit).filter(
  (name): name is Exclude<keyof typeof OTP_DEFAULTS.rateLimit, 'sendCooldownSeconds'> =>
    name !== 'sendCooldownSeconds',
);
