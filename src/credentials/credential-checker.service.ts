import type { ClientInfo } from '../http/client-info.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { MemberWithSecret } from '../members/members.repository.js';
import { Inject, Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { SignInAuditService } from '../events/sign-in-audit.service.js';
import { MemberAccountsService } from './member-accounts.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  clientKey,
  RateLimiterService,
  type RateSubject,
} from '../rate-limit/rate-limiter.service.js';
import { PasswordHasher } from './password-hasher.js';

/** The longest email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * The longest password input that is hashed and compared: longer than any the policy lets a member
 * set (in characters of any width), short enough to bound the work of a check.
 */
const MAX_PASSWORD_INPUT = 512;

/**
 * Emails and passwords, for every two-factor flow: the one place an email is normalised and a
 * password is checked against the member's hash, with the limits and the audit of a check.
 */
@Injectable()
export class CredentialCheckerService {
  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly accounts: MemberAccountsService,
    private readonly hasher: PasswordHasher,
    private readonly limits: RateLimiterService,
    private readonly audit: SignInAuditService,
  ) {}

  /**
   * The email trimmed and lower-cased; refuses a malformed one (400 `VALIDATION_FAILED`), and
   * one at the placeholder domain or under it, which is reserved for passwordless members (400
   * `EMAIL_NOT_ALLOWED`). The services are called by hosts directly too, past any DTO.
   */
  normaliseEmail(email: unknown): string {
    if (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH || !isEmail(email.trim())) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'email must be a valid email address',
      });
    }
    const normalised = email.trim().toLowerCase();
    const domain = normalised.slice(normalised.lastIndexOf('@') + 1).replace(/\.$/, '');
    const reserved = this.options.mailDomain;
    if (domain === reserved || domain.endsWith(`.${reserved}`)) {
      throw new OtpException(OtpErrorCode.EMAIL_NOT_ALLOWED);
    }
    return normalised;
  }

  /**
   * The approved member with these credentials; throws otherwise. An unknown email and a wrong
   * password answer alike (401 `INVALID_CREDENTIALS`), after the same work: a malformed email is
   * checked like an unknown one rather than refused early. Limits, counted alike for known and
   * unknown emails: every check per client IP; wrong passwords per client and email (cleared by
   * the right one), and per email from all clients in a short window, so that guessing is
   * bounded and nobody without the password can keep the member out for long.
   */
  async check(email: unknown, password: unknown, client: ClientInfo): Promise<MemberWithSecret> {
    const valid =
      typeof email === 'string' &&
      typeof password === 'string' &&
      email.length <= MAX_EMAIL_LENGTH &&
      password.length <= MAX_PASSWORD_INPUT;
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
    const member = valid ? await this.accounts.findByEmail(normalisedEmail) : null;
    const candidate = valid ? (password as string).normalize('NFKC') : '';
    const matches = await this.hasher.verify(member?.passwordHash, candidate);
    if (!member || !matches) {
      const refusal = new OtpException(OtpErrorCode.INVALID_CREDENTIALS);
      this.audit.refused(
        {
          flow: member
            ? 'Two-factor sign-in (wrong password)'
            : 'Two-factor sign-in (unknown email)',
          method: 'two-factor',
          memberId: member?.id,
          e164: member?.phoneNumber,
        },
        refusal,
      );
      throw refusal;
    }
    await this.limits.clear(failures);
    if (member.status !== 'approved') {
      const refusal = new OtpException(
        member.status === 'pending' ? OtpErrorCode.APPROVAL_PENDING : OtpErrorCode.MEMBER_BLOCKED,
      );
      this.audit.refused(
        {
          flow: 'Two-factor sign-in',
          method: 'two-factor',
          memberId: member.id,
          e164: member.phoneNumber,
        },
        refusal,
      );
      throw refusal;
    }
    return member;
  }
}
