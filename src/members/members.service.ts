import { Injectable, Logger } from '@nestjs/common';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type MemberStatus, type MemberView, toMemberView } from './member.entity.js';
import { MembersRepository } from './members.repository.js';

/** Finds members and changes their status: what an admin does. */
@Injectable()
export class MembersService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly members: MembersRepository,
    private readonly sessions: SessionsService,
    private readonly events: OtpEventsService,
  ) {}

  /** The member with this id, or `null`. */
  async findById(id: string): Promise<MemberView | null> {
    const member = await this.members.findById(id);
    return member ? toMemberView(member) : null;
  }

  /** The member with this email (compared lower-cased), or `null`. */
  async findByEmail(email: string): Promise<MemberView | null> {
    const member = await this.members.findByEmail(email.trim().toLowerCase());
    return member ? toMemberView(member) : null;
  }

  /** The member with this E.164 phone number, or `null`. */
  async findByPhone(phoneNumber: string): Promise<MemberView | null> {
    const member = await this.members.findByPhone(phoneNumber);
    return member ? toMemberView(member) : null;
  }

  /** Members waiting for approval, oldest first. */
  listPending(): Promise<MemberView[]> {
    return this.list('pending');
  }

  /** Members with a status, oldest first (at most `limit`). */
  async list(status: MemberStatus, limit = 500): Promise<MemberView[]> {
    return (await this.members.list(status, limit)).map(toMemberView);
  }

  /** Whether an email (compared lower-cased) or an E.164 phone already belongs to a member. */
  isTaken(email: string, phoneNumber: string): Promise<boolean> {
    return this.members.isTaken(email.trim().toLowerCase(), phoneNumber);
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

  private async setStatus(id: string, status: MemberStatus): Promise<MemberView> {
    if (!(await this.members.setStatus(id, status))) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    }
    this.sessions.forgetMember(id);
    const member = await this.members.findById(id);
    if (!member) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    this.logger.log(`Member ${id} is now ${status}`);
    return toMemberView(member);
  }
}
