import { OtpErrorCode } from './otp-error-code.js';
import { OtpException } from './otp.exception.js';

/**
 * Seconds a client is asked to wait (`Retry-After`) when the database cannot be reached: a
 * restart or a failover takes about that long, and the pool reconnects by itself.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/** Socket errors of a connection that could not be made or was cut (Node's `code`). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs of a server going away or not taking connections yet: `57P01`
 * (admin_shutdown: a restart or `pg_terminate_backend`), `57P02` (crash_shutdown), `57P03`
 * (cannot_connect_now: starting up, shutting down, in recovery) and `53300`
 * (too_many_connections: every slot taken, as when a restarted server meets every pool at once).
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * What node-postgres and its pool say, without a code, when a connection ends under a query or
 * cannot be had in time.
 */
const CONNECTION_LOST_MESSAGES = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
]);

/**
 * TypeORM's errors for a query made through a query runner (a transaction) whose connection the
 * driver dropped after it broke between two statements.
 */
const RELEASED_RUNNER_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/** How far down `driverError` and `cause` links an error is searched. */
const MAX_DEPTH = 4;

/** The reason of one error, without looking at what it wraps. */
function ownReason(error: object): string | undefined {
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code)) return code;
    // Class 08, connection exception; 08P01 (protocol violation) is a bug, not an outage.
    if (code.startsWith('08') && code.length === 5 && code !== '08P01') return code;
    // Past the busy timeout: another connection holds the lock for too long.
    if (/^SQLITE_(BUSY|LOCKED)(_[A-Z]+)?$/.test(code)) return code;
  }
  if (!(error instanceof Error)) return undefined;
  if (typeof message === 'string' && CONNECTION_LOST_MESSAGES.has(message)) return message;
  if (typeof name === 'string' && RELEASED_RUNNER_ERRORS.has(name)) return name;
  return undefined;
}

/**
 * Why `error` means that the database could not be reached, or `undefined` when it means
 * something else. Unreachable is: a connection refused, reset, cut or timed out; PostgreSQL
 * shutting down, restarting or refusing connections (SQLSTATE `57P01`, `57P02`, `57P03`, `53300`
 * and class `08` but `08P01`); a connection ending under a query, or a pool that could not
 * connect in time; SQLite's `SQLITE_BUSY` or `SQLITE_LOCKED` once its busy timeout has passed.
 * The error is searched with what it wraps (TypeORM's `driverError`, `cause`).
 *
 * The reason is a fixed code or phrase (`'ECONNREFUSED'`, `'57P01'`, `'SQLITE_BUSY'`,
 * `'Connection terminated unexpectedly'`), never SQL, so it may be logged as it is.
 * Everything else (a constraint, a syntax error, a missing table, a closed data source) is not
 * an outage and stays an error of the app.
 */
export function databaseUnavailableReason(error: unknown): string | undefined {
  let level: unknown[] = [error];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth += 1) {
    const next: unknown[] = [];
    for (const candidate of level) {
      if (typeof candidate !== 'object' || candidate === null) continue;
      const reason = ownReason(candidate);
      if (reason !== undefined) return reason;
      const { driverError, cause } = candidate as { driverError?: unknown; cause?: unknown };
      next.push(driverError, cause);
    }
    level = next;
  }
  return undefined;
}

/** Whether `error` means the database could not be reached (see `databaseUnavailableReason`). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableReason(error) !== undefined;
}

/** Express's `Response`, Fastify's `FastifyReply` or Node's `ServerResponse`. */
export interface RetryAfterResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/**
 * The 503 `SERVICE_UNAVAILABLE` of a database outage, with `Retry-After` set on `response`
 * first (a host's route answers through Nest's own filter, which sets no header); `undefined`
 * when `error` is not an outage, which the caller then throws as it was.
 */
export function databaseOutageRefusal(
  error: unknown,
  response?: RetryAfterResponse,
): (OtpException & { reason: string }) | undefined {
  const reason = databaseUnavailableReason(error);
  if (reason === undefined) return undefined;
  const seconds = String(DATABASE_RETRY_AFTER_SECONDS);
  if (typeof response?.header === 'function') response.header('Retry-After', seconds);
  else if (typeof response?.setHeader === 'function') response.setHeader('Retry-After', seconds);
  return Object.assign(
    new OtpException(OtpErrorCode.SERVICE_UNAVAILABLE, {
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      cause: error,
    }),
    { reason },
  );
}
