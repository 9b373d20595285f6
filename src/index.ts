// The public API of `nestjs-otp`, by role. The Twilio Verify emulator is `nestjs-otp/testing`;
// the TypeORM migrations are `nestjs-otp/migrations`.

// The module and its options
export { OtpModule } from './otp.module.js';
export { OTP_MODULE_OPTIONS, OTP_SESSION_STRATEGY, OTP_IS_PUBLIC_KEY } from './otp.constants.js';
export type { OtpChannel } from './otp.constants.js';
export { InjectOtpOptions } from './config/inject-otp-options.decorator.js';
export { otpConfig, otpOptionsFromEnv } from './config/otp.config.js';
export { OtpOptionsError } from './config/resolve-options.js';
export type {
  ApprovalMode,
  LineType,
  LookupOptions,
  OtpModuleExtras,
  OtpModuleOptions,
  PasskeysOptions,
  PasskeyUserVerification,
  RateLimitOptions,
  RateRule,
  SessionCookieOptions,
  SessionOptions,
  SessionRevocationOptions,
  TotpOptions,
  TrustedDevicesOptions,
  TwilioOptions,
  VerifyRateLimitNames,
} from './config/otp-options.interface.js';

// Services: the flows, the member's account and credentials, administration
export { OtpService } from './passwordless/otp.service.js';
export type { PhoneLoginResult } from './passwordless/otp.service.js';
export { TwoFactorService } from './two-factor/two-factor.service.js';
export type {
  ChangePasswordInfo,
  LoginInfo,
  MemberInfo,
  RegisterInfo,
  RegisterResult,
  ResetPasswordInfo,
  TwoFactorLoginResult,
  VisitorInfo,
} from './two-factor/two-factor.types.js';
export { AccountService } from './account/account.service.js';
export type { ChangeEmailInfo, ChangePhoneInfo, NewPhoneInfo } from './account/account.types.js';
export { SessionVerificationService } from './account/session-verification.service.js';
export type { SessionVerified } from './account/session-verification.service.js';
export { RecoveryCodesService } from './credentials/recovery-codes.service.js';
export type { RecoveryCodesStatus } from './credentials/recovery-codes.service.js';
export { RecoverySignInService } from './credentials/recovery-sign-in.service.js';
export type { RecoverySignInResult } from './credentials/recovery-sign-in.service.js';
export { TotpService } from './credentials/totp.service.js';
export type { TotpSetup } from './credentials/totp.service.js';
export { PasskeysService } from './credentials/passkeys/passkeys.service.js';
export type { PasskeyView, VerifiedAssertion } from './credentials/passkeys/passkeys.service.js';
export { PasskeySignInService } from './credentials/passkeys/passkey-sign-in.service.js';
export type { PasskeySignInResult } from './credentials/passkeys/passkey-sign-in.service.js';
export { TrustedDevicesService } from './credentials/trusted-devices.service.js';
export type { TrustedDeviceView } from './credentials/trusted-devices.service.js';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './credentials/password-policy.js';
export { MembersService } from './admin/members.service.js';
export type { MemberPage, MemberPageOptions } from './admin/members.service.js';
export { SessionsService } from './sessions/sessions.service.js';
export type { AuthenticatedSession, SessionView } from './sessions/sessions.service.js';
export { CountriesService } from './phone/countries.service.js';
export type { Country } from './phone/countries.service.js';
export type { ClientInfo } from './http/client-info.js';

// Protecting routes: guards, decorators, the passport strategy
export { SessionGuard } from './sessions/session.guard.js';
export type { ConnectionAuthOptions } from './sessions/session.guard.js';
export { OtpSessionStrategy } from './sessions/session.strategy.js';
export { RecentVerificationGuard } from './sessions/recent-verification.guard.js';
export type { RecentVerificationOptions } from './sessions/recent-verification.guard.js';
export { RequireRecentVerification } from './sessions/require-recent-verification.decorator.js';
export { CurrentMember } from './sessions/current-member.decorator.js';
export { CurrentSession } from './sessions/current-session.decorator.js';
export { CurrentSessionId } from './sessions/current-session-id.decorator.js';
export { Public } from './http/public.decorator.js';
export { AUTH_METHODS } from './sessions/session-assurance.js';
export type { AssuranceLevel, AuthMethod } from './sessions/session-assurance.js';
export type { OtpRequest } from './sessions/session-request.interface.js';
export type {
  RedisPubSubClient,
  RedisSubscriberConnection,
} from './sessions/revocation/redis-revocation-channel.js';

// Errors
export { OtpErrorCode } from './errors/otp-error-code.js';
export { OtpException } from './errors/otp.exception.js';
export type { OtpExceptionOptions } from './errors/otp.exception.js';
export { OTP_ERRORS } from './errors/otp-errors.js';
export type { OtpErrorDefinition } from './errors/otp-errors.js';
export { OtpExceptionFilter, OtpGlobalExceptionFilter } from './http/otp-exception.filter.js';
export type { OtpErrorBody } from './http/otp-exception.filter.js';

// Events
export { OtpEventsService } from './events/otp-events.service.js';
export { OtpEvent } from './events/otp-events.js';
export type { OtpEventName, OtpEventPayload } from './events/otp-events.js';

// Rate-limit storage
export { MemoryRateLimitStorage } from './rate-limit/memory-rate-limit.storage.js';
export { RedisRateLimitStorage } from './rate-limit/redis-rate-limit.storage.js';
export type {
  RedisRateLimitStorageOptions,
  RedisScriptClient,
  RedisUnavailablePolicy,
} from './rate-limit/redis-rate-limit.storage.js';
export type {
  RateLimitStorage,
  RateVerdict,
  RateWindow,
} from './rate-limit/rate-limit-storage.interface.js';

// Verification providers and Twilio Verify locales
export type {
  VerificationCheckResult,
  VerificationCheckStatus,
  VerificationProvider,
  VerificationRequest,
  VerificationStarted,
} from './verification/verification-provider.interface.js';
export type { CodeSent } from './verification/verification.service.js';
export { VERIFY_LOCALES, verifyLocaleFromAcceptLanguage } from './verification/verify-locales.js';
export type { VerifyLocale } from './verification/verify-locales.js';

// Entities
export { OTP_ENTITIES } from './otp.entities.js';
export { Member } from './members/member.entity.js';
export type { MemberStatus, MemberView } from './members/member.entity.js';
export { MemberSession } from './sessions/member-session.entity.js';
export { RecoveryCode } from './credentials/recovery-code.entity.js';
export { TotpAuthenticator } from './credentials/totp-authenticator.entity.js';
export { TrustedDevice } from './credentials/trusted-device.entity.js';
export { Passkey } from './credentials/passkeys/passkey.entity.js';
export { PasskeyChallenge } from './credentials/passkeys/passkey-challenge.entity.js';
