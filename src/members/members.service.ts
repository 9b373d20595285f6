import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { insertAtomically, isUniqueViolation, type RowInsert } from '../common/database.util.js';
import { maskPhone } from '../common/log.util.js';
import { OtpException } from '../common/otp.exception.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { OTP_DATA_SOURCE, OTP_MEMBER_REPOSITORY } from '../otp-internal.constants.js';
import { MemberSession } from '../sessions/member-session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { Member, type MemberStatus, type MemberView, toMemberView } from './member.entity.js';

/** A member as the sign-in flows need it: with whether a password is set. */
export interface MemberWithSecret extends Member {
  passwordHash: string | null;
}

interface MemberRow {
  id: string;
  email: string;
  phone: string;
  secret: string | null;
  status: MemberStatus;
  created: string | number;
  updated: string | number;
}

/** Finds members and changes their status. */
@Injectable()
export class MembersService {
  private readonly logger = new Logger('OtpModule');
  /** The sign-in lookups, one prepared statement each: every sign-in makes one. */
  private readonly byPhoneSql: string;
  private readonly byEmailSql: string;

  constructor(
    @Inject(OTP_MEMBER_REPOSITORY) private readonly members: Repository<Member>,
    @Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly events: OtpEventsService,
  ) {
    const table = dataSource
      .getMetadata(Member)
      .tablePath.split('.')
      .map((part) => dataSource.driver.escape(part))
      .join('.');
    const select = (column: string) =>
      dataSource.driver.escapeQueryWithParameters(
        `SELECT id, email, phone_number AS phone, password_hash AS secret, status,
                created_at AS created, updated_at AS updated
           FROM ${table} WHERE ${column} = :value`,
        { value: '' },
      )[0];
    this.byPhoneSql = select('phone_number');
    this.byEmailSql = select('email');
  }

  /** The member with this id, or `null`. */
  async findById(id: string): Promise<MemberView | null> {
    const member = await this.members.findOneBy({ id });
    return member ? toMemberView(member) : null;
  }

  /** The member with this email (compared lower-cased), or `null`. */
  async findByEmail(email: string): Promise<MemberView | null> {
    const member = await this.members.findOneBy({ email: email.trim().toLowerCase() });
    return member ? toMemberView(member) : null;
  }

  /** The member with this E.164 phone number, or `null`. */
  async findByPhone(phoneNumber: string): Promise<MemberView | null> {
    const member = await this.members.findOneBy({ phoneNumber });
    return member ? toMemberView(member) : null;
  }

  /** Members waiting for approval, oldest first. */
  listPending(): Promise<MemberView[]> {
    return this.list('pending');
  }

  /** Members with a status, oldest first (at most `limit`). */
  async list(status: MemberStatus, limit = 500): Promise<MemberView[]> {
    const rows = await this.members.find({
      where: { status },
      order: { createdAt: 'ASC' },
      take: limit,
    });
    return rows.map(toMemberView);
  }

  /** Approves a pending member. */
  async approve(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'approved');
    this.events.emit(OtpEvent.MEMBER_APPROVED, { memberId: id, method: 'admin' });
    return member;
  }

  /** Blocks a member and revokes every one of their sessions at once. */
  async block(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'blocked');
    await this.sessions.revokeAll(id);
    this.events.emit(OtpEvent.MEMBER_BLOCKED, { memberId: id, method: 'admin' });
    return member;
  }

  /** Lifts a block. */
  async unblock(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'approved');
    this.events.emit(OtpEvent.MEMBER_UNBLOCKED, { memberId: id, method: 'admin' });
    return member;
  }

  /**
   * Creates a member and, for approved members, their first session, in one transaction: no
   * member without the session it was created for, no session without its member. Throws
   * `ALREADY_REGISTERED` when the email or phone is taken (also when a concurrent creation wins
   * the race).
   * @internal used by the sign-in flows.
   */
  async createWithSession(
    fields: {
      email: string;
      phoneNumber: string;
      passwordHash: string | null;
      status: MemberStatus;
    },
    method: 'phone' | 'two-factor',
    userAgent?: string,
  ): Promise<{ member: Member; sessionToken: string | null }> {
    const now = new Date();
    const member: Member = { id: randomUUID(), ...fields, createdAt: now, updatedAt: now };
    try {
      const rows: RowInsert[] = [{ entity: Member, values: member }];
      let sessionToken: string | null = null;
      if (member.status === 'approved') {
        const { token, session } = this.sessions.prepare(member.id, userAgent);
        rows.push({ entity: MemberSession, values: session });
        sessionToken = token;
      }
      await insertAtomically(this.dataSource, rows);
      this.logger.log(
        `Member ${member.id} created (${method}) for ${maskPhone(member.phoneNumber)}`,
      );
      this.events.emit(OtpEvent.MEMBER_CREATED, {
        memberId: member.id,
        maskedPhone: maskPhone(member.phoneNumber),
        method,
      });
      return { member, sessionToken };
    } catch (error) {
      if (isUniqueViolation(error)) throw new OtpException(OtpErrorCode.ALREADY_REGISTERED);
      throw error;
    }
  }

  /** Whether an email (lower-cased) or an E.164 phone already belongs to a member. */
  async isTaken(email: string, phoneNumber: string): Promise<boolean> {
    const count = await this.members.count({
      where: [{ email: email.toLowerCase() }, { phoneNumber }],
    });
    return count > 0;
  }

  /**
   * The member with this email, with their password hash.
   * @internal used by the two-factor flow.
   */
  findByEmailWithSecret(email: string): Promise<MemberWithSecret | null> {
    return this.findWithSecret(this.byEmailSql, email.trim().toLowerCase());
  }

  /**
   * Sets a new password hash and revokes the member's sessions, except `keepSessionId`.
   * @internal used by the two-factor flow.
   */
  async setPasswordHash(id: string, passwordHash: string, keepSessionId?: string): Promise<void> {
    await this.members.update({ id }, { passwordHash, updatedAt: new Date() });
    await this.sessions.revokeAll(id, keepSessionId);
    this.events.emit(OtpEvent.PASSWORD_CHANGED, { memberId: id });
  }

  /**
   * The member with this E.164 phone, with their password hash.
   * @internal used by the passwordless flow.
   */
  findByPhoneWithSecret(phoneNumber: string): Promise<MemberWithSecret | null> {
    return this.findWithSecret(this.byPhoneSql, phoneNumber);
  }

  private async findWithSecret(sql: string, value: string): Promise<MemberWithSecret | null> {
    const [row]: MemberRow[] = await this.dataSource.query(sql, [value]);
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      phoneNumber: row.phone,
      passwordHash: row.secret,
      status: row.status,
      createdAt: new Date(Number(row.created)),
      updatedAt: new Date(Number(row.updated)),
    };
  }

  private async setStatus(id: string, status: MemberStatus): Promise<MemberView> {
    const result = await this.members.update({ id }, { status, updatedAt: new Date() });
    if (!result.affected)
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    this.sessions.forgetMember(id);
    const member = await this.members.findOneByOrFail({ id });
    this.logger.log(`Member ${id} is now ${status}`);
    return toMemberView(member);
  }
}
