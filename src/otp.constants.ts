/** Injection token of the options given to `OtpModule.forRoot()` / `forRootAsync()`. */
export { MODULE_OPTIONS_TOKEN as OTP_MODULE_OPTIONS } from './otp.module-definition.js';

/** Name of the passport strategy registered by the module (`AuthGuard('otp-session')`). */
export const OTP_SESSION_STRATEGY = 'otp-session';

/** Metadata key set by `@Public()` (named so that it cannot clash with a host's own `IS_PUBLIC_KEY`). */
export const OTP_IS_PUBLIC_KEY = 'nestjs-otp:isPublic';

/** Channels a code can be delivered over. */
export type OtpChannel = 'sms' | 'call' | 'whatsapp';

/** Every channel the module knows, in the order forms list them. */
export const OTP_CHANNELS: readonly OtpChannel[] = ['sms', 'call', 'whatsapp'];
