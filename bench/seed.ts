import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Rows written straight into the module's tables (`otp_members`, `otp_member_sessions`, created
 * by TypeORM `synchronize` from the module's entities), far faster than through the API:
 * ids are UUIDs, times epoch milliseconds, a session stores the hex SHA-256 of its token.
 */

const MEMBER_COLUMNS = [
  'id',
  'email',
  'phone_number',
  'password_hash',
  'status',
  'created_at',
  'updated_at',
] as const;
const SESSION_COLUMNS = [
  'id',
  'member_id',
  'token_hash',
  'created_at',
  'expires_at',
  'last_seen_at',
  'user_agent',
] as const;

/** The module's default absolute session lifetime (12 hours). */
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Rows per SQLite transaction when growing the tables. */
const SQLITE_BATCH = 50_000;
/** Rows per PostgreSQL statement when growing the tables. */
const POSTGRES_BATCH = 100_000;

type Row = readonly unknown[];

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}

interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
  transaction(work: () => void): () => void;
  pragma(source: string): unknown;
}

function sqlite(dataSource: DataSource): SqliteHandle | undefined {
  if (dataSource.options.type !== 'better-sqlite3') return undefined;
  return (dataSource.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection;
}

/** A new session token as the module makes them (32 random bytes, base64url) and its hash. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: createHash('sha256').update(token).digest('hex') };
}

/** A member row, approved, with or without a password hash. */
export function memberRow(
  id: string,
  email: string,
  phone: string,
  passwordHash: string | null,
  now: number,
): Row {
  return [id, email, phone, passwordHash, 'approved', now, now];
}

/**
 * A live session row, last used `idleMs` ago. The module records use of a session at most once a
 * minute; sessions of real traffic were last recorded at scattered times, so that these writes
 * come steadily, not all in the same second.
 */
export function sessionRow(memberId: string, tokenHash: string, now: number, idleMs = 0): Row {
  return [
    randomUUID(),
    memberId,
    tokenHash,
    now - idleMs,
    now - idleMs + SESSION_TTL_MS,
    now - idleMs,
    'autocannon',
  ];
}

/** Inserts rows into one of the module's tables, in one transaction. */
export async function insertRows(
  dataSource: DataSource,
  table: 'otp_members' | 'otp_member_sessions',
  rows: readonly Row[],
): Promise<void> {
  const columns = table === 'otp_members' ? MEMBER_COLUMNS : SESSION_COLUMNS;
  const db = sqlite(dataSource);
  if (db) {
    const insert = db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    db.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
    return;
  }
  // PostgreSQL: multi-row INSERTs, within the 65,535 parameters of one statement.
  const perStatement = Math.floor(60_000 / columns.length);
  await dataSource.transaction(async (manager) => {
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const values = chunk.map(
        (_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
      );
      await manager.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`,
        chunk.flat(),
      );
    }
  });
}

/** Row counts of the two tables. */
export async function countRows(
  dataSource: DataSource,
): Promise<{ members: number; sessions: number }> {
  const [members] = await dataSource.query('SELECT COUNT(*) AS n FROM otp_members');
  const [sessions] = await dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions');
  return { members: Number(members.n), sessions: Number(sessions.n) };
}

let nextFiller = 1;

/**
 * Adds filler members (approved, phone `+999…`, never used by the load) with one live session
 * each, `count` of them, numbered on from the last call.
 */
export async function addFillers(dataSource: DataSource, count: number): Promise<void> {
  const first = nextFiller;
  const last = first + count - 1;
  nextFiller = last + 1;
  const now = Date.now();
  const db = sqlite(dataSource);
  if (db) {
    const members = db.prepare(
      `INSERT INTO otp_members (${MEMBER_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const sessions = db.prepare(
      `INSERT INTO otp_member_sessions (${SESSION_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let start = first; start <= last; start += SQLITE_BATCH) {
      const end = Math.min(last, start + SQLITE_BATCH - 1);
      db.transaction(() => {
        for (let i = start; i <= end; i += 1) {
          const memberId = randomUUID();
          const hash = createHash('sha256').update(`bench-filler-${i}`).digest('hex');
          members.run(...memberRow(memberId, `filler${i}@bench.example`, filler(i), null, now));
          sessions.run(...sessionRow(memberId, hash, now));
        }
      })();
      // Let the app answer its IPC channel between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Write the WAL back to the database file now rather than during the next runs.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return;
  }
  for (let start = first; start <= last; start += POSTGRES_BATCH) {
    const end = Math.min(last, start + POSTGRES_BATCH - 1);
    await dataSource.query(
      `INSERT INTO otp_members (${MEMBER_COLUMNS.join(', ')})
       SELECT md5('bench-member-' || i)::uuid::text, 'filler' || i || '@bench.example',
              '+999' || lpad(i::text, 10, '0'), NULL, 'approved', $3::bigint, $3::bigint
         FROM generate_series($1::bigint, $2::bigint) AS i`,
      [start, end, now],
    );
    await dataSource.query(
      `INSERT INTO otp_member_sessions (${SESSION_COLUMNS.join(', ')})
       SELECT md5('bench-session-' || i)::uuid::text, md5('bench-member-' || i)::uuid::text,
              encode(sha256(convert_to('bench-filler-' || i, 'UTF8')), 'hex'),
              $3::bigint, $4::bigint, $3::bigint, 'autocannon'
         FROM generate_series($1::bigint, $2::bigint) AS i`,
      [start, end, now, now + SESSION_TTL_MS],
    );
  }
  // A live database is vacuumed and has statistics; a bulk load leaves autovacuum and the
  // checkpointer to do that work during the next runs. Do it now, and wait for it.
  await dataSource.query('VACUUM (ANALYZE) otp_members, otp_member_sessions');
  await dataSource.query('CHECKPOINT').catch(() => undefined); // needs pg_checkpoint
}

function filler(i: number): string {
  return `+999${String(i).padStart(10, '0')}`;
}
