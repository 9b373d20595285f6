/**
 * `nestjs-otp/migrations`: the module's TypeORM migrations, for hosts that do not use
 * `synchronize`: `migrations: [...OTP_MIGRATIONS, ...yourOwn]` in the data source options.
 */
export {
  OTP_MIGRATIONS,
  OtpAccountLifecycle1796300000000,
  OtpAuthenticatorApps1796400000000,
  OtpInitialSchema1795435481983,
  OtpPasskeys1796700000000,
  OtpSessionAssurance1796600000000,
  OtpTrustedDevices1796500000000,
} from './otp-migrations.js';
