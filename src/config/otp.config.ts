import type { OtpChannel, OtpModuleOptions } from './otp-options.interface.js';
import { registerAs } from '@nestjs/config';

type Env = Record<string, string | undefined>;

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

function bool(value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function locale(value: string | undefined): OtpModuleOptions['locale'] {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  return (
    ['off', 'false', 'none'].includes(trimmed.toLowerCase()) ? false : trimmed
  ) as OtpModuleOptions['locale'];
}

/**
 * Reads `OtpModuleOptions` from environment variables. Validation happens when the module
 * starts, so a bad value fails start-up with a message naming the option.
 *
 * | variable | option |
 * | --- | --- |
 * | `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_VERIFY_SERVICE_SID` | `twilio.*` |
 * | `TWILIO_VERIFY_BASE_URL`, `TWILIO_TIMEOUT_MS` | `twilio.baseUrl`, `twilio.timeoutMs` |
 * | `OTP_MAIL_DOMAIN` | `mailDomain` |
 * | `OTP_APPROVAL` | `approval` |
 * | `OTP_CHANNELS` (comma-separated) | `channels` |
 * | `OTP_ALLOWED_COUNTRIES` (comma-separated) | `allowedCountries` |
 * | `OTP_SESSION_TTL_SECONDS`, `OTP_SESSION_IDLE_TIMEOUT_SECONDS` | `session.*` |
 * | `OTP_SESSION_COOKIE` (`true` to enable), `OTP_SESSION_COOKIE_SECURE` | `session.cookie` |
 * | `OTP_SEND_COOLDOWN_SECONDS` (`0` to turn it off) | `rateLimit.sendCooldownSeconds` |
 * | `OTP_LOCALE` (`auto`, a Verify locale, or `off`) | `locale` |
 * | `OTP_CODE_TTL_SECONDS` | `codeTtlSeconds` |
 * | `TWILIO_CUSTOM_FRIENDLY_NAME`, `TWILIO_APP_HASH` | `twilio.customFriendlyName`, `twilio.appHash` |
 * | `TWILIO_DEVICE_IP` (`false` to keep client IPs from Twilio) | `twilio.deviceIp` |
 * | `OTP_TOTP_ENCRYPTION_KEY` (turns authenticator apps on), `OTP_TOTP_PREVIOUS_ENCRYPTION_KEYS` (comma-separated), `OTP_TOTP_ISSUER` | `totp.*` |
 */
export function otpOptionsFromEnv(env: Env = process.env): OtpModuleOptions {
  const hasTwilio =
    env.TWILIO_ACCOUNT_SID !== undefined ||
    env.TWILIO_AUTH_TOKEN !== undefined ||
    env.TWILIO_VERIFY_SERVICE_SID !== undefined;
  return {
    twilio: hasTwilio
      ? {
          accountSid: env.TWILIO_ACCOUNT_SID ?? '',
          authToken: env.TWILIO_AUTH_TOKEN ?? '',
          verifyServiceSid: env.TWILIO_VERIFY_SERVICE_SID ?? '',
          baseUrl: env.TWILIO_VERIFY_BASE_URL || undefined,
          timeoutMs: int(env.TWILIO_TIMEOUT_MS),
          customFriendlyName: env.TWILIO_CUSTOM_FRIENDLY_NAME || undefined,
          appHash: env.TWILIO_APP_HASH || undefined,
          deviceIp: bool(env.TWILIO_DEVICE_IP),
        }
      : undefined,
    mailDomain: env.OTP_MAIL_DOMAIN ?? '',
    approval: (env.OTP_APPROVAL || undefined) as OtpModuleOptions['approval'],
    channels: list(env.OTP_CHANNELS) as OtpChannel[] | undefined,
    allowedCountries: list(env.OTP_ALLOWED_COUNTRIES),
    locale: locale(env.OTP_LOCALE),
    codeTtlSeconds: int(env.OTP_CODE_TTL_SECONDS),
    rateLimit:
      env.OTP_SEND_COOLDOWN_SECONDS !== undefined && env.OTP_SEND_COOLDOWN_SECONDS.trim() !== ''
        ? { sendCooldownSeconds: int(env.OTP_SEND_COOLDOWN_SECONDS) }
        : undefined,
    totp: env.OTP_TOTP_ENCRYPTION_KEY
      ? {
          encryptionKey: env.OTP_TOTP_ENCRYPTION_KEY,
          previousEncryptionKeys: list(env.OTP_TOTP_PREVIOUS_ENCRYPTION_KEYS),
          issuer: env.OTP_TOTP_ISSUER || undefined,
        }
      : undefined,
    session: {
      ttlSeconds: int(env.OTP_SESSION_TTL_SECONDS),
      idleTimeoutSeconds: int(env.OTP_SESSION_IDLE_TIMEOUT_SECONDS),
      cookie: bool(env.OTP_SESSION_COOKIE)
        ? { secure: bool(env.OTP_SESSION_COOKIE_SECURE) }
        : undefined,
    },
  };
}

/**
 * `@nestjs/config` namespace `otp`, read from the environment:
 * `OtpModule.forRootAsync(otpConfig.asProvider())`.
 */
export const otpConfig = registerAs('otp', (): OtpModuleOptions => otpOptionsFromEnv());
