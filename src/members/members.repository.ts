import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { OTP_DATA_SOURCE, OTP_MEMBER_REPOSITORY } from '../otp-internal.constants.js';
import { insertAtomically, type RowInsert } from '../persistence/atomic-insert.js';
import { type DbNumber, preparedSql, quotedTable } from '../persistence/sql.js';
import { MemberSession } from '../sessions/member-session.entity.js';
import { Member, type MemberStatus } from './member.entity.js';

/** A member as the sign-in flows need it: with whether a password is set. */
export interface MemberWithSecret extends Member {
  passwordHash: string | null;
}

/** The columns of a member as the prepared lookups select them. */
interface MemberRow {
  id: string;
  email: string;
  phone: string;
  secret: string | null;
  status: MemberStatus;
  created: DbNumber;
  updated: DbNumber;
}

/**
 * Where members are stored: TypeORM's repository for the rare reads and writes, prepared
 * statements for the lookups every sign-in makes, and the atomic insert of a member with their
 * first session. Not exported: the services above it are the module's API.
 */
@Injectable()
export class MembersRepository {
  private readonly byPhoneSql: string;
  private readonly byEmailSql: string;

  constructor(
    @Inject(OTP_MEMBER_REPOSITORY) private readonly members: Repository<Member>,
    @Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    const select = (column: string) =>
      preparedSql(
        dataSource,
        `SELECT id, email, phone_number AS phone, password_hash AS secret, status,
                created_at AS created, updated_at AS updated
           FROM ${quotedTable(dataSource, Member)} WHERE ${column} = :value`,
        ['value'],
      );
    this.byPhoneSql = select('phone_number');
    this.byEmailSql = select('email');
  }

  findById(id: string): Promise<Member | null> {
    return this.members.findOneBy({ id });
  }

  /** The member with this email, already lower-cased. */
  findByEmail(email: string): Promise<Member | null> {
    return this.members.findOneBy({ email });
  }

  findByPhone(phoneNumber: string): Promise<Member | null> {
    return this.members.findOneBy({ phoneNumber });
  }

  /** Members with a status, oldest first. */
  list(status: MemberStatus, limit: number): Promise<Member[]> {
    return this.members.find({ where: { status }, order: { createdAt: 'ASC' }, take: limit });
  }

  /** Whether an email (lower-cased) or an E.164 phone already belongs to a member. */
  async isTaken(email: string, phoneNumber: string): Promise<boolean> {
    return (await this.members.count({ where: [{ email }, { phoneNumber }] })) > 0;
  }

  /** The member with this email (lower-cased), with their password hash: one prepared lookup. */
  findWithSecretByEmail(email: string): Promise<MemberWithSecret | null> {
    return this.findWithSecret(this.byEmailSql, email);
  }

  /** The member with this E.164 phone, with their password hash: one prepared lookup. */
  findWithSecretByPhone(phoneNumber: string): Promise<MemberWithSecret | null> {
    return this.findWithSecret(this.byPhoneSql, phoneNumber);
  }

  /**
   * Inserts a member and, when given, their first session, all-or-nothing (see
   * `insertAtomically`). A taken email or phone fails with the driver's unique violation.
   */
  async insert(member: MemberWithSecret, session?: MemberSession): Promise<void> {
    const rows: RowInsert[] = [{ entity: Member, values: member }];
    if (session) rows.push({ entity: MemberSession, values: session });
    await insertAtomically(this.dataSource, rows);
  }

  /** Sets a member's status; whether the member exists. */
  async setStatus(id: string, status: MemberStatus): Promise<boolean> {
    const result = await this.members.update({ id }, { status, updatedAt: new Date() });
    return Boolean(result.affected);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.members.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  private async findWithSecret(sql: string, value: string): Promise<MemberWithSecret | null> {
    const [row]: MemberRow[] = await this.dataSource.query(sql, [value]);
    return row ? memberOf(row) : null;
  }
}

function memberOf(row: MemberRow): MemberWithSecret {
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
