import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { maskPhone } from '../common/log.util.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { isUniqueViolation } from '../persistence/sql.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { Member, MemberStatus } from './member.entity.js';
import { MembersRepository, type MemberWithSecret } from './members.repository.js';

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
export class MemberAccounts {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly members: MembersRepository,
    private readonly sessions: SessionsService,
    private readonly events: OtpEventsService,
  ) {}

  /**
   * Creates a member and, for approved members, their first session, in one transaction: no
   * member without the session it was created for, no session without its member. Throws
   * `ALREADY_REGISTERED` when the email or phone is taken (also when a concurrent creation wins
   * the race).
   */
  async createWithSession(
    fields: NewMember,
    method: 'phone' | 'two-factor',
    userAgent?: string,
  ): Promise<{ member: Member; sessionToken: string | null }> {
    const now = new Date();
    const member: MemberWithSecret = {
      id: randomUUID(),
      ...fields,
      createdAt: now,
      updatedAt: now,
    };
    const first = member.status === 'approved' ? this.sessions.prepare(member.id, userAgent) : null;
    try {
      await this.members.insert(member, first?.session);
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

  /** The member with this email (lower-cased), with their password hash. */
  findByEmail(email: string): Promise<MemberWithSecret | null> {
    return this.members.findWithSecretByEmail(email);
  }

  /** The member with this E.164 phone, with their password hash. */
  findByPhone(phoneNumber: string): Promise<MemberWithSecret | null> {
    return this.members.findWithSecretByPhone(phoneNumber);
  }

  /** Sets a new password hash and revokes the member's sessions, except `keepSessionId`. */
  async setPasswordHash(id: string, passwordHash: string, keepSessionId?: string): Promise<void> {
    await this.members.setPasswordHash(id, passwordHash);
    await this.sessions.revokeAll(id, keepSessionId);
    this.events.emit(OtpEvent.PASSWORD_CHANGED, { memberId: id });
  }
}
