import type { ClientInfo } from '../http/client-info.js';
import type { MemberWithSecret } from '../members/members.repository.js';
import type { OtpChannel } from '../otp.constants.js';
import type { ChangeEmailInfo, ChangePhoneInfo, NewPhoneInfo } from './account.types.js';
import { Injectable } from '@nestjs/common';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { MemberAccountsService } from '../credentials/member-accounts.service.js';
import { type MemberView, toMemberView } from '../members/member.entity.js';
import { PhoneService } from '../phone/phone.service.js';
import { CredentialCheckerService } from '../credentials/credential-checker.service.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';

/**
 * The signed-in member's own account: a new phone (confirmed by a code sent to it), a new email
 * (members with a password), and deleting the account. Each change revokes the member's other
 * sessions.
 */
@Injectable()
export class AccountService {
  constructor(
    private readonly accounts: MemberAccountsService,
    private readonly phones: PhoneService,
    private readonly verification: VerificationService,
    private readonly credentials: CredentialCheckerService,
    private readonly audit: SignInAuditService,
  ) {}

  /**
   * Sends a code to the member's new number, parsed and limited like every send. Refuses with
   * 409 `ALREADY_REGISTERED`, without sending, when the number is another member's (the send
   * stays counted), and with 400 when it is already the member's.
   */
  async sendPhoneChangeCode(
    memberId: string,
    info: NewPhoneInfo,
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    const member = await this.member(memberId);
    this.verification.assertChannel(info.channel);
    const { e164 } = this.phones.parse(info.countryCode, info.phoneNumber);
    if (e164 === member.phoneNumber) throw sameValue('phone number');
    const sent = await this.verification.send(e164, info.channel, client, {
      before: async () => {
        if (await this.accounts.findByPhone(e164)) {
          throw new OtpException(OtpErrorCode.ALREADY_REGISTERED);
        }
      },
    });
    return { results: true, ...sent };
  }

  /**
   * Makes the new number the member's phone once the code sent to it is right (and, for members
   * with a password, the current password); revokes the member's other sessions. A passwordless
   * member's placeholder email follows the new number.
   */
  async changePhone(
    memberId: string,
    info: ChangePhoneInfo,
    currentSessionId: string | undefined,
    client: ClientInfo,
  ): Promise<MemberView> {
    let member = await this.member(memberId);
    const { e164 } = this.phones.parse(info.countryCode, info.phoneNumber);
    if (e164 === member.phoneNumber) throw sameValue('phone number');
    if (member.passwordHash !== null) {
      if (info.currentPassword === undefined) {
        throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
          message: 'currentPassword is required for members who have a password',
        });
      }
      member = await this.credentials.check(member.email, info.currentPassword, client);
    }
    await this.confirm('Phone change', member, e164, info.confirmationCode, client);
    const changed = await this.accounts.changePhone(member, e164, {
      method: 'change',
      keepSessionId: currentSessionId,
    });
    return toMemberView(changed);
  }

  /** Sends a code to the member's phone to confirm a new email (members with a password). */
  async sendEmailChangeCode(
    memberId: string,
    channel: OtpChannel | string,
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    const member = await this.member(memberId);
    if (member.passwordHash === null) throw noEmail();
    return this.sendToOwnPhone(member, channel, client);
  }

  /**
   * Makes `newEmail` the member's email with their current password and the code sent to their
   * phone; revokes the member's other sessions. Refuses the placeholder domain (400
   * `EMAIL_NOT_ALLOWED`) and an email that is another member's (409 `ALREADY_REGISTERED`).
   *
   * Whether the email is taken is looked at only once the password and the code are right, so a
   * wrong code answers alike for a free and a registered email and is counted like every check
   * (meeting 429 the same way); the 409 costs the code, one per send to the member's own phone.
   * Nothing is written on any refusal.
   */
  async changeEmail(
    memberId: string,
    info: ChangeEmailInfo,
    currentSessionId: string | undefined,
    client: ClientInfo,
  ): Promise<MemberView> {
    const profile = await this.member(memberId);
    if (profile.passwordHash === null) throw noEmail();
    const email = this.credentials.normaliseEmail(info.newEmail);
    if (email === profile.email) throw sameValue('email');
    const member = await this.credentials.check(profile.email, info.currentPassword, client);
    await this.confirm('Email change', member, member.phoneNumber, info.confirmationCode, client);
    if (await this.accounts.findByEmail(email)) {
      const taken = new OtpException(OtpErrorCode.ALREADY_REGISTERED);
      this.audit.refused({ flow: 'Email change', memberId: member.id }, taken);
      throw taken;
    }
    return toMemberView(await this.accounts.changeEmail(member, email, currentSessionId));
  }

  /** Sends a code to the member's phone to confirm deleting the account. */
  async sendDeletionCode(
    memberId: string,
    channel: OtpChannel | string,
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    return this.sendToOwnPhone(await this.member(memberId), channel, client);
  }

  /**
   * Erases the member once the code sent to their phone is right: the member, their sessions and
   * recovery codes; their phone and email are free again.
   */
  async deleteAccount(
    memberId: string,
    confirmationCode: string,
    client: ClientInfo,
  ): Promise<void> {
    const member = await this.member(memberId);
    await this.confirm('Account deletion', member, member.phoneNumber, confirmationCode, client);
    await this.accounts.erase(member.id, 'change');
  }

  private async sendToOwnPhone(
    member: MemberWithSecret,
    channel: OtpChannel | string,
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    const sent = await this.verification.send(member.phoneNumber, channel, client);
    return { results: true, ...sent };
  }

  private async member(memberId: string): Promise<MemberWithSecret> {
    const member = await this.accounts.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    return member;
  }

  private async confirm(
    flow: string,
    member: MemberWithSecret,
    e164: string,
    code: string,
    client: ClientInfo,
  ): Promise<void> {
    try {
      await this.verification.confirm(e164, code, client);
    } catch (error) {
      this.audit.refused({ flow, memberId: member.id, e164 }, error);
      throw error;
    }
  }
}

function sameValue(what: string): OtpException {
  return new OtpException(OtpErrorCode.VALIDATION_FAILED, {
    message: `That is already your ${what}.`,
  });
}

function noEmail(): OtpException {
  return new OtpException(OtpErrorCode.FORBIDDEN, {
    message: 'This account signs in by phone alone: it has no email to change.',
  });
}
