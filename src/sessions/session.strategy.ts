import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { databaseOutageRefusal, type RetryAfterResponse } from '../errors/database-unavailable.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberView } from '../members/member.entity.js';
import { OTP_SESSION_STRATEGY } from '../otp.constants.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import type { OtpRequest } from './session-request.interface.js';
import { type AuthenticatedSession, SessionsService } from './sessions.service.js';
import { extractSessionToken } from './token-extractor.js';

/**
 * Passport strategy `otp-session`, for hosts that compose `AuthGuard('otp-session')`. It gives
 * the same answers as `SessionGuard`, which skips passport on its hot path.
 */
@Injectable()
export class OtpSessionStrategy extends PassportStrategy(Strategy, OTP_SESSION_STRATEGY) {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
  ) {
    super();
  }

  async validate(request: OtpRequest & { res?: RetryAfterResponse }): Promise<MemberView> {
    const token = extractSessionToken(request, this.options.session.cookie);
    let session: AuthenticatedSession | null;
    try {
      session = await this.sessions.authenticate(token);
    } catch (error) {
      // An unreachable database: 503 with Retry-After, as SessionGuard answers.
      throw databaseOutageRefusal(error, request.res) ?? error;
    }
    if (!session) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    request.otpSessionId = session.sessionId;
    request.otpSession = session;
    return session.member;
  }
}
