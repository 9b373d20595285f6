import { Injectable } from '@nestjs/common';
import { OtpErrorCode } from '../../errors/otp-error-code.js';
import { OtpException } from '../../errors/otp.exception.js';
import { SignInAuditService } from '../../events/sign-in-audit.service.js';
import { type MemberView, toMemberView } from '../../members/member.entity.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { ClientInfo } from '../../http/client-info.js';
import { MemberAccountsService } from '../member-accounts.service.js';
import { clientKey, RateLimiterService } from '../../rate-limit/rate-limiter.service.js';
import { PasskeysService } from './passkeys.service.js';

/** A sign-in with a passkey: the session token and the member. */
export interface PasskeySignInResult {
  /** The session token, shown this once. */
  sessionToken: string;
  member: MemberView;
}

/**
 * Signing in with a passkey alone, no code sent and no Twilio call made. A passkey that verified
 * the person is a multi-factor authenticator (NIST SP 800-63B 5.1.9): it signs in any member,
 * two-factor ones too, at assurance level 2. One that did not (where `userVerification` allows
 * it) is one factor: a member with a password is told to use the two-factor sign-in (403
 * `PASSWORD_REQUIRED`). A blocked or pending member is refused, only after a valid assertion.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly accounts: MemberAccountsService,
    private readonly sessions: SessionsService,
    private readonly audit: SignInAuditService,
    private readonly limits: RateLimiterService,
  ) {}

  /**
   * Options of the sign-in (discoverable: no credential listed, nothing about anyone). Each one
   * keeps a challenge, so asking counts for the client IP (`checksPerIp`) as a sign-in does.
   */
  async options(client: ClientInfo = {}) {
    await this.countClient(client);
    return this.passkeys.authenticationOptions('authentication');
  }

  /** Counts an attempt for the client IP: 429 `TOO_MANY_REQUESTS` over `checksPerIp`. */
  private async countClient(client: ClientInfo): Promise<void> {
    if (client.ip) await this.limits.consume([['checksPerIp', clientKey(client.ip)]]);
  }

  /** Signs in with the browser's answer to `options()`. */
  async signIn(response: unknown, client: ClientInfo): Promise<PasskeySignInResult> {
    const flow = { flow: 'Passkey sign-in', method: 'passkey' as const };
    let memberId: string | undefined;
    try {
      await this.countClient(client);
      const assertion = await this.passkeys.verifyAssertion(response, 'authentication');
      memberId = assertion.memberId;
      const member = await this.accounts.findById(assertion.memberId);
      if (!member) throw new OtpException(OtpErrorCode.PASSKEY_INVALID);
      if (member.status !== 'approved') {
        throw new OtpException(
          member.status === 'blocked' ? OtpErrorCode.MEMBER_BLOCKED : OtpErrorCode.APPROVAL_PENDING,
        );
      }
      if (member.passwordHash !== null && !assertion.userVerified) {
        throw new OtpException(OtpErrorCode.PASSWORD_REQUIRED);
      }
      const { token } = await this.sessions.create(
        member.id,
        [{ method: 'passkey', multiFactor: assertion.userVerified }],
        client.userAgent,
      );
      this.audit.signedIn(member.id, member.phoneNumber, 'passkey');
      return { sessionToken: token, member: toMemberView(member) };
    } catch (error) {
      this.audit.refused({ ...flow, memberId }, error);
      throw error;
    }
  }
}
