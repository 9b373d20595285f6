import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { maskPhone } from '../common/log.util.js';
import { OtpException } from '../common/otp.exception.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { Member, type MemberStatus, type MemberView, toMemberView } from './member.entity.js';

/** A member as the sign-in flows need it: with whether a password is set. */
export interface MemberWithSecret extends Member {
  passwordHash: string | null;
}

/** Finds members and changes their status. */
@Injectable()
export class MembersService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @InjectRepository(Member) private readonly members: Repository<Member>,
    private readonly sessions: SessionsService,
  ) {}

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
  async listPending(): Promise<MemberView[]> {
    const rows = await this.members.find({
      where: { status: 'pending' },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toMemberView);
  }

  /** Approves a pending (or unblocks a blocked) member. */
  approve(id: string): Promise<MemberView> {
    return this.setStatus(id, 'approved');
  }

  /** Blocks a member and revokes every one of their sessions at once. */
  async block(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'blocked');
    await this.sessions.revokeAll(id);
    return member;
  }

  /** Lifts a block. */
  unblock(id: string): Promise<MemberView> {
    return this.setStatus(id, 'approved');
  }

  /**
   * The member with this phone, created (approved, with the placeholder email) when there is
   * none. Safe under concurrency: one insert wins, the others read the winner.
   * @internal used by the passwordless flow.
   */
  async findOrCreateByPhone(
    phoneNumber: string,
    mailDomain: string,
  ): Promise<{ member: MemberWithSecret; isNewMember: boolean }> {
    const existing = await this.findWithSecret(phoneNumber);
    if (existing) return { member: existing, isNewMember: false };
    const id = randomUUID();
    const now = new Date();
    await this.members
      .createQueryBuilder()
      .insert()
      .into(Member)
      .values({
        id,
        email: `${phoneNumber.slice(1)}@${mailDomain}`,
        phoneNumber,
        passwordHash: null,
        status: 'approved',
        createdAt: now,
        updatedAt: now,
      })
      .orIgnore()
      .execute();
    const member = await this.findWithSecret(phoneNumber);
    // The placeholder email belongs to someone else: refuse rather than merge accounts.
    if (!member) throw OtpException.alreadyRegistered();
    const isNewMember = member.id === id;
    if (isNewMember) this.logger.log(`Member ${id} created for ${maskPhone(phoneNumber)}`);
    return { member, isNewMember };
  }

  private async findWithSecret(phoneNumber: string): Promise<MemberWithSecret | null> {
    const member = await this.members
      .createQueryBuilder('m')
      .addSelect('m.passwordHash')
      .where('m.phoneNumber = :phoneNumber', { phoneNumber })
      .getOne();
    return member ? { ...member, passwordHash: member.passwordHash ?? null } : null;
  }

  private async setStatus(id: string, status: MemberStatus): Promise<MemberView> {
    const result = await this.members.update({ id }, { status, updatedAt: new Date() });
    if (!result.affected) throw OtpException.notFound('member');
    this.sessions.forgetMember(id);
    const member = await this.members.findOneByOrFail({ id });
    this.logger.log(`Member ${id} is now ${status}`);
    return toMemberView(member);
  }
}
