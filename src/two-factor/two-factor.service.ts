import { Inject, Injectable, Logger } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { maskPhone } from '../common/log.util.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import type { OtpChannel } from '../verification/otp-channel.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { type MemberView, toMemberView } from '../members/member.entity.js';
import { MembersService, type MemberWithSecret } from '../members/members.service.js';
import type { ClientInfo } from '../common/client-info.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { PhoneService } from '../phone/phone.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { VerificationService } from '../verification/verification.service.js';
import { PasswordHasher } from './password-hasher.js';
import { clientKey, RateLimiter, type RateSubject } from '../rate-limit/rate-limiter.service.js';
import { checkPasswordPolicy } from './password-policy.js';

/** Details of a visitor asking for a registration code. */
export interface VisitorInfo {
  email: string;
  phoneNumber: string;
  countryCode: string;
  channel: OtpChannel | string;
}

/** Details of a registration. */
export interface RegisterInfo {
  phoneNumber: string;
  countryCode: string;
  email: string;
  password: string;
  confirmationCode: string;
}

/** Details of a member asking for a sign-in code. */
export interface MemberInfo {
  email: string;
  password: string;
  channel: OtpChannel | string;
}

/** Details of a sign-in. */
export interface LoginInfo {
  email: string;
  password: string;
  confirmationCode: string;
}

/** Result of a registration: no session while the member waits for approval. */
export interface RegisterResult {
  sessionToken: string | null;
  member: MemberView;
}

/** Result of a two-factor sign-in. */
export interface TwoFactorLoginResult {
  sessionToken: string;
  member: MemberView;
}

const MAX_EMAIL_LENGTH = 254;

/**
 * Two-factor sign-up and sign-in (seed `two-factor-auth-twilio`): email + password + a code sent
 * to the phone given at sign-up; password change and reset by code.
 */
@Injectable()
export class TwoFactorService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly phones: PhoneService,
    private readonly verification: VerificationService,
    private readonly members: MembersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly events: OtpEventsService,
    private readonly limits: RateLimiter,
  ) {}

  /**
   * Sends a registration code to the visitor's phone unless the email or phone is already
   * registered (409 `ALREADY_REGISTERED`, counted against the send limits like a send).
   */
  async sendRegConfirmCode(
    visitor: VisitorInfo,
    client: ClientInfo = {},
  ): Promise<{ registerUser: true }> {
    const email = this.normaliseEmail(visitor.email);
    const { e164 } = this.phones.parse(visitor.countryCode, visitor.phoneNumber);
    this.verification.assertChannel(visitor.channel);
    await this.verification.send(e164, visitor.channel, client, {
      email,
      before: () => this.assertFree(email, e164),
    });
    return { registerUser: true };
  }

  /**
   * Registers a member when the code for the phone is approved. With automatic approval the
   * member is signed in; with manual approval they wait (`sessionToken: null`, status `pending`).
   * "Already registered" is counted against the check limits like a code check.
   */
  async register(info: RegisterInfo, client: ClientInfo = {}): Promise<RegisterResult> {
    const email = this.normaliseEmail(info.email);
    const { e164 } = this.phones.parse(info.countryCode, info.phoneNumber);
    const password = checkPasswordPolicy(info.password);
    try {
      await this.verification.confirm(e164, info.confirmationCode, client, {
        before: () => this.assertFree(email, e164),
      });
    } catch (error) {
      this.refused('Two-factor sign-up', undefined, e164, error);
      throw error;
    }
    const passwordHash = await this.hasher.hash(password);
    const status = this.options.approval === 'automatic' ? 'approved' : 'pending';
    const { member, sessionToken } = await this.members.createWithSession(
      { email, phoneNumber: e164, passwordHash, status },
      'two-factor',
      client.userAgent,
    );
    if (sessionToken) this.signedIn(member.id, e164);
    return { sessionToken, member: toMemberView(member) };
  }

  /**
   * Checks email and password and sends a sign-in code to the member's own phone. An unknown
   * email and a wrong password give the same 401 `INVALID_CREDENTIALS` in the same time.
   */
  async sendLoginConfirmCode(
    info: MemberInfo,
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    this.verification.assertChannel(info.channel);
    const member = await this.checkCredentials(info.email, info.password, client);
    await this.verification.send(member.phoneNumber, info.channel, client, {
      email: member.email,
    });
    return { results: true };
  }

  /** Checks email, password and the code sent to the member's phone, and signs in. */
  async login(info: LoginInfo, client: ClientInfo = {}): Promise<TwoFactorLoginResult> {
    const member = await this.checkCredentials(info.email, info.password, client);
    await this.confirmFor(member, info.confirmationCode, client);
    const { token } = await this.sessions.create(member.id, client.userAgent);
    this.signedIn(member.id, member.phoneNumber);
    return { sessionToken: token, member: toMemberView(member) };
  }

  /**
   * Sends a password-reset code to the phone of the member with this email, if there is one.
   * Answers the same, and as fast, whether or not the email exists: the client's and the email's
   * send limits are counted at once (alike for every email), the code goes out in the
   * background, and a failure to send is only logged.
   */
  async sendPasswordResetCode(
    info: { email: string; channel: OtpChannel | string },
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    const email = this.normaliseEmail(info.email);
    this.verification.assertChannel(info.channel);
    await this.limits.consume([
      ...(client.ip ? [['sendsPerIp', clientKey(client.ip)] as const] : []),
      ['sendsPerEmail', email],
    ]);
    void this.members
      .findByEmailWithSecret(email)
      .then(async (member) => {
        if (!member?.passwordHash || member.status === 'blocked') return;
        await this.verification.send(member.phoneNumber, info.channel);
      })
      .catch((error: unknown) => {
        const code = error instanceof OtpException ? error.code : (error as Error)?.name;
        this.logger.warn(`Password-reset code not sent: ${code}`);
      });
    return { results: true };
  }

  /**
   * Sets a new password when the reset code for the member's phone is approved, and revokes
   * every session of the member. An unknown email answers exactly like a wrong code (same body,
   * counted in the same limits, after about the time a check at Twilio takes), and a wrong,
   * expired or never-sent code all answer `INVALID_CODE`.
   */
  async resetPassword(
    info: { email: string; confirmationCode: string; newPassword: string },
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    const email = this.normaliseEmail(info.email);
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.members.findByEmailWithSecret(email);
    if (!member?.passwordHash || member.status === 'blocked') {
      await this.verification.refuseCheck(info.confirmationCode, client, email);
    } else {
      try {
        await this.confirmFor(member, info.confirmationCode, client, 'reset', email);
      } catch (error) {
        if (error instanceof OtpException && error.code === OtpErrorCode.CODE_EXPIRED) {
          throw new OtpException(OtpErrorCode.INVALID_CODE);
        }
        throw error;
      }
    }
    await this.members.setPasswordHash(member!.id, await this.hasher.hash(password));
    this.logger.log(`Password of member ${member!.id} reset; every session revoked`);
    return { results: true };
  }

  /** Sends a code to the signed-in member's phone, to confirm a password change. */
  async sendPasswordChangeCode(
    memberId: string,
    channel: OtpChannel | string,
    client: ClientInfo = {},
  ) {
    this.verification.assertChannel(channel);
    const member = await this.members.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    await this.verification.send(member.phoneNumber, channel, client);
    return { results: true as const };
  }

  /**
   * Changes the signed-in member's password (current password + code); every other session of
   * the member is revoked.
   */
  async changePassword(
    memberId: string,
    info: { currentPassword: string; newPassword: string; confirmationCode: string },
    currentSessionId?: string,
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    const profile = await this.members.findById(memberId);
    if (!profile) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.checkCredentials(profile.email, info.currentPassword, client);
    await this.confirmFor(member, info.confirmationCode, client, 'change');
    await this.members.setPasswordHash(
      member.id,
      await this.hasher.hash(password),
      currentSessionId,
    );
    this.logger.log(`Password of member ${member.id} changed`);
    return { results: true };
  }

  /**
   * The member with these credentials, approved; throws otherwise. An unknown email and a wrong
   * password answer alike, after the same work. Limits, counted alike for known and unknown
   * emails: every check per client IP; wrong passwords per client and email (cleared by the
   * right one), and per email from all clients in a short window, so that guessing is bounded
   * and nobody without the password can keep the member out for long.
   */
  private async checkCredentials(
    email: unknown,
    password: unknown,
    client: ClientInfo = {},
  ): Promise<MemberWithSecret> {
    const valid =
      typeof email === 'string' &&
      typeof password === 'string' &&
      email.length <= MAX_EMAIL_LENGTH &&
      password.length <= 512;
    const normalisedEmail = valid ? (email as string).trim().toLowerCase() : '';
    const ip = client.ip ? clientKey(client.ip) : undefined;
    const failures: RateSubject[] = [
      ['passwordFailuresPerClient', `${ip ?? '-'}|${normalisedEmail}`],
      ['passwordFailuresPerEmail', normalisedEmail],
    ];
    await this.limits.consume([
      ...(ip ? [['passwordAttemptsPerIp', ip] as const] : []),
      ...failures,
    ]);
    const member = valid ? await this.members.findByEmailWithSecret(normalisedEmail) : null;
    const candidate = valid ? (password as string).normalize('NFKC') : '';
    const matches = await this.hasher.verify(member?.passwordHash, candidate);
    if (!member || !matches) {
      this.events.emit(OtpEvent.SIGN_IN_FAILED, {
        memberId: member?.id,
        method: 'two-factor',
        reason: OtpErrorCode.INVALID_CREDENTIALS,
      });
      this.logger.warn(
        member
          ? `Two-factor sign-in refused for member ${member.id} (${maskPhone(member.phoneNumber)}): wrong password`
          : 'Two-factor sign-in refused: unknown email',
      );
      throw new OtpException(OtpErrorCode.INVALID_CREDENTIALS);
    }
    await this.limits.clear(failures);
    if (member.status !== 'approved') {
      const refusal =
        member.status === 'pending'
          ? new OtpException(OtpErrorCode.APPROVAL_PENDING)
          : new OtpException(OtpErrorCode.MEMBER_BLOCKED);
      this.refused('Two-factor sign-in', member.id, member.phoneNumber, refusal);
      this.events.emit(OtpEvent.SIGN_IN_FAILED, {
        memberId: member.id,
        maskedPhone: maskPhone(member.phoneNumber),
        method: 'two-factor',
        reason: refusal.code,
      });
      throw refusal;
    }
    return member;
  }

  private async confirmFor(
    member: MemberWithSecret,
    code: string,
    client: ClientInfo,
    method: 'two-factor' | 'reset' | 'change' = 'two-factor',
    account?: string,
  ): Promise<void> {
    try {
      await this.verification.confirm(member.phoneNumber, code, client, { account });
    } catch (error) {
      const what =
        method === 'two-factor'
          ? 'Two-factor sign-in'
          : method === 'reset'
            ? 'Password reset'
            : 'Password change';
      this.refused(what, member.id, member.phoneNumber, error);
      this.events.emit(OtpEvent.SIGN_IN_FAILED, {
        memberId: member.id,
        maskedPhone: maskPhone(member.phoneNumber),
        method,
        reason: error instanceof OtpException ? error.code : undefined,
      });
      throw error;
    }
  }

  /** Throws `ALREADY_REGISTERED` when the email or the phone belongs to a member. */
  private async assertFree(email: string, e164: string): Promise<void> {
    if (await this.members.isTaken(email, e164))
      throw new OtpException(OtpErrorCode.ALREADY_REGISTERED);
  }

  /** Logs one refusal, with the member id when known and the masked phone. */
  private refused(what: string, memberId: string | undefined, e164: string, error: unknown): void {
    const code = error instanceof OtpException ? error.code : 'an unexpected error';
    const who = memberId ? `member ${memberId} (${maskPhone(e164)})` : maskPhone(e164);
    this.logger.warn(`${what} refused for ${who}: ${code}`);
  }

  private signedIn(memberId: string, e164: string): void {
    this.logger.log(`Member ${memberId} signed in with two factors (${maskPhone(e164)})`);
    this.events.emit(OtpEvent.SIGNED_IN, {
      memberId,
      maskedPhone: maskPhone(e164),
      method: 'two-factor',
    });
  }

  /**
   * The email lower-cased; refuses a malformed one, and one at the placeholder domain (or under
   * it), which is reserved for passwordless members (400 `EMAIL_NOT_ALLOWED`).
   */
  private normaliseEmail(email: unknown): string {
    if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !isEmail(email.trim())) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'email must be a valid email address',
      });
    }
    const normalised = email.trim().toLowerCase();
    const domain = normalised.slice(normalised.lastIndexOf('@') + 1).replace(/\.$/, '');
    const reserved = this.options.mailDomain;
    if (domain === reserved || domain.endsWith(`.${reserved}`))
      throw new OtpException(OtpErrorCode.EMAIL_NOT_ALLOWED);
    return normalised;
  }
}
