import type { ClientInfo } from '../http/client-info.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { OtpChannel } from '../otp.constants.js';
import type { RegisterInfo, RegisterResult, VisitorInfo } from './two-factor.types.js';
import { Inject, Injectable } from '@nestjs/common';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { toMemberView } from '../members/member.entity.js';
import { MemberAccountsService } from '../credentials/member-accounts.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { PhoneService } from '../phone/phone.service.js';
import { type CodeSent, VerificationService } from '../verification/verification.service.js';
import { channelMethod } from '../sessions/session-assurance.js';
import { CredentialCheckerService } from '../credentials/credential-checker.service.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { checkPasswordPolicy } from '../credentials/password-policy.js';

/** Two-factor sign-up: a code to the visitor's phone, then the member with email and password. */
@Injectable()
export class TwoFactorSignUpService {
  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly phones: PhoneService,
    private readonly verification: VerificationService,
    private readonly accounts: MemberAccountsService,
    private readonly credentials: CredentialCheckerService,
    private readonly hasher: PasswordHasher,
    private readonly audit: SignInAuditService,
  ) {}

  /**
   * Sends a registration code to the visitor's phone unless the email or phone is already
   * registered (409 `ALREADY_REGISTERED`, counted against the send limits like a send).
   */
  async sendCode(
    visitor: VisitorInfo,
    client: ClientInfo,
  ): Promise<{ registerUser: true } & CodeSent> {
    const email = this.credentials.normaliseEmail(visitor.email);
    const { e164 } = this.phones.parse(visitor.countryCode, visitor.phoneNumber);
    if (visitor.password !== undefined) checkPasswordPolicy(visitor.password);
    this.verification.assertChannel(visitor.channel);
    // The sign-up's own budget for the email: sign-ups with a member's email (each a 409) must
    // not spend that member's sign-in sends.
    const sent = await this.verification.send(e164, visitor.channel, client, {
      email: `register:${email}`,
      before: () => this.assertFree(email, e164),
    });
    return { registerUser: true, ...sent };
  }

  /**
   * Registers a member when the code for the phone is approved. With automatic approval the
   * member is signed in; with manual approval they wait (`sessionToken: null`, status `pending`).
   * The code is checked first: "already registered" is told only to whoever has the phone's code
   * (which it then spends), and wrong codes for a member's phone count only against a code
   * pending for it, as every check does, so nobody can use up a member's budget by signing up
   * with their number.
   */
  async register(info: RegisterInfo, client: ClientInfo): Promise<RegisterResult> {
    const email = this.credentials.normaliseEmail(info.email);
    const { e164 } = this.phones.parse(info.countryCode, info.phoneNumber);
    const password = checkPasswordPolicy(info.password);
    let channel: OtpChannel;
    try {
      channel = await this.verification.confirm(e164, info.confirmationCode, client);
      await this.assertFree(email, e164);
    } catch (error) {
      this.audit.refused({ flow: 'Two-factor sign-up', e164 }, error);
      throw error;
    }
    const passwordHash = await this.hasher.hash(password);
    const status = this.options.approval === 'automatic' ? 'approved' : 'pending';
    const { member, sessionToken } = await this.accounts.createWithSession(
      { email, phoneNumber: e164, passwordHash, status },
      'two-factor',
      [{ method: 'pwd' }, { method: channelMethod(channel) }],
      client.userAgent,
    );
    if (sessionToken) this.audit.signedIn(member.id, e164, 'two-factor');
    return { sessionToken, member: toMemberView(member) };
  }

  /** Throws `ALREADY_REGISTERED` when the email or the phone belongs to a member. */
  private async assertFree(email: string, e164: string): Promise<void> {
    if (await this.accounts.isTaken(email, e164)) {
      throw new OtpException(OtpErrorCode.ALREADY_REGISTERED);
    }
  }
}
