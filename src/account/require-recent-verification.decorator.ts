import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import { contextRequest } from '../sessions/session-context.js';
import { SessionGuard } from '../sessions/session.guard.js';
import { SessionVerification } from './session-verification.service.js';

const RECENT_VERIFICATION_SECONDS = 'nestjs-otp:recent-verification-seconds';

/** How recent a code check the module's own sensitive routes ask for: 5 minutes. */
export const SENSITIVE_ACTION_SECONDS = 300;

/**
 * Refuses a session whose last code check is older than the route's
 * `@RequireRecentVerification(seconds)` with 403 `REVERIFICATION_REQUIRED`; the member renews it
 * with `POST /auth/session/verify/send` and `POST /auth/session/verify`. Signs the request in
 * first (as `SessionGuard` does) when no guard before it has.
 */
@Injectable()
export class RecentVerificationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessionGuard: SessionGuard,
    private readonly verification: SessionVerification,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const seconds = this.reflector.getAllAndOverride<number | undefined>(
      RECENT_VERIFICATION_SECONDS,
      [context.getHandler(), context.getClass()],
    );
    if (seconds === undefined) return true;
    let request = contextRequest(context);
    if (!request?.otpSessionId) {
      if (!(await this.sessionGuard.canActivate(context))) return false;
      request = contextRequest(context);
    }
    const sessionId = request?.otpSessionId;
    if (!sessionId) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    const verifiedAt = await this.verification.verifiedAt(sessionId);
    if (verifiedAt === null) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    if (Date.now() - verifiedAt > seconds * 1000) {
      throw new OtpException(OtpErrorCode.REVERIFICATION_REQUIRED);
    }
    return true;
  }
}

/**
 * Lets a signed-in request through only when its session checked a code (SMS or call) in the
 * last `seconds`: at sign-in, or by re-verifying. Stacks with `SessionGuard`
 * (`@UseGuards(SessionGuard)` on the controller, this on the route) or works alone.
 */
export function RequireRecentVerification(seconds: number): MethodDecorator & ClassDecorator {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new Error('RequireRecentVerification: seconds must be a positive integer');
  }
  return applyDecorators(
    SetMetadata(RECENT_VERIFICATION_SECONDS, seconds),
    UseGuards(RecentVerificationGuard),
  );
}
