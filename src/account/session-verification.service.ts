import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { SecondFactor } from '../authenticators/second-factor.js';
import type { ClientInfo } from '../common/client-info.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import { SignInAudit } from '../events/sign-in-audit.js';
import { MembersService } from '../members/members.service.js';
import { OTP_SESSION_REPOSITORY } from '../otp-internal.constants.js';
import { MemberSession } from '../sessions/member-session.entity.js';
import type { OtpChannel } from '../verification/otp-channel.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';

/**
 * When a session last proved it is its member: at its sign-in (by a code, an app code or a
 * recovery code), and each time it re-verifies with a new code. Sensitive actions ask for a
 * recent proof (`@RequireRecentVerification()`).
 */
@Injectable()
export class SessionVerification {
  constructor(
    @Inject(OTP_SESSION_REPOSITORY) private readonly sessions: Repository<MemberSession>,
    private readonly verification: VerificationService,
    private readonly members: MembersService,
    private readonly audit: SignInAudit,
    private readonly secondFactor: SecondFactor,
  ) {}

  /** When the session last checked a code, in epoch ms; `null` for no such session. */
  async verifiedAt(sessionId: string): Promise<number | null> {
    const session = await this.sessions.findOne({
      where: { id: sessionId },
      select: { id: true, createdAt: true, verifiedAt: true },
    });
    if (!session) return null;
    return (session.verifiedAt ?? session.createdAt).getTime();
  }

  /**
   * Sends a code to the signed-in member's phone, to re-verify the session; with `channel:
   * 'totp'`, sends nothing (the member types a code of their authenticator app).
   */
  async sendCode(
    memberId: string,
    channel: OtpChannel | 'totp' | string,
    client: ClientInfo,
  ): Promise<{ results: true } & (CodeSent | { channel: 'totp' })> {
    const member = await this.members.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    if (channel === 'totp') {
      await this.secondFactor.assertTotp(memberId);
      return { results: true, channel: 'totp' };
    }
    const sent = await this.verification.send(member.phoneNumber, channel, client);
    return { results: true, ...sent };
  }

  /**
   * Checks the code sent to the member's phone (or of their authenticator app) and records the
   * session as verified now.
   */
  async verify(
    memberId: string,
    sessionId: string,
    confirmationCode: string,
    client: ClientInfo,
  ): Promise<{ results: true; verifiedAt: string }> {
    const member = await this.members.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    try {
      await this.secondFactor.confirm(member, confirmationCode, client);
    } catch (error) {
      this.audit.refused({ flow: 'Re-verification', memberId, e164: member.phoneNumber }, error);
      throw error;
    }
    const now = new Date();
    await this.sessions.update({ id: sessionId, memberId }, { verifiedAt: now });
    return { results: true, verifiedAt: now.toISOString() };
  }
}
