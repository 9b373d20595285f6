import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { maskPhone } from '../events/log.util.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { AccessRevocationService } from './access-revocation.service.js';
import { isUniqueViolation } from '../persistence/sql.js';
import type { SessionProof } from '../sessions/session-assurance.js';
import { MemberSession } from '../sessions/member-session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Member, MemberStatus } from '../members/member.entity.js';
import { MembersRepository, type MemberWithSecret } from '../members/members.repository.js';

/** What a new member is made of. */
export interface NewMember {
  email: string;
  phoneNumber: string;
  passwordHash: string | null;
  status: MemberStatus;
}

/**
 * Members' credentials, for the sign-in flows: creating a member with their first session,
 * finding a member with their password hash, changing it. Not exported: hosts see members
 * through `MembersService`, which never hands out a password hash.
 */
@Injectable()
export class MemberAccountsService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly members: MembersRepository,
    private readonly sessions: SessionsService,
    private readonly access: AccessRevocationService,
    private readonly events: OtpEventsService,
  ) {}

  /** The placeholder email of a passwordless member with this phone. */
  placeholderEmail(e164: string): string {
    return `${e164.slice(1)}@${this.options.mailDomain}`;
  }

  /**
   * Creates a member and, for approved members, their first session, in one transaction: no
   * member without the session it was created for, no session without its member. Throws
   * `ALREADY_REGISTERED` when the email or phone is taken (also when a concurrent creation wins
   * the race).
   */
  async createWithSession(
    fields: NewMember,
    method: 'phone' | 'two-factor',
    proof: readonly SessionProof[],
    userAgent?: string,
  ): Promise<{ member: Member; sessionToken: string | null }> {
    const now = new Date();
    const member: MemberWithSecret = {
      id: randomUUID(),
      ...fields,
      createdAt: now,
      updatedAt: now,
    };
    const first =
      member.status === 'approved' ? this.sessions.prepare(member.id, proof, userAgent) : null;
    try {
      await this.members.insert(
        member,
        first ? [{ entity: MemberSession, values: first.session }] : [],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OtpException(OtpErrorCode.ALREADY_REGISTERED, { cause: error });
      }
      throw error;
    }
    this.logger.log(`Member ${member.id} created (${method}) for ${maskPhone(member.phoneNumber)}`);
    this.events.emit(OtpEvent.MEMBER_CREATED, {
      memberId: member.id,
      maskedPhone: maskPhone(member.phoneNumber),
      method,
    });
    return { member, sessionToken: first?.token ?? null };
  }

  /** Whether an email (lower-cased) or an E.164 phone already belongs to a member. */
  isTaken(email: string, phoneNumber: string): Promise<boolean> {
    return this.members.isTaken(email, phoneNumber);
  }

  /** The member with this id, with their password hash. */
  findById(id: string): Promise<MemberWithSecret | null> {
    return this.members.findWithSecretById(id);
  }

  /** The member with this email (lower-cased), with their password hash. */
  findByEmail(email: string): Promise<MemberWithSecret | null> {
    return this.members.findWithSecretByEmail(email);
  }

  /** The member with this E.164 phone, with their password hash. */
  findByPhone(phoneNumber: string): Promise<MemberWithSecret | null> {
    return this.members.findWithSecretByPhone(phoneNumber);
  }

  /**
   * Sets a new password hash and revokes the member's sessions, except `keepSessionId`, and
   * trusted devices.
   */
  async setPasswordHash(id: string, passwordHash: string, keepSessionId?: string): Promise<void> {
    await this.members.setPasswordHash(id, passwordHash);
    await this.access.revoke(id, { keepSessionId });
    this.events.emit(OtpEvent.PASSWORD_CHANGED, { memberId: id });
  }

  /**
   * Makes `e164` the member's phone, and for a passwordless member whose email is the placeholder
   * of the old number, the placeholder of the new one. Revokes every session of the member but
   * `keepSessionId`, and every trusted device. Throws `NOT_FOUND` for an unknown member and `ALREADY_REGISTERED` when the
   * number (or its placeholder) is another member's.
   */
  async changePhone(
    member: MemberWithSecret,
    e164: string,
    how: { method: 'change' | 'admin'; keepSessionId?: string },
  ): Promise<Member> {
    const placeholder =
      member.passwordHash === null && member.email === this.placeholderEmail(member.phoneNumber);
    const contact = {
      phoneNumber: e164,
      ...(placeholder && { email: this.placeholderEmail(e164) }),
    };
    await this.writeContact(member.id, contact);
    await this.access.revoke(member.id, { keepSessionId: how.keepSessionId });
    this.logger.log(
      `Phone of member ${member.id} changed (${how.method}) from ${maskPhone(member.phoneNumber)} to ${maskPhone(e164)}`,
    );
    this.events.emit(OtpEvent.PHONE_CHANGED, {
      memberId: member.id,
      maskedPhone: maskPhone(e164),
      method: how.method,
    });
    return { ...member, ...contact, updatedAt: new Date() };
  }

  /**
   * Makes `email` (normalised) the member's email and revokes every session of the member but
   * `keepSessionId`. Throws `ALREADY_REGISTERED` when it is another member's.
   */
  async changeEmail(
    member: MemberWithSecret,
    email: string,
    keepSessionId?: string,
  ): Promise<Member> {
    await this.writeContact(member.id, { email });
    // The phone and the devices still prove the member: the new email changes neither.
    await this.access.revoke(member.id, { keepSessionId, keepDevices: true });
    this.logger.log(`Email of member ${member.id} changed`);
    this.events.emit(OtpEvent.EMAIL_CHANGED, { memberId: member.id, method: 'change' });
    return { ...member, email, updatedAt: new Date() };
  }

  /**
   * Erases a member: the row, their sessions and their recovery codes (not a soft delete; the
   * phone and email are free again). Throws `NOT_FOUND` for an unknown member.
   */
  async erase(id: string, method: 'change' | 'admin'): Promise<void> {
    const member = await this.members.findById(id);
    if (!member) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    await this.access.revoke(id);
    await this.members.delete(id);
    this.logger.log(`Member ${id} deleted (${method}) with ${maskPhone(member.phoneNumber)}`);
    this.events.emit(OtpEvent.MEMBER_DELETED, {
      memberId: id,
      maskedPhone: maskPhone(member.phoneNumber),
      method,
    });
  }

  private async writeContact(
    id: string,
    contact: { phoneNumber?: string; email?: string },
  ): Promise<void> {
    let found: boolean;
    try {
      found = await this.members.setContact(id, contact);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new OtpException(OtpErrorCode.ALREADY_REGISTERED, { cause: error });
      }
      throw error;
    }
    if (!found) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
  }
}
