import { Injectable } from '@nestjs/common';
import { SecondFactorService } from '../credentials/second-factor.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { MembersRepository } from '../members/members.repository.js';
import type { AuthMethod, SessionProof } from '../sessions/session-assurance.js';
import { PasskeysService } from '../credentials/passkeys/passkeys.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { OtpChannel } from '../otp.constants.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';

/** A session re-verified: its new token (the old one is ended) and when. */
export interface SessionVerified {
  results: true;
  /** The session's new token, shown this once. */
  sessionToken: string;
  /** ISO 8601. */
  verifiedAt: string;
}

/**
 * Re-verifying a signed-in session: the member proves possession of their phone (a new code) or
 * authenticator app again. The session records the proof (`amr`, `aal`, `verifiedAt`) and gets a
 * new token: the old one stops working on every instance, so a copy stolen earlier does not
 * ride the fresh proof (OWASP ASVS 7.2.4). Sensitive actions ask for a recent proof
 * (`@RequireRecentVerification()`).
 */
@Injectable()
export class SessionVerificationService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly verification: VerificationService,
    private readonly members: MembersRepository,
    private readonly audit: SignInAuditService,
    private readonly secondFactor: SecondFactorService,
    private readonly passkeys: PasskeysService,
  ) {}

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
   * Checks the code sent to the member's phone (or of their authenticator app), records the
   * proof in the session and renews its token: resolves to the new token, shown this once.
   */
  async verify(
    memberId: string,
    sessionId: string,
    confirmationCode: string,
    client: ClientInfo,
  ): Promise<SessionVerified> {
    const member = await this.members.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    let method: AuthMethod;
    try {
      method = await this.secondFactor.confirm(member, confirmationCode, client);
    } catch (error) {
      this.audit.refused({ flow: 'Re-verification', memberId, e164: member.phoneNumber }, error);
      throw error;
    }
    return this.renew(memberId, sessionId, { method });
  }

  /** Options of a re-verification with one of the member's passkeys, bound to this session. */
  passkeyOptions(memberId: string, sessionId: string) {
    return this.passkeys.authenticationOptions('step-up', { memberId, sessionId });
  }

  /**
   * Checks the browser's answer to `passkeyOptions()` (one of the member's own passkeys, in this
   * session), records the proof in the session and renews its token.
   */
  async verifyPasskey(
    memberId: string,
    sessionId: string,
    passkeyResponse: unknown,
  ): Promise<SessionVerified> {
    let multiFactor: boolean;
    try {
      ({ userVerified: multiFactor } = await this.passkeys.verifyAssertion(
        passkeyResponse,
        'step-up',
        { memberId, sessionId },
      ));
    } catch (error) {
      this.audit.refused({ flow: 'Re-verification (passkey)', memberId }, error);
      throw error;
    }
    return this.renew(memberId, sessionId, { method: 'passkey', multiFactor });
  }

  private async renew(
    memberId: string,
    sessionId: string,
    proof: SessionProof,
  ): Promise<SessionVerified> {
    const renewed = await this.sessions.renew(memberId, sessionId, proof);
    // Revoked (or renewed by a concurrent request) while the proof was checked.
    if (!renewed) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    return {
      results: true,
      sessionToken: renewed.token,
      verifiedAt: renewed.verifiedAt!.toISOString(),
    };
  }
}
