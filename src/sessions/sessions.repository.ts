import type { MemberStatus, MemberView } from '../members/member.entity.js';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { OTP_DATA_SOURCE, OTP_SESSION_REPOSITORY } from '../otp-internal.constants.js';
import { type DbNumber, preparedSql, quotedTable } from '../persistence/sql.js';
import { MemberSession } from './member-session.entity.js';
import { type AuthMethod, parseAmr } from './session-assurance.js';

/** Sessions whose use one statement records. */
const TOUCH_BATCH = 500;

/** A stored session joined with its member, as the guard's lookup reads it. */
export interface SessionRecord {
  sessionId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds. */
  lastSeenAt: number;
  /** Epoch milliseconds. */
  createdAt: number;
  amr: AuthMethod[];
  aal: 1 | 2;
  /** Epoch milliseconds; `null` when possession of a phone, an app or a passkey was never proved. */
  verifiedAt: number | null;
  member: MemberView;
}

/** The columns of the guard's lookup. */
interface SessionRow {
  sid: string;
  exp: DbNumber;
  seen: DbNumber;
  began: DbNumber;
  amr: string;
  aal: DbNumber;
  verified: DbNumber | null;
  mid: string;
  email: string;
  phone: string;
  status: MemberStatus;
  created: DbNumber;
}

/**
 * Where sessions are stored. The statements of the guard's hot path (the lookup by token hash,
 * joined with the member, and recording use in batches) and the insert of every sign-in are
 * prepared once; listing and revoking go through TypeORM's repository. Not exported.
 */
@Injectable()
export class SessionsRepository {
  private readonly lookupSql: string;
  private readonly table: string;
  /** Statements recording use of sessions, by how many. */
  private readonly touchStatements = new Map<number, string>();
  private readonly insertSql: string;

  constructor(
    @Inject(OTP_SESSION_REPOSITORY) private readonly sessions: Repository<MemberSession>,
    @Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    const table = quotedTable(dataSource, MemberSession);
    const members = quotedTable(
      dataSource,
      dataSource.getMetadata(MemberSession).findRelationWithPropertyPath('member')!
        .inverseEntityMetadata.target,
    );
    this.lookupSql = preparedSql(
      dataSource,
      `SELECT s.id AS sid, s.expires_at AS exp, s.last_seen_at AS seen, s.created_at AS began,
              s.amr AS amr, s.aal AS aal, s.verified_at AS verified, m.id AS mid, m.email AS email,
              m.phone_number AS phone, m.status AS status, m.created_at AS created
         FROM ${table} s INNER JOIN ${members} m ON m.id = s.member_id
        WHERE s.token_hash = :hash`,
      ['hash'],
    );
    this.table = table;
    this.insertSql = preparedSql(
      dataSource,
      `INSERT INTO ${table}
         (id, member_id, token_hash, created_at, expires_at, last_seen_at, user_agent, amr, aal, verified_at)
       VALUES (:id, :member, :hash, :created, :expires, :seen, :agent, :amr, :aal, :verified)`,
      ['id', 'member', 'hash', 'created', 'expires', 'seen', 'agent', 'amr', 'aal', 'verified'],
    );
  }

  /** The session whose token has this hash, with its member: one prepared lookup. */
  async findByTokenHash(hash: string): Promise<SessionRecord | undefined> {
    const [row]: SessionRow[] = await this.dataSource.query(this.lookupSql, [hash]);
    if (!row) return undefined;
    return {
      sessionId: row.sid,
      expiresAt: Number(row.exp),
      lastSeenAt: Number(row.seen),
      createdAt: Number(row.began),
      amr: parseAmr(row.amr),
      aal: Number(row.aal) === 2 ? 2 : 1,
      verifiedAt: row.verified === null ? null : Number(row.verified),
      member: {
        id: row.mid,
        email: row.email,
        phoneNumber: row.phone,
        status: row.status,
        createdAt: new Date(Number(row.created)).toISOString(),
      },
    };
  }

  /**
   * Records that sessions were used at `seen` (epoch milliseconds) or later: one statement per
   * `TOUCH_BATCH` sessions, never moving a session's time back.
   */
  async touch(sessionIds: string[], seen: number): Promise<void> {
    for (let i = 0; i < sessionIds.length; i += TOUCH_BATCH) {
      const ids = sessionIds.slice(i, i + TOUCH_BATCH);
      await this.dataSource.query(this.touchSql(ids.length), [seen, seen, ...ids]);
    }
  }

  /** The statement that records use of `count` sessions. */
  private touchSql(count: number): string {
    let sql = this.touchStatements.get(count);
    if (!sql) {
      const ids = Array.from({ length: count }, (_, i) => `:id${i}`);
      sql = preparedSql(
        this.dataSource,
        `UPDATE ${this.table} SET last_seen_at = :seen
          WHERE last_seen_at < :before AND id IN (${ids.join(', ')})`,
        ['seen', 'before', ...ids.map((id) => id.slice(1))],
      );
      this.touchStatements.set(count, sql);
    }
    return sql;
  }

  /** The type of the data source (`'postgres'`, `'better-sqlite3'`...). */
  get databaseType(): string {
    return this.dataSource.options.type;
  }

  /** The data source, for a channel that listens on its database. */
  get source(): DataSource {
    return this.dataSource;
  }

  /** Stores a new session: one prepared insert. */
  async insert(session: MemberSession): Promise<void> {
    await this.dataSource.query(this.insertSql, [
      session.id,
      session.memberId,
      session.tokenHash,
      session.createdAt.getTime(),
      session.expiresAt.getTime(),
      session.lastSeenAt.getTime(),
      session.userAgent,
      session.amr,
      session.aal,
      session.verifiedAt?.getTime() ?? null,
    ]);
  }

  /**
   * Gives a member's session a new token hash and assurance, if its token hash is still
   * `oldHash` (of two concurrent renewals, one wins). Returns whether it did.
   */
  async renew(
    memberId: string,
    sessionId: string,
    oldHash: string,
    next: Pick<MemberSession, 'tokenHash' | 'amr' | 'aal' | 'verifiedAt'>,
  ): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .update()
      .set(next)
      .where('id = :sessionId AND member_id = :memberId AND token_hash = :oldHash', {
        sessionId,
        memberId,
        oldHash,
      })
      .execute();
    return result.affected === 1;
  }

  /** A member's sessions, newest first. */
  listByMember(memberId: string): Promise<MemberSession[]> {
    return this.sessions.find({ where: { memberId }, order: { createdAt: 'DESC' } });
  }

  /** Ids and token hashes of a member's sessions: of one when `sessionId` is given. */
  findKeys(
    memberId: string,
    sessionId?: string,
  ): Promise<Pick<MemberSession, 'id' | 'tokenHash'>[]> {
    return this.sessions.find({
      where: sessionId === undefined ? { memberId } : { id: sessionId, memberId },
      select: { id: true, tokenHash: true },
    });
  }

  /** A member's session with its token hash and how it was proved. */
  findAssurance(
    memberId: string,
    sessionId: string,
  ): Promise<Pick<
    MemberSession,
    'id' | 'tokenHash' | 'createdAt' | 'amr' | 'aal' | 'verifiedAt'
  > | null> {
    return this.sessions.findOne({
      where: { id: sessionId, memberId },
      select: {
        id: true,
        tokenHash: true,
        createdAt: true,
        amr: true,
        aal: true,
        verifiedAt: true,
      },
    });
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.sessions.delete(ids);
  }
}
