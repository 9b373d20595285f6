import type { OtpModuleOptions } from './otp-options.interface.js';
import type { ResolvedOtpOptions } from './resolved-otp-options.interface.js';
import { OtpOptionsError, type OptionFailure } from '../errors/otp-options.error.js';
import { resolveCredentialsOptions } from '../credentials/credentials.options.js';
import { resolveMembersOptions } from '../members/members.options.js';
import { resolvePhoneOptions } from '../phone/phone.options.js';
import { resolveRateLimitOptions } from '../rate-limit/rate-limit.options.js';
import { resolveSessionOptions } from '../sessions/session.options.js';
import { resolveTwoFactorOptions } from '../two-factor/two-factor.options.js';
import { resolveVerificationOptions } from '../verification/verification.options.js';

export { OtpOptionsError } from '../errors/otp-options.error.js';

/** Fails start-up with an `OtpOptionsError` naming the option. */
const fail: OptionFailure = (option, problem) => new OtpOptionsError(option, problem);

/**
 * Validates the module options and fills in defaults, each feature its own slice (see its
 * `*.options.ts`). Throws `OtpOptionsError`.
 */
export function resolveOtpOptions(options: OtpModuleOptions): ResolvedOtpOptions {
  if (typeof options !== 'object' || options === null) {
    throw new OtpOptionsError('options', 'must be an object');
  }
  const verification = resolveVerificationOptions(options, fail);
  const members = resolveMembersOptions(options, fail);
  return {
    ...verification,
    ...members,
    ...resolveTwoFactorOptions(options, fail),
    ...resolvePhoneOptions(options, fail),
    ...resolveCredentialsOptions(options, members.mailDomain, fail),
    ...resolveSessionOptions(options, fail),
    ...resolveRateLimitOptions(options, fail),
  };
}
