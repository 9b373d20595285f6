import type { ClientInfo } from '../http/client-info.js';
import type { MemberWithSecret } from '../members/members.repository.js';
import type { SessionProof } from '../sessions/session-assurance.js';
import { Injectable, Logger } from '@nestjs/common';
import { maskPhone } from '../events/log.util.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { MemberAccountsService } from './member-accounts.service.js';
import { type MemberView, toMemberView } from '../members/member.entity.js';
import { PhoneService } from '../phone/phone.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { RecoveryCodesService } from './recovery-codes.service.js';

/** A sign-in by recovery code: the session, the member, and how many codes are left. */
export interface RecoverySignInResult {
  sessionToken: string;
  member: MemberView;
  /** Unused recovery codes left after this one. */
  recoveryCodesRemaining: number;
}

/**
 * Signing in with a recovery code instead of a code sent to the phone: for a member whose phone
 * is out of reach. Using a code
 * revokes nothing; it is logged and emits `otp.member.recovery-code-used`. The session it starts
 * records the method `recovery` and proves no phone: it may set a new phone within the sensitive
 * window (`@RequireRecentVerification(..., { recoverySignIn: true })` on the phone routes), and
 * does nothing else sensitive until it re-verifies.
 */
@Injectable()
export class RecoverySignInService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly phones: PhoneService,
    private readonly accounts: MemberAccountsService,
    private readonly codes: RecoveryCodesService,
    private readonly sessions: SessionsService,
    private readonly audit: SignInAuditService,
    private readonly events: OtpEventsService,
  ) {}

  /**
   * Passwordless sign-in with a recovery code for the member with this phone. An unknown number
   * answers like a wrong code (401 `INVALID_CODE`); a member who has a password is told to use
   * the two-factor sign-in, and a blocked or pending member is refused, only after a right code,
   * which then stays unused.
   */
  async passwordless(
    countryCode: string,
    phoneNumber: string,
    recoveryCode: string,
    client: ClientInfo,
  ): Promise<RecoverySignInResult & { results: true; isNewMember: false }> {
    const { e164 } = this.phones.parse(countryCode, phoneNumber);
    const member = await this.accounts.findByPhone(e164);
    const refusal = !member
      ? undefined
      : member.passwordHash
        ? OtpErrorCode.PASSWORD_REQUIRED
        : member.status === 'blocked'
          ? OtpErrorCode.MEMBER_BLOCKED
          : member.status === 'pending'
            ? OtpErrorCode.APPROVAL_PENDING
            : undefined;
    const result = await this.signIn(member, recoveryCode, client, e164, 'phone', refusal);
    return { results: true, ...result, isNewMember: false };
  }

  /** Two-factor sign-in's second factor: a recovery code for a member whose password is right. */
  twoFactor(
    member: MemberWithSecret,
    recoveryCode: string,
    client: ClientInfo,
  ): Promise<RecoverySignInResult> {
    return this.signIn(member, recoveryCode, client, member.phoneNumber, 'two-factor');
  }

  private async signIn(
    member: MemberWithSecret | null,
    recoveryCode: string,
    client: ClientInfo,
    e164: string,
    method: 'phone' | 'two-factor',
    refusal?: OtpErrorCode,
  ): Promise<RecoverySignInResult> {
    const flow = `${method === 'phone' ? 'Phone' : 'Two-factor'} sign-in (recovery code)`;
    let remaining: number;
    try {
      remaining = await this.codes.redeem(member, recoveryCode, client, e164, () => {
        if (refusal) throw new OtpException(refusal);
      });
    } catch (error) {
      this.audit.refused({ flow, method, memberId: member?.id, e164 }, error);
      throw error;
    }
    const proof: SessionProof[] =
      method === 'two-factor'
        ? [{ method: 'pwd' }, { method: 'recovery' }]
        : [{ method: 'recovery' }];
    const { token } = await this.sessions.create(member!.id, proof, client.userAgent);
    this.audit.signedIn(member!.id, e164, method);
    this.logger.warn(
      `Member ${member!.id} (${maskPhone(e164)}) used a recovery code; ${remaining} left`,
    );
    this.events.emit(OtpEvent.RECOVERY_CODE_USED, {
      memberId: member!.id,
      maskedPhone: maskPhone(e164),
      method: 'recovery',
      remaining,
    });
    return {
      sessionToken: token,
      member: toMemberView(member!),
      recoveryCodesRemaining: remaining,
    };
  }
}
