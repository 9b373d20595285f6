import { Inject, Injectable, Logger } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { maskPhone } from '../common/log.util.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import type { OtpChannel } from '../config/otp-options.interface.js';
import type { ResolvedOtpOptions } from '../config/resolve-options.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { type MemberView, toMemberView } from '../members/member.entity.js';
import { MembersService, type MemberWithSecret } from '../members/members.service.js';
import type { ClientInfo } from '../otp/otp.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { PhoneService } from '../phone/phone.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { VerificationService } from '../verification/verification.service.js';
import { PasswordHasher } from './password-hasher.js';
import { RateLimiter } from '../rate-limit/rate-limiter.service.js';
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
   * registered (409 `ALREADY_REGISTERED`).
   */
  async sendRegConfirmCode(
    visitor: VisitorInfo,
    client: ClientInfo = {},
  ): Promise<{ registerUser: true }> {
    const email = this.normaliseEmail(visitor.email);
    const { e164 } = this.phones.parse(visitor.countryCode, visitor.phoneNumber);
    this.verification.assertChannel(visitor.channel);
    if (await this.members.isTaken(email, e164)) throw OtpException.alreadyRegistered();
    await this.verification.send(e164, visitor.channel, client);
    return { registerUser: true };
  }

  /**
   * Registers a member when the code for the phone is approved. With automatic approval the
   * member is signed in; with manual approval they wait (`sessionToken: null`, status `pending`).
   */
  async register(info: RegisterInfo, client: ClientInfo = {}): Promise<RegisterResult> {
    const email = this.normaliseEmail(info.email);
    const { e164 } = this.phones.parse(info.countryCode, info.phoneNumber);
    const password = checkPasswordPolicy(info.password);
    if (await this.members.isTaken(email, e164)) throw OtpException.alreadyRegistered();
    await this.verification.confirm(e164, info.confirmationCode);
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
    await this.verification.send(member.phoneNumber, info.channel, client);
    return { results: true };
  }

  /** Checks email, password and the code sent to the member's phone, and signs in. */
  async login(info: LoginInfo, client: ClientInfo = {}): Promise<TwoFactorLoginResult> {
    const member = await this.checkCredentials(info.email, info.password, client);
    await this.confirmFor(member, info.confirmationCode);
    const { token } = await this.sessions.create(member.id, client.userAgent);
    this.signedIn(member.id, member.phoneNumber);
    return { sessionToken: token, member: toMemberView(member) };
  }

  /**
   * Sends a password-reset code to the phone of the member with this email, if there is one.
   * Answers the same, and as fast, whether or not the email exists: the code goes out in the
   * background and a failure to send is only logged.
   */
  async sendPasswordResetCode(
    info: { email: string; channel: OtpChannel | string },
    client: ClientInfo = {},
  ): Promise<{ results: true }> {
    const email = this.normaliseEmail(info.email);
    this.verification.assertChannel(info.channel);
    void this.members
      .findByEmailWithSecret(email)
      .then(async (member) => {
        if (!member?.passwordHash || member.status === 'blocked') return;
        await this.verification.send(member.phoneNumber, info.channel, client);
      })
      .catch((error: unknown) => {
        const code = error instanceof OtpException ? error.code : (error as Error)?.name;
        this.logger.warn(`Password-reset code not sent: ${code}`);
      });
    return { results: true };
  }

  /**
   * Sets a new password when the reset code for the member's phone is approved, and revokes
   * every session of the member. An unknown email looks like a code that was never sent.
   */
  async resetPassword(info: {
    email: string;
    confirmationCode: string;
    newPassword: string;
  }): Promise<{ results: true }> {
    const email = this.normaliseEmail(info.email);
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.members.findByEmailWithSecret(email);
    if (!member?.passwordHash || member.status === 'blocked') throw OtpException.codeExpired();
    await this.confirmFor(member, info.confirmationCode, 'reset');
    await this.members.setPasswordHash(member.id, await this.hasher.hash(password));
    this.logger.log(`Password of member ${member.id} reset; every session revoked`);
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
    if (!member) throw OtpException.unauthenticated();
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
    if (!profile) throw OtpException.unauthenticated();
    const password = checkPasswordPolicy(info.newPassword, 'newPassword');
    const member = await this.checkCredentials(profile.email, info.currentPassword, client);
    await this.confirmFor(member, info.confirmationCode, 'change');
    await this.members.setPasswordHash(
      member.id,
      await this.hasher.hash(password),
      currentSessionId,
    );
    this.logger.log(`Password of member ${member.id} changed`);
    return { results: true };
  }

  /**
   * The member with these credentials, approved; throws otherwise. A locked email (too many
   * attempts) answers exactly like a wrong password, after the same work.
   */
  private async checkCredentials(
    email: unknown,
    password: unknown,
    client: ClientInfo = {},
  ): Promise<MemberWithSecret> {
    if (client.ip) {
      const wait = await this.limits.hit('passwordAttemptsPerIp', client.ip);
      if (wait > 0) throw OtpException.tooManyRequests(wait);
    }
    const valid =
      typeof email === 'string' &&
      typeof password === 'string' &&
      email.length <= MAX_EMAIL_LENGTH &&
      password.length <= 512;
    const normalisedEmail = valid ? (email as string).trim().toLowerCase() : '';
    const locked = valid
      ? (await this.limits.hit('passwordAttemptsPerEmail', normalisedEmail)) > 0
      : false;
    const member =
      valid && !locked ? await this.members.findByEmailWithSecret(normalisedEmail) : null;
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
          : locked
            ? 'Two-factor sign-in refused: email locked after too many attempts'
            : 'Two-factor sign-in refused: unknown email',
      );
      throw OtpException.invalidCredentials();
    }
    if (member.status === 'pending') throw OtpException.approvalPending();
    if (member.status === 'blocked') throw OtpException.memberBlocked();
    return member;
  }

  private async confirmFor(
    member: MemberWithSecret,
    code: string,
    method: 'two-factor' | 'reset' | 'change' = 'two-factor',
  ): Promise<void> {
    try {
      await this.verification.confirm(member.phoneNumber, code);
    } catch (error) {
      this.events.emit(OtpEvent.SIGN_IN_FAILED, {
        memberId: member.id,
        maskedPhone: maskPhone(member.phoneNumber),
        method,
        reason: error instanceof OtpException ? error.code : undefined,
      });
      throw error;
    }
  }

  private signedIn(memberId: string, e164: string): void {
    this.logger.log(`Member ${memberId} signed in with two factors (${maskPhone(e164)})`);
    this.events.emit(OtpEvent.SIGNED_IN, {
      memberId,
      maskedPhone: maskPhone(e164),
      method: 'two-factor',
    });
  }

  private normaliseEmail(email: unknown): string {
    if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !isEmail(email.trim())) {
      throw OtpException.validation('email must be a valid email address');
    }
    return email.trim().toLowerCase();
  }
}
