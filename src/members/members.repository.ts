import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { OTP_DATA_SOURCE, OTP_MEMBER_REPOSITORY } from '../otp-internal.constants.js';
import { insertAtomically, type RowInsert } from '../persistence/atomic-insert.js';
import { type DbNumber, preparedSql, quotedTable } from '../persistence/sql.js';
import { Member, type MemberStatus } from './member.entity.js';

/** A member as the sign-in flows need it: with whether a password is set. */
export interface MemberWithSecret extends Member {
  passwordHash: string | null;
}

/** What `MembersRepository.page()` selects. */
export interface MemberPageQuery {
  status?: MemberStatus;
  emailPrefix?: string;
  phonePrefix?: string;
  /** Whole E.164 numbers, any of which matches (found through the phone's unique index). */
  phoneNumbers?: readonly string[];
  /** The last member of the previous page. */
  after?: { createdAt: number; id: string };
  limit: number;
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
   * Inserts a member and, when given, rows that belong with it (their first session),
   * all-or-nothing (see `insertAtomically`). A taken email or phone fails with the driver's
   * unique violation.
   */
  async insert(member: MemberWithSecret, also: readonly RowInsert[] = []): Promise<void> {
    await insertAtomically(this.dataSource, [{ entity: Member, values: member }, ...also]);
  }

  /** Sets a member's status; whether the member exists. */
  async setStatus(id: string, status: MemberStatus): Promise<boolean> {
    const result = await this.members.update({ id }, { status, updatedAt: new Date() });
    return Boolean(result.affected);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.members.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** The member with this id, with their password hash. */
  async findWithSecretById(id: string): Promise<MemberWithSecret | null> {
    const member = await this.members.findOne({
      where: { id },
      select: {
        id: true,
        email: true,
        phoneNumber: true,
        passwordHash: true,
        status: true,
        createdAt: true,
        updatedAt: true,
      },
    });
    return member ? { ...member, passwordHash: member.passwordHash ?? null } : null;
  }

  /**
   * Sets a member's phone (and email, when given); whether the member exists. A phone or email
   * that is another member's fails with the driver's unique violation.
   */
  async setContact(
    id: string,
    contact: { phoneNumber?: string; email?: string },
  ): Promise<boolean> {
    const result = await this.members.update({ id }, { ...contact, updatedAt: new Date() });
    return Boolean(result.affected);
  }

  /** Deletes a member; their sessions and recovery codes go with them (foreign keys). */
  async delete(id: string): Promise<boolean> {
    const result = await this.members.delete({ id });
    return Boolean(result.affected);
  }

  /**
   * A page of members in the order `(createdAt, id)`, after `after` when given: by status, and
   * by the start of the email (`emailPrefix`, lower-cased) or of the phone (`phonePrefix`,
   * `+` and digits), or by one of `phoneNumbers`, when given (any of them matches). Asks for one
   * row more than `limit`, to tell whether a next page exists. See the entity for the indexes
   * each form uses; whole numbers use the phone's unique index.
   */
  async page(query: MemberPageQuery): Promise<Member[]> {
    const table = quotedTable(this.dataSource, Member);
    const postgres = this.dataSource.options.type === 'postgres';
    const where: string[] = [];
    const parameters: Record<string, unknown> = {};
    if (query.status) {
      where.push('status = :status');
      parameters.status = query.status;
    }
    /** The forms of the search, any of which matches. */
    const prefixes: string[] = [];
    const prefix = (column: string, name: string, value: string) => {
      prefixes.push(postgres ? `${column} LIKE :${name} ESCAPE '\\'` : `${column} GLOB :${name}`);
      parameters[name] = postgres
        ? `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        : `${value.replace(/[*?[\]]/g, (c) => `[${c}]`)}*`;
    };
    if (query.emailPrefix) prefix('email', 'emailPrefix', query.emailPrefix);
    if (query.phonePrefix) prefix('phone_number', 'phonePrefix', query.phonePrefix);
    if (query.phoneNumbers && query.phoneNumbers.length > 0) {
      prefixes.push('phone_number IN (:...phoneNumbers)');
      parameters.phoneNumbers = [...query.phoneNumbers];
    }
    if (prefixes.length > 0) where.push(`(${prefixes.join(' OR ')})`);
    if (query.after) {
      where.push('(created_at, id) > (:afterCreated, :afterId)');
      parameters.afterCreated = query.after.createdAt;
      parameters.afterId = query.after.id;
    }
    const sql =
      `SELECT id, email, phone_number AS phone, NULL AS secret, status,
              created_at AS created, updated_at AS updated
         FROM ${table}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY created_at, id LIMIT ${Math.trunc(query.limit) + 1}`;
    const [statement, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters);
    const rows: MemberRow[] = await this.dataSource.query(statement, values);
    return rows.map(memberOf);
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
