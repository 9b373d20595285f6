import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { databaseOutageRefusal, type RetryAfterResponse } from '../errors/database-unavailable.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import type { SessionAssurance } from './session-assurance.js';
import { contextRequest } from './session-context.js';
import { SessionGuard } from './session.guard.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';

/** Metadata key of `@RequireRecentVerification()`. */
export const RECENT_VERIFICATION = 'nestjs-otp:recent-verification';

/** What `@RequireRecentVerification()` asks of a session besides its window. */
export interface RecentVerificationOptions {
  /**
   * Also let through a session signed in with a recovery code within the window, which proves no
   * phone: for setting a new phone when the old one is lost. Default `false`.
   */
  recoverySignIn?: boolean;
}

/** The rule a route's `@RequireRecentVerification()` sets. */
export interface RecentVerificationRule extends RecentVerificationOptions {
  seconds: number;
}

/**
 * Refuses a session whose member has not proved possession of their phone, authenticator app or
 * passkey within the route's `@RequireRecentVerification(seconds)` with 403
 * `REVERIFICATION_REQUIRED`: a session signed in by a trusted device or a recovery code never
 * did, until it re-verifies (`POST /auth/session/verify/send`, then `POST /auth/session/verify`).
 * Signs the request in first (as `SessionGuard` does) when no guard before it has.
 */
@Injectable()
export class RecentVerificationGuard implements CanActivate {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly reflector: Reflector,
    private readonly sessionGuard: SessionGuard,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<RecentVerificationRule | undefined>(
      RECENT_VERIFICATION,
      [context.getHandler(), context.getClass()],
    );
    if (rule === undefined) return true;
    let request = contextRequest(context);
    if (!request?.otpSession) {
      if (!(await this.sessionGuard.canActivate(context))) return false;
      request = contextRequest(context);
    }
    const signedIn = request?.otpSession;
    // As stored now: the guard's view of the session is as of its (cached) lookup.
    const session = signedIn && (await this.assurance(signedIn, context));
    if (!signedIn || !session) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    if (this.isRecent(session, rule, Date.now())) return true;
    const last = session.verifiedAt
      ? `${Math.round((Date.now() - session.verifiedAt.getTime()) / 1000)} s ago`
      : `never (signed in by ${session.amr.join(' + ') || 'an earlier version'})`;
    this.logger.warn(
      `Re-verification required: member ${signedIn.member.id}, session ${signedIn.sessionId}, ` +
        `last proof of possession ${last}, route asks within ${rule.seconds} s`,
    );
    throw new OtpException(OtpErrorCode.REVERIFICATION_REQUIRED);
  }

  /** The session's assurance as stored; an unreachable database answers 503 on host routes too. */
  private async assurance(signedIn: AuthenticatedSession, context: ExecutionContext) {
    try {
      return await this.sessions.assurance(signedIn.member.id, signedIn.sessionId);
    } catch (error) {
      const response =
        context.getType() === 'http'
          ? context.switchToHttp().getResponse<RetryAfterResponse>()
          : undefined;
      throw databaseOutageRefusal(error, response) ?? error;
    }
  }

  private isRecent(
    session: SessionAssurance & { createdAt: Date },
    rule: RecentVerificationRule,
    now: number,
  ): boolean {
    const window = rule.seconds * 1000;
    if (session.verifiedAt && now - session.verifiedAt.getTime() <= window) return true;
    return (
      rule.recoverySignIn === true &&
      session.amr.includes('recovery') &&
      now - session.createdAt.getTime() <= window
    );
  }
}
