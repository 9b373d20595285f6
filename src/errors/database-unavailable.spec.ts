import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  DataSource,
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
  TypeORMError,
} from 'typeorm';
import { databaseUnavailableReason, isDatabaseUnavailable } from './database-unavailable.js';

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * An error of the PostgreSQL server as node-postgres builds it (`DatabaseError`) from the fields
 * of its ErrorResponse, wrapped by TypeORM when a query was running (`QueryFailedError`). The
 * fields are those of real failures of PostgreSQL 15, captured through TypeORM 1.1 and pg 8.23.
 */
function fromServer(
  fields: { message: string; code: string; severity: string; routine: string },
  query?: string,
): Error {
  const error = Object.assign(new pg.DatabaseError(fields.message, 100, 'error'), fields);
  return query === undefined ? error : new QueryFailedError(query, undefined, error);
}

/** Node's error of a socket, as pg passes it on (`connect ECONNREFUSED ...`, `read ECONNRESET`). */
function socketError(message: string, fields: Record<string, string | number>): Error {
  return Object.assign(new Error(message), fields);
}

/** The sockets the fake servers accepted, destroyed at the end. */
const accepted = new Set<Socket>();

/** A TCP server on 127.0.0.1 that does `onConnection` to each client, for pg to connect to. */
async function fakeServer(onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    accepted.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

/** What connecting TypeORM's PostgreSQL driver to `port` on 127.0.0.1 fails with. */
function connectFailure(port: number, connectionTimeoutMillis?: number): Promise<unknown> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: `postgres://otp:otp@127.0.0.1:${port}/otp`,
    extra: { connectionTimeoutMillis, allowExitOnIdle: true },
  });
  return rejection(dataSource.initialize());
}

describe('databaseUnavailableReason, on PostgreSQL errors', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await Promise.all(
      servers.map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))),
    );
  });

  it('knows a connection refused (the server down), made by pg itself', async () => {
    const closed = await fakeServer(() => undefined);
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await connectFailure(port);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    expect(databaseUnavailableReason(error)).toBe('ECONNREFUSED');
  });

  it('knows a connection reset while connecting, made by pg itself', async () => {
    const resetting = await fakeServer((socket) => socket.resetAndDestroy());
    servers.push(resetting);
    const error = await connectFailure(portOf(resetting));
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(databaseUnavailableReason(error)).toBe('ECONNRESET');
  });

  it('knows a connection ended by the server before it was ready, made by pg itself', async () => {
    const hangingUp = await fakeServer((socket) => socket.end());
    servers.push(hangingUp);
    const error = await connectFailure(portOf(hangingUp));
    expect((error as Error).message).toBe('Connection terminated unexpectedly');
    expect(databaseUnavailableReason(error)).toBe('Connection terminated unexpectedly');
  });

  it('knows a connection that timed out, made by pg-pool itself', async () => {
    const silent = await fakeServer(() => undefined);
    servers.push(silent);
    const error = await connectFailure(portOf(silent), 100);
    expect(error).toMatchObject({
      message: 'Connection terminated due to connection timeout',
      cause: expect.any(Error),
    });
    expect(databaseUnavailableReason(error)).toBe(
      'Connection terminated due to connection timeout',
    );
  });

  it.each<[string, Error, string]>([
    [
      'a query cut by a network failure',
      new QueryFailedError(
        'SELECT pg_sleep(2)',
        undefined,
        new Error('Connection terminated unexpectedly'),
      ),
      'Connection terminated unexpectedly',
    ],
    [
      'a query whose connection was reset',
      new QueryFailedError(
        'SELECT pg_sleep(2)',
        undefined,
        socketError('read ECONNRESET', { errno: -104, code: 'ECONNRESET', syscall: 'read' }),
      ),
      'ECONNRESET',
    ],
    [
      'a new connection refused while the server restarts',
      socketError('connect ECONNREFUSED 127.0.0.1:45227', {
        errno: -111,
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '127.0.0.1',
        port: 45227,
      }),
      'ECONNREFUSED',
    ],
    [
      'a host that cannot be routed to',
      socketError('connect EHOSTUNREACH 2001:db8::1:5432', {
        errno: -113,
        code: 'EHOSTUNREACH',
        syscall: 'connect',
        address: '2001:db8::1',
        port: 5432,
      }),
      'EHOSTUNREACH',
    ],
    [
      'a query ended by a restart or pg_terminate_backend (57P01)',
      fromServer(
        {
          message: 'terminating connection due to administrator command',
          code: '57P01',
          severity: 'FATAL',
          routine: 'ProcessInterrupts',
        },
        'SELECT pg_sleep(3)',
      ),
      '57P01',
    ],
    [
      'a connection refused by a server shutting down (57P03)',
      fromServer({
        message: 'the database system is shutting down',
        code: '57P03',
        severity: 'FATAL',
        routine: 'ProcessStartupPacket',
      }),
      '57P03',
    ],
    [
      'a connection refused with every slot taken (53300)',
      fromServer({
        message: 'sorry, too many clients already',
        code: '53300',
        severity: 'FATAL',
        routine: 'InitProcess',
      }),
      '53300',
    ],
    [
      'a connection exception (class 08)',
      fromServer(
        {
          message: 'could not establish connection',
          code: '08001',
          severity: 'ERROR',
          routine: 'dblink_connect',
        },
        "SELECT dblink_connect('c1', 'host=127.0.0.1 port=1')",
      ),
      '08001',
    ],
    [
      'a pool whose every connection stayed busy past its timeout',
      new Error('timeout exceeded when trying to connect'),
      'timeout exceeded when trying to connect',
    ],
    [
      'a transaction whose connection broke between two statements',
      new QueryRunnerProviderAlreadyReleasedError(),
      'QueryRunnerProviderAlreadyReleasedError',
    ],
    [
      'a query runner released by the driver after its connection broke',
      new QueryRunnerAlreadyReleasedError(),
      'QueryRunnerAlreadyReleasedError',
    ],
  ])('knows %s', (_label, error, reason) => {
    expect(databaseUnavailableReason(error)).toBe(reason);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each<[string, Error]>([
    [
      'a missing table (42P01)',
      fromServer(
        {
          message: 'relation "no_such_table" does not exist',
          code: '42P01',
          severity: 'ERROR',
          routine: 'parserOpenTable',
        },
        'SELECT * FROM no_such_table',
      ),
    ],
    [
      'a syntax error (42601)',
      fromServer(
        {
          message: 'syntax error at or near "SELEC"',
          code: '42601',
          severity: 'ERROR',
          routine: 'scanner_yyerror',
        },
        'SELEC 1',
      ),
    ],
    [
      'a unique violation (23505)',
      fromServer(
        {
          message: 'duplicate key value violates unique constraint "u_pkey"',
          code: '23505',
          severity: 'ERROR',
          routine: '_bt_check_unique',
        },
        'INSERT INTO u VALUES (1)',
      ),
    ],
    [
      'a malformed value (22P02)',
      fromServer(
        {
          message: 'invalid input syntax for type uuid: "x"',
          code: '22P02',
          severity: 'ERROR',
          routine: 'string_to_uuid',
        },
        "SELECT 'x'::uuid",
      ),
    ],
    [
      'a statement timeout (57014): a slow query, not a lost server',
      fromServer(
        {
          message: 'canceling statement due to statement timeout',
          code: '57014',
          severity: 'ERROR',
          routine: 'ProcessInterrupts',
        },
        'SELECT pg_sleep(1)',
      ),
    ],
    [
      'a protocol violation (08P01): a bug of the client',
      fromServer(
        {
          message: 'bind message supplies 2 parameters, but prepared statement "" requires 1',
          code: '08P01',
          severity: 'ERROR',
          routine: 'exec_bind_message',
        },
        'SELECT $1::int',
      ),
    ],
    ['a data source closed by the app', new TypeORMError('Driver not Connected')],
    [
      'a host name that does not exist (a misconfiguration)',
      socketError('getaddrinfo ENOTFOUND db.invalid', {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'db.invalid',
      }),
    ],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('leaves %s to be an error of the app', (_label, error) => {
    expect(databaseUnavailableReason(error)).toBeUndefined();
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('databaseUnavailableReason, on SQLite errors made by better-sqlite3', () => {
  let folder: string;
  let app: DataSource;
  let other: DataSource;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'otp-unavailable-'));
    const database = join(folder, 'otp.sqlite');
    // A busy timeout of 20 ms, so that a lock held longer fails at once.
    app = await new DataSource({ type: 'better-sqlite3', database, timeout: 20 }).initialize();
    other = await new DataSource({ type: 'better-sqlite3', database, timeout: 20 }).initialize();
    await app.query('CREATE TABLE t (id integer PRIMARY KEY)');
  });
  afterAll(async () => {
    await other.destroy();
    if (app.isInitialized) await app.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  it('knows a database locked by another connection past the busy timeout', async () => {
    await other.query('BEGIN EXCLUSIVE');
    try {
      const read = await rejection(app.query('SELECT * FROM t'));
      const write = await rejection(app.query('INSERT INTO t VALUES (1)'));
      for (const error of [read, write]) {
        expect(error).toBeInstanceOf(QueryFailedError);
        expect(error).toMatchObject({
          code: 'SQLITE_BUSY',
          message: 'SqliteError: database is locked',
        });
        expect(databaseUnavailableReason(error)).toBe('SQLITE_BUSY');
      }
    } finally {
      await other.query('ROLLBACK');
    }
    await expect(app.query('SELECT * FROM t')).resolves.toEqual([]);
  });

  it('knows SQLITE_LOCKED and the extended codes of both', async () => {
    // better-sqlite3 opens no shared cache, where SQLITE_LOCKED arises: the driver's own error
    // class (that of a real SQLITE_BUSY) with SQLite's code and its message for that code.
    await other.query('BEGIN EXCLUSIVE');
    const busy = await rejection(app.query('SELECT * FROM t')).finally(() =>
      other.query('ROLLBACK'),
    );
    const SqliteError = (busy as QueryFailedError).driverError.constructor as new (
      message: string,
      code: string,
    ) => Error;
    expect(SqliteError.name).toBe('SqliteError');
    for (const [code, message] of [
      ['SQLITE_LOCKED', 'database table is locked'],
      ['SQLITE_LOCKED_SHAREDCACHE', 'database table is locked'],
      ['SQLITE_BUSY_SNAPSHOT', 'database is locked'],
    ]) {
      const error = new QueryFailedError('SELECT 1', [], new SqliteError(message, code));
      expect(databaseUnavailableReason(error)).toBe(code);
    }
  });

  it('leaves a constraint, a missing table and a closed database to be errors of the app', async () => {
    await app.query('INSERT INTO t VALUES (5)');
    const duplicate = await rejection(app.query('INSERT INTO t VALUES (5)'));
    expect(duplicate).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    const missing = await rejection(app.query('SELECT * FROM nope'));
    expect(missing).toMatchObject({ code: 'SQLITE_ERROR' });
    await app.destroy();
    const closed = await rejection(app.query('SELECT 1'));
    expect(closed).toMatchObject({ message: 'TypeError: The database connection is not open' });
    for (const error of [duplicate, missing, closed]) {
      expect(databaseUnavailableReason(error)).toBeUndefined();
    }
  });
});

describe('databaseUnavailableReason, on anything', () => {
  it.each([undefined, null, 'ECONNREFUSED', 42, {}, { code: 42 }])(
    'answers undefined for %p',
    (value) => {
      expect(databaseUnavailableReason(value)).toBeUndefined();
    },
  );

  it('finds the reason under a cause, and stops at a bounded depth', () => {
    const refused = socketError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' });
    expect(databaseUnavailableReason(new Error('lookup failed', { cause: refused }))).toBe(
      'ECONNREFUSED',
    );
    let deep: Error = refused;
    for (let i = 0; i < 10; i += 1) deep = new Error('wrapped', { cause: deep });
    expect(databaseUnavailableReason(deep)).toBeUndefined();
    const loop = new Error('loop');
    Object.assign(loop, { cause: loop });
    expect(databaseUnavailableReason(loop)).toBeUndefined();
  });
});
