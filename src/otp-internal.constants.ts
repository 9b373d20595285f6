/** Resolved options: user options validated and merged with defaults. Not exported by the barrel. */
export const RESOLVED_OTP_OPTIONS = Symbol('nestjs-otp:resolved-options');

/** The route prefix (`false` when routes are off). */
export const OTP_ROUTE_PREFIX = Symbol('nestjs-otp:route-prefix');

/** The verification provider in use (Twilio Verify unless the host supplies one). */
export const VERIFICATION_PROVIDER = Symbol('nestjs-otp:verification-provider');

/** The TypeORM data source holding members and sessions (the `dataSource` extra). */
export const OTP_DATA_SOURCE = Symbol('nestjs-otp:data-source');

/** The `Member` repository of that data source. */
export const OTP_MEMBER_REPOSITORY = Symbol('nestjs-otp:member-repository');

/** The `MemberSession` repository of that data source. */
export const OTP_SESSION_REPOSITORY = Symbol('nestjs-otp:session-repository');

/** The `RecoveryCode` repository of that data source. */
export const OTP_RECOVERY_CODE_REPOSITORY = Symbol('nestjs-otp:recovery-code-repository');

/** The `TotpAuthenticator` repository of that data source. */
export const OTP_TOTP_REPOSITORY = Symbol('nestjs-otp:totp-repository');

/** The `TrustedDevice` repository of that data source. */
export const OTP_TRUSTED_DEVICE_REPOSITORY = Symbol('nestjs-otp:trusted-device-repository');
export const OTP_PASSKEY_REPOSITORY = Symbol('nestjs-otp:passkey-repository');
export const OTP_PASSKEY_CHALLENGE_REPOSITORY = Symbol('nestjs-otp:passkey-challenge-repository');

/** The module's routes whose error bodies carry a flag other than `results` (`FlaggedRoute[]`). */
export const OTP_FLAGGED_ROUTES = Symbol('nestjs-otp:flagged-routes');
