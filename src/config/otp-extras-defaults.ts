/**
 * Defaults of the extras (`OtpModuleExtras`), the options that shape the module. This file
 * imports nothing, so that the module definition can read it.
 */
export const OTP_EXTRAS_DEFAULTS = {
  /** The module is not global. */
  isGlobal: false,
  /** The routes are mounted under `/auth`. */
  routes: { prefix: 'auth' },
} as const;
