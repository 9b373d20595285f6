import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import {
  RECENT_VERIFICATION,
  RecentVerificationGuard,
  type RecentVerificationOptions,
  type RecentVerificationRule,
} from './recent-verification.guard.js';
import { STEP_UP_DEFAULTS } from './session.options.js';

/** How recent a proof the module's own sensitive routes ask for (`STEP_UP_DEFAULTS`). */
export const SENSITIVE_ACTION_SECONDS = STEP_UP_DEFAULTS.windowSeconds;

/**
 * Lets a signed-in request through only when its member proved possession of their phone (a
 * code by SMS, call or WhatsApp), authenticator app or passkey in this session within the last
 * `seconds`: at sign-in, or by re-verifying. A password, a trusted device or a recovery code
 * alone never counts (a recovery-code sign-in does where `recoverySignIn` is set). Stacks with
 * `SessionGuard` (`@UseGuards(SessionGuard)` on the controller, this on the route) or works alone.
 */
export function RequireRecentVerification(
  seconds: number,
  options: RecentVerificationOptions = {},
): MethodDecorator & ClassDecorator {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new Error('RequireRecentVerification: seconds must be a positive integer');
  }
  const rule: RecentVerificationRule = { seconds, recoverySignIn: options.recoverySignIn === true };
  return applyDecorators(
    SetMetadata(RECENT_VERIFICATION, rule),
    UseGuards(RecentVerificationGuard),
  );
}
