import type { CredentialsModuleOptions } from '../credentials/credentials.options.js';
import type { MembersModuleOptions } from '../members/members.options.js';
import type { PhoneModuleOptions } from '../phone/phone.options.js';
import type { RateLimitModuleOptions } from '../rate-limit/rate-limit.options.js';
import type { SessionModuleOptions } from '../sessions/session.options.js';
import type { TwoFactorModuleOptions } from '../two-factor/two-factor.options.js';
import type { VerificationModuleOptions } from '../verification/verification.options.js';
import type { CanActivate, Type } from '@nestjs/common';
import type { DataSource, DataSourceOptions } from 'typeorm';

export type { OtpChannel } from '../otp.constants.js';
export type { TotpOptions, TrustedDevicesOptions } from '../credentials/credentials.options.js';
export type {
  PasskeysOptions,
  PasskeyUserVerification,
} from '../credentials/passkeys/passkeys.options.js';
export type { RateLimitOptions, RateRule } from '../rate-limit/rate-limit.options.js';
export type {
  SessionCookieOptions,
  SessionOptions,
  SessionRevocationOptions,
} from '../sessions/session.options.js';
export type { ApprovalMode } from '../two-factor/two-factor.options.js';
export type { LineType, LookupOptions } from '../verification/lookup/lookup.options.js';
export type { TwilioOptions, VerifyRateLimitNames } from '../verification/verification.options.js';

// Each feature declares its slice of the options, with their defaults and checks, beside its code
// (`verification/verification.options.ts`, `sessions/session.options.ts`, ...).
/** Options of `OtpModule`, given to `forRoot()` or returned by the `forRootAsync()` factory. */
export interface OtpModuleOptions
  extends
    VerificationModuleOptions,
    MembersModuleOptions,
    TwoFactorModuleOptions,
    PhoneModuleOptions,
    CredentialsModuleOptions,
    SessionModuleOptions,
    RateLimitModuleOptions {}

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
