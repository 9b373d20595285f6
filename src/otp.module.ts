import { type DynamicModule, Module } from '@nestjs/common';
import { AccountService } from './account/account.service.js';
import { RecoveryCodesRepository } from './credentials/recovery-codes.repository.js';
import { RecoveryCodesService } from './credentials/recovery-codes.service.js';
import { RecoverySignInService } from './credentials/recovery-sign-in.service.js';
import { RecentVerificationGuard } from './sessions/recent-verification.guard.js';
import { SessionVerificationService } from './account/session-verification.service.js';
import { AccessRevocationService } from './credentials/access-revocation.service.js';
import { PasskeySignInService } from './credentials/passkeys/passkey-sign-in.service.js';
import { PasskeysRepository } from './credentials/passkeys/passkeys.repository.js';
import { PasskeysService } from './credentials/passkeys/passkeys.service.js';
import { SecondFactorService } from './credentials/second-factor.service.js';
import { TotpRepository } from './credentials/totp.repository.js';
import { TotpService } from './credentials/totp.service.js';
import { TrustedDevicesRepository } from './credentials/trusted-devices.repository.js';
import { TrustedDevicesService } from './credentials/trusted-devices.service.js';
import { JsonBodyInspector } from './body-checks/json-body.inspector.js';
import { OtpExceptionFilter, OtpRegistrationExceptionFilter } from './http/otp-exception.filter.js';
import { resolveOtpOptions } from './config/resolve-options.js';
import type { ResolvedOtpOptions } from './config/resolved-otp-options.interface.js';
import { BackgroundTasksService } from './persistence/background-tasks.service.js';
import { SignInAuditService } from './events/sign-in-audit.service.js';
import { MemberAccountsService } from './credentials/member-accounts.service.js';
import { MembersRepository } from './members/members.repository.js';
import { MembersService } from './admin/members.service.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { CredentialCheckerService } from './credentials/credential-checker.service.js';
import { PasswordService } from './two-factor/password.service.js';
import { TwoFactorSignInService } from './two-factor/two-factor-sign-in.service.js';
import { TwoFactorSignUpService } from './two-factor/two-factor-sign-up.service.js';
import {
  ASYNC_OPTIONS_TYPE,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
  OtpConfigurableModule,
} from './otp.module-definition.js';
import { applyOtpExtras } from './otp-module-shape.js';
import { OtpSchemaCheck } from './otp-schema.check.js';
import {
  OTP_FLAGGED_ROUTES,
  OTP_ROUTE_PREFIX,
  RESOLVED_OTP_OPTIONS,
  VERIFICATION_PROVIDER,
} from './otp-internal.constants.js';
import { OtpService } from './passwordless/otp.service.js';
import { CountriesService } from './phone/countries.service.js';
import { PhoneService } from './phone/phone.service.js';
import { SessionGuard } from './sessions/session.guard.js';
import { OtpSessionStrategy } from './sessions/session.strategy.js';
import { SessionsService } from './sessions/sessions.service.js';
import { TwilioVerificationProvider } from './verification/twilio-verification.provider.js';
import { VerificationService } from './verification/verification.service.js';
import { OtpEventsService } from './events/otp-events.service.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { RateLimiterService } from './rate-limit/rate-limiter.service.js';
import { TwoFactorService } from './two-factor/two-factor.service.js';

/**
 * Phone-verified sign-in through Twilio Verify.
 *
 * ```ts
 * OtpModule.forRoot({ twilio: { accountSid, authToken, verifyServiceSid }, mailDomain: 'example.com' })
 * OtpModule.forRootAsync(otpConfig.asProvider())
 * ```
 * The host app owns `TypeOrmModule.forRoot()`; this module registers its entities with
 * `forFeature` (found by `autoLoadEntities`, or list `OTP_ENTITIES`) on the default data source,
 * or on the one named by the `dataSource` extra.
 */
@Module({
  providers: [
    {
      provide: RESOLVED_OTP_OPTIONS,
      useFactory: resolveOtpOptions,
      inject: [MODULE_OPTIONS_TOKEN],
    },
    {
      provide: VERIFICATION_PROVIDER,
      useFactory: (options: ResolvedOtpOptions) =>
        options.verificationProvider ??
        new TwilioVerificationProvider(options.twilio!, options.verify, options.codeTtlSeconds),
      inject: [RESOLVED_OTP_OPTIONS],
    },
    PhoneService,
    CountriesService,
    VerificationService,
    SessionsRepository,
    SessionsService,
    MembersRepository,
    MembersService,
    MemberAccountsService,
    SignInAuditService,
    BackgroundTasksService,
    OtpService,
    CredentialCheckerService,
    TwoFactorSignUpService,
    TwoFactorSignInService,
    PasswordService,
    TwoFactorService,
    PasswordHasher,
    RateLimiterService,
    OtpEventsService,
    SessionGuard,
    OtpSessionStrategy,
    OtpExceptionFilter,
    OtpRegistrationExceptionFilter,
    JsonBodyInspector,
    AccountService,
    RecoveryCodesRepository,
    RecoveryCodesService,
    RecoverySignInService,
    SessionVerificationService,
    RecentVerificationGuard,
    TotpRepository,
    TotpService,
    SecondFactorService,
    TrustedDevicesRepository,
    TrustedDevicesService,
    AccessRevocationService,
    PasskeysRepository,
    PasskeysService,
    PasskeySignInService,
    OtpSchemaCheck,
  ],
  exports: [
    RESOLVED_OTP_OPTIONS,
    OTP_ROUTE_PREFIX,
    OTP_FLAGGED_ROUTES,
    OtpService,
    TwoFactorService,
    OtpEventsService,
    MembersService,
    SessionsService,
    CountriesService,
    SessionGuard,
    AccountService,
    RecoveryCodesService,
    RecoverySignInService,
    SessionVerificationService,
    RecentVerificationGuard,
    TotpService,
    TrustedDevicesService,
    PasskeysService,
    PasskeySignInService,
  ],
})
export class OtpModule extends OtpConfigurableModule {
  /** The module with these options; the extras (routes, admin, data source) shape it. */
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return applyOtpExtras(super.forRoot(options), options);
  }

  /** The module with options from a factory, class or existing provider, shaped by the extras. */
  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return applyOtpExtras(super.forRootAsync(options), options);
  }
}
