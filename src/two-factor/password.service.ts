import { Injectable, Logger } from '@nestjs/common';
import { BackgroundTasksService } from '../persistence/background-tasks.service.js';
import type { ClientInfo } from '../http/client-info.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { MemberAccountsService } from '../credentials/member-accounts.service.js';
import { MembersRepository } from '../members/members.repository.js';
import type { OtpChannel } from '../otp.constants.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';
import { CredentialCheckerService } from '../credentials/credential-checker.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { checkPasswordPolicy } from '../credentials/password-policy.js';
import type { ChangePasswordInfo, ResetPasswordInfo } from './two-factor.types.js';

/** Passwords: reset by a code sent to the member's phone, change by current password and code. */
@Injectable()
export class PasswordService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly verification: VerificationService,
    private readonly accounts: MemberAccountsService,
    private readonly members: MembersRepository,
    private readonly credentials: CredentialCheckerService,
    private readonly hasher: PasswordHasher,
    private readonly audit: SignInAuditService,
    private readonly background: BackgroundTasksService,
  ) {}

  /**
   * Sends a password-reset code to the phone of the member with this email, if there is one.
   * Answers the same, and as fast, whether or not the email exists: the client's and the email's
   * send limits are counted at once (alike for every email; the email's reset sends apart from
   * its sign-up and sign-in sends), the code goes out in the background (which shutdown waits
   * for), and a failure to send is only logged. The answer's channel, wait and lifetime come from
   * the options alone, alike for every email.
   */
  async sendResetCode(
    info: { email: string; channel: OtpChannel | string; newPassword?: string },
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    const email = this.credentials.normaliseEmail(info.email);
    // Before any lookup: the answer says nothing about the email.
    if (info.newPassword !== undefined) checkPasswordPolicy(info.newPassword, 'newPassword');
    this.verification.assertChannel(info.channel);
    // A locale the host chose is checked now, not only in the background send.
    this.verification.localeFor(client);
    await this.verification.chargeResetSend(email, client);
    this.background.run('Password-reset code', async () => {
      const member = await this.accounts.findByEmail(email);
      if (!member?.passwordHash || member.status === 'blocked') return;
      await this.verification.send(member.phoneNumber, info.channel, client, { ipCounted: true });
    });
    return { results: true, ...this.verification.receipt(info.channel) };
  }

  /**
   * Sets a new password when the reset code for the member's phone is approved, and revokes
   * every session of the member. An unknown email answers exactly like a wrong code (same body,
   * counted in the same limits, after about the time a check at Twilio takes), and a wrong,
   * expired or never-sent code all answer `INVALID_CODE`.
   */
  async reset(info: ResetPasswordInfo, client: ClientInfo): Promise<{ results: true }> {
    const email = this.credentials.normaliseEmail(info.email);
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.accounts.findByEmail(email);
    if (!member?.passwordHash || member.status === 'blocked') {
      return this.verification.refuseCheck(info.confirmationCode, client, email);
    }
    try {
      await this.verification.confirm(member.phoneNumber, info.confirmationCode, client, {
        account: email,
      });
    } catch (error) {
      this.audit.refused(
        { flow: 'Password reset', method: 'reset', memberId: member.id, e164: member.phoneNumber },
        error,
      );
      if (error instanceof OtpException && error.code === OtpErrorCode.CODE_EXPIRED) {
        throw new OtpException(OtpErrorCode.INVALID_CODE);
      }
      throw error;
    }
    await this.accounts.setPasswordHash(member.id, await this.hasher.hash(password));
    this.logger.log(`Password of member ${member.id} reset; every session revoked`);
    return { results: true };
  }

  /** Sends a code to the signed-in member's phone, to confirm a password change. */
  async sendChangeCode(
    memberId: string,
    channel: OtpChannel | string,
    client: ClientInfo,
  ): Promise<{ results: true } & CodeSent> {
    this.verification.assertChannel(channel);
    const member = await this.members.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    const sent = await this.verification.send(member.phoneNumber, channel, client);
    return { results: true, ...sent };
  }

  /**
   * Changes the signed-in member's password (current password + code); every other session of
   * the member is revoked.
   */
  async change(
    memberId: string,
    info: ChangePasswordInfo,
    currentSessionId: string | undefined,
    client: ClientInfo,
  ): Promise<{ results: true }> {
    const profile = await this.members.findById(memberId);
    if (!profile) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.credentials.check(profile.email, info.currentPassword, client);
    try {
      await this.verification.confirm(member.phoneNumber, info.confirmationCode, client);
    } catch (error) {
      this.audit.refused(
        {
          flow: 'Password change',
          method: 'change',
          memberId: member.id,
          e164: member.phoneNumber,
        },
        error,
      );
      throw error;
    }
    await this.accounts.setPasswordHash(
      member.id,
      await this.hasher.hash(password),
      currentSessionId,
    );
    this.logger.log(`Password of member ${member.id} changed`);
    return { results: true };
  }
}
