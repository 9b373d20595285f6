import { CREDENTIALS_DEFAULTS } from '../credentials/credentials.options.js';
import { PHONE_DEFAULTS } from '../phone/phone.options.js';
import { RATE_LIMIT_DEFAULTS } from '../rate-limit/rate-limit.options.js';
import { SESSION_DEFAULTS } from '../sessions/session.options.js';
import { TWO_FACTOR_DEFAULTS } from '../two-factor/two-factor.options.js';
import { VERIFICATION_DEFAULTS } from '../verification/verification.options.js';
import { OTP_EXTRAS_DEFAULTS } from './otp-extras-defaults.js';

export { RATE_RULES } from '../rate-limit/rate-limit.options.js';

/**
 * Every default of the module's options, by the option's path (`session.cookie.sameSite`,
 * `rateLimit.sendsPerIp`, the extras' `routes.prefix`): each feature's defaults, as its
 * `*.options.ts` declares them, and the extras'. A default that applies only once its option
 * is given (`session.cookie`, `lookup`) sits under it.
 */
export const OTP_DEFAULTS = {
  ...VERIFICATION_DEFAULTS,
  ...PHONE_DEFAULTS,
  ...TWO_FACTOR_DEFAULTS,
  ...CREDENTIALS_DEFAULTS,
  session: SESSION_DEFAULTS,
  rateLimit: RATE_LIMIT_DEFAULTS,
  ...OTP_EXTRAS_DEFAULTS,
} as const;
