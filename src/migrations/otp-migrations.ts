import { OtpAccountLifecycle1796300000000 } from './otp-account-lifecycle.migration.js';
import { OtpAuthenticatorApps1796400000000 } from './otp-authenticator-apps.migration.js';
import { OtpTrustedDevices1796500000000 } from './otp-trusted-devices.migration.js';
import { OtpInitialSchema1795435481983 } from './otp-initial-schema.migration.js';
import { OtpPasskeys1796700000000 } from './otp-passkeys.migration.js';
import { OtpSessionAssurance1796600000000 } from './otp-session-assurance.migration.js';

export {
  OtpAccountLifecycle1796300000000,
  OtpAuthenticatorApps1796400000000,
  OtpInitialSchema1795435481983,
  OtpPasskeys1796700000000,
  OtpSessionAssurance1796600000000,
  OtpTrustedDevices1796500000000,
};

/**
 * The module's TypeORM migrations, oldest first, for hosts that do not use `synchronize`:
 * `migrations: [...OTP_MIGRATIONS, ...yourOwn]` in the data source options, then
 * `migrationsRun: true` or `dataSource.runMigrations()`.
 */
export const OTP_MIGRATIONS = [
  OtpInitialSchema1795435481983,
  OtpAccountLifecycle1796300000000,
  OtpAuthenticatorApps1796400000000,
  OtpTrustedDevices1796500000000,
  OtpSessionAssurance1796600000000,
  OtpPasskeys1796700000000,
];
