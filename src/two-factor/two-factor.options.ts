import type { OptionDefaults, OptionFailure } from '../errors/otp-options.error.js';

/** How new two-factor sign-ups are approved. */
export type ApprovalMode = 'automatic' | 'manual';

/** The options of `OtpModule` about two-factor sign-up. */
export interface TwoFactorModuleOptions {
  /** Approval of two-factor sign-ups. Default `'automatic'`. */
  approval?: ApprovalMode;
}

/** The two-factor options as resolved. */
export interface ResolvedTwoFactorOptions {
  approval: ApprovalMode;
}

/** Defaults of the two-factor options. */
export const TWO_FACTOR_DEFAULTS = {
  approval: 'automatic',
} as const satisfies OptionDefaults<TwoFactorModuleOptions>;

/** Checks the two-factor options and fills in their defaults; a bad option throws `fail(...)`. */
export function resolveTwoFactorOptions(
  given: TwoFactorModuleOptions,
  fail: OptionFailure,
): ResolvedTwoFactorOptions {
  const approval = given.approval ?? TWO_FACTOR_DEFAULTS.approval;
  if (approval !== 'automatic' && approval !== 'manual') {
    throw fail('approval', 'must be "automatic" or "manual"');
  }
  return { approval };
}
