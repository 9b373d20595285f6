/** Injection token of the options given to `OtpModule.forRoot()` / `forRootAsync()`. */
export { MODULE_OPTIONS_TOKEN as OTP_MODULE_OPTIONS } from './otp.module-definition.js';

/** Name of the passport strategy registered by the module (`AuthGuard('otp-session')`). */
export const OTP_SESSION_STRATEGY = 'otp-session';

/** Metadata key set by `@Public()`. */
export const IS_PUBLIC_KEY = 'nestjs-otp:isPublic';
