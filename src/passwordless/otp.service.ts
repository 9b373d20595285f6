import type { ClientInfo } from '../http/client-info.js';
import type { OtpChannel } from '../otp.constants.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { MemberAccountsService } from '../credentials/member-accounts.service.js';
import { type Member, type MemberView, toMemberView } from '../members/member.entity.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { PhoneService } from '../phone/phone.service.js';
import { channelMethod, type SessionProof } from '../sessions/session-assurance.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';

/** Result of a passwordless sign-in. */
export interface PhoneLoginResult {
  results: true;
  /** The session token, shown this once. */
  sessionToken: string;
  member: MemberView;
  /** Whether this sign-in created the member. */
  isNewMember: boolean;
}

/** Passwordless sign-in by a code sent to a phone (seed `twilio-otp`). */
@Injectable()
export class OtpService {
  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly phones: PhoneService,
    private readonly verification: VerificationService,
    private readonly accounts: MemberAccountsService,
    private readonly sessions: SessionsService,
    private readonly audit: SignInAuditService,
  ) {}

  /**
   * Sends a sign-in code to the phone if the number is valid for the country, and tells the
   * channel, the wait before another code and the code's lifetime.
   * @param channel `sms`, `call` or `whatsapp` (as `channels` allows)
   * @param countryCode ISO 3166-1 alpha-2 code chosen by the visitor
   * @param phoneNumber the number as typed
   * @param client the client's IP, `Accept-Language`, or a Verify `locale` of the host's choice
   */
  async sendLoginConfirmCode(
    channel: OtpChannel | string,
    countryCode: string,
    phoneNumber: string,
    client: ClientInfo = {},
  ): Promise<{ results: true; message?: string } & CodeSent> {
    const { e164 } = this.phones.parse(countryCode, phoneNumber);
    const sent = await this.verification.send(e164, channel, client);
    return { results: true, ...sent };
  }

  /**
   * Checks the code and signs the visitor in, creating the member on the first sign-in.
   * @param confirmationCode the code the visitor received
   * @param countryCode ISO 3166-1 alpha-2 code chosen by the visitor
   * @param phoneNumber the number as typed
   */
  async login(
    confirmationCode: string,
    countryCode: string,
    phoneNumber: string,
    client: ClientInfo = {},
  ): Promise<PhoneLoginResult> {
    const { e164 } = this.phones.parse(countryCode, phoneNumber);
    let channel: OtpChannel;
    try {
      channel = await this.verification.confirm(e164, confirmationCode, client);
    } catch (error) {
      this.audit.refused({ flow: 'Phone sign-in', method: 'phone', e164 }, error);
      throw error;
    }
    const proof: SessionProof[] = [{ method: channelMethod(channel) }];
    const { member, sessionToken, isNewMember } = await this.signIn(e164, proof, client.userAgent);
    this.audit.signedIn(member.id, e164, 'phone');
    return { results: true, sessionToken, member: toMemberView(member), isNewMember };
  }

  /**
   * Signs in the member with this phone, or creates them (approved, with the placeholder email)
   * together with their session. Of concurrent first sign-ins, one creates the member and the
   * others sign in to it.
   */
  private async signIn(
    e164: string,
    proof: SessionProof[],
    userAgent: string | undefined,
  ): Promise<{ member: Member; sessionToken: string; isNewMember: boolean }> {
    let member = await this.accounts.findByPhone(e164);
    // The placeholder domain is reserved, so the placeholder is free; should an older row hold
    // it all the same, the member gets a placeholder with a random tag instead of a refusal.
    for (let attempt = 0; !member && attempt < 2; attempt++) {
      const local = e164.slice(1) + (attempt === 0 ? '' : `+${randomBytes(4).toString('hex')}`);
      try {
        const created = await this.accounts.createWithSession(
          {
            email: `${local}@${this.options.mailDomain}`,
            phoneNumber: e164,
            passwordHash: null,
            status: 'approved',
          },
          'phone',
          proof,
          userAgent,
        );
        return { member: created.member, sessionToken: created.sessionToken!, isNewMember: true };
      } catch (error) {
        if (!(error instanceof OtpException)) throw error;
        // A concurrent sign-in created the member first; or the placeholder email is taken.
        member = await this.accounts.findByPhone(e164);
        if (!member && attempt === 1) throw error;
      }
    }
    const refusal = member!.passwordHash
      ? new OtpException(OtpErrorCode.PASSWORD_REQUIRED)
      : member!.status === 'blocked'
        ? new OtpException(OtpErrorCode.MEMBER_BLOCKED)
        : member!.status === 'pending'
          ? new OtpException(OtpErrorCode.APPROVAL_PENDING)
          : undefined;
    if (refusal) {
      this.audit.refused(
        { flow: 'Phone sign-in', method: 'phone', memberId: member!.id, e164 },
        refusal,
      );
      throw refusal;
    }
    member = member!;
    const { token } = await this.sessions.create(member.id, proof, userAgent);
    return { member, sessionToken: token, isNewMember: false };
  }
}
