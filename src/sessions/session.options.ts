import {
  type OptionDefaults,
  type OptionFailure,
  positiveInt,
} from '../errors/otp-options.error.js';
import type { RedisPubSubClient } from './revocation/redis-revocation-channel.js';

/** Options of the session cookie. Leave `session.cookie` unset to use bearer tokens only. */
export interface SessionCookieOptions {
  /** Cookie name. Default `otp_session`. */
  name?: string;
  /** Send the cookie over HTTPS only. Default `true`. */
  secure?: boolean;
  /** SameSite attribute. Default `'lax'`. */
  sameSite?: 'lax' | 'strict';
  /** Cookie domain. Default: the host of the request. */
  domain?: string;
  /** Cookie path. Default `/`. */
  path?: string;
  /**
   * Header that state-changing requests (anything but GET, HEAD, OPTIONS) signed in by the
   * cookie must carry, with any value. Browsers do not let another site set a custom header
   * without a CORS preflight, so this stops cross-site request forgery. Default
   * `X-Requested-With`.
   */
  csrfHeader?: string;
}

/** Session lifetime settings. */
export interface SessionOptions {
  /** Absolute lifetime of a session, in seconds. Default 12 hours. */
  ttlSeconds?: number;
  /** A session unused for this long, in seconds, expires. Default 1 hour. */
  idleTimeoutSeconds?: number;
  /**
   * How long, in milliseconds, an instance may answer from its in-process session cache before
   * asking the database again when no revocation channel is live (none configured, or its
   * connection lost). It bounds how late another instance sees a revocation then; the instance
   * that revokes a session refuses it at once. `0` disables the cache. Default `2000`.
   */
  cacheTtlMs?: number;
  /**
   * How revocations reach the other instances, so that they may cache sessions for long.
   * Default: PostgreSQL `LISTEN/NOTIFY` when the data source is PostgreSQL.
   */
  revocation?: SessionRevocationOptions;
  /** Maximum number of sessions held in the in-process cache. Default `10000`. */
  cacheSize?: number;
  /** Also issue the session as an HttpOnly cookie, and accept it. Default: off. */
  cookie?: SessionCookieOptions;
}

/**
 * The channel that tells every instance of the app at once that sessions were revoked (logout,
 * a session revoked or expired, a member blocked, changed or deleted). While it is live an
 * instance keeps sessions cached for `cacheTtlMs` (minutes); while it is down (or when there is
 * none) for the short `session.cacheTtlMs`.
 */
export interface SessionRevocationOptions {
  /**
   * - `'auto'`: `'postgres'` when the data source is PostgreSQL; otherwise instances in this
   *   process hear each other, but other processes may not, so the short cache applies.
   * - `'postgres'`: `LISTEN/NOTIFY` on a dedicated connection made from the data source's
   *   settings; refused at start-up on another database.
   * - `{ redis: client }`: Redis pub/sub; messages are published with `client`, and
   *   `client.duplicate()` subscribes (an `ioredis` client fits).
   * - `'single-process'`: no other process uses the database, so this process hears every
   *   revocation (one instance, e.g. on SQLite).
   * - `false`: none; every instance caches for `session.cacheTtlMs`.
   *
   * Default `'auto'`.
   */
  channel?: 'auto' | 'postgres' | 'single-process' | false | { redis: RedisPubSubClient };
  /** How long, in milliseconds, sessions stay cached while the channel is live. Default `300000`. */
  cacheTtlMs?: number;
  /** The PostgreSQL or Redis channel name (letters, digits, `_`). Default `nestjs_otp_sessions`. */
  name?: string;
  /**
   * `pg` client settings of the listening connection, over the data source's own: for a data
   * source behind a pooler that does not pass `LISTEN` through (PgBouncer in transaction mode),
   * e.g. `{ connectionString: 'postgres://…@db-host:5432/app' }`. Default: the data source's.
   */
  postgresConnection?: Record<string, unknown>;
}

/** The options of `OtpModule` about sessions. */
export interface SessionModuleOptions {
  /** Session lifetime, cache and cookie. */
  session?: SessionOptions;
}

/** Defaults of `session`: NIST SP 800-63B's AAL2 re-authentication (12 hours, 1 hour idle). */
export const SESSION_DEFAULTS = {
  ttlSeconds: 12 * 60 * 60,
  idleTimeoutSeconds: 60 * 60,
  cacheTtlMs: 2_000,
  cacheSize: 10_000,
  /** Applied when `session.cookie` is given (the cookie itself is off by default). */
  cookie: {
    name: 'otp_session',
    secure: true,
    sameSite: 'lax',
    path: '/',
    csrfHeader: 'X-Requested-With',
  },
  revocation: {
    channel: 'auto',
    cacheTtlMs: 5 * 60_000,
    name: 'nestjs_otp_sessions',
  },
} as const satisfies OptionDefaults<Omit<SessionOptions, 'cookie' | 'revocation'>> & {
  cookie: OptionDefaults<Omit<SessionCookieOptions, 'domain'>>;
  revocation: OptionDefaults<Omit<SessionRevocationOptions, 'postgresConnection'>>;
};

/**
 * How recent a proof the module's own sensitive routes ask for (`@RequireRecentVerification()`
 * on changing the phone, email or password, new recovery codes, adding or removing an
 * authenticator app, deleting the account): 5 minutes. Fixed, not an option.
 */
export const STEP_UP_DEFAULTS = { windowSeconds: 5 * 60 } as const;

/** The session options as resolved, in milliseconds. */
export interface ResolvedSessionOptions {
  session: {
    ttlMs: number;
    /** At most `ttlMs`. */
    idleTimeoutMs: number;
    cacheTtlMs: number;
    cacheSize: number;
    /** `undefined`: bearer tokens only. */
    cookie?: Required<Omit<SessionCookieOptions, 'domain'>> & { domain?: string };
    revocation: {
      channel: NonNullable<SessionRevocationOptions['channel']>;
      cacheTtlMs: number;
      name: string;
      postgresConnection?: Record<string, unknown>;
    };
  };
}

/** A cookie name: an RFC 6265 token of at most 64 characters. */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;
/**
 * A cookie's `Domain`: dot-separated labels of letters, digits and inner hyphens (a leading dot
 * is allowed and ignored by browsers), as RFC 1034 names them and the `cookie` package accepts.
 */
const COOKIE_DOMAIN =
  /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** A cookie's `Path`: starts with `/`; printable ASCII but `;` and `<` (RFC 6265 path-value). */
const COOKIE_PATH = /^\/[\u0020-\u003a\u003d-\u007e]*$/;
const MAX_DOMAIN_LENGTH = 253;
const MAX_COOKIE_PATH_LENGTH = 1024;

function resolveHeaderName(header: string | undefined, fail: OptionFailure): string {
  const name = header ?? SESSION_DEFAULTS.cookie.csrfHeader;
  if (typeof name !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(name)) {
    throw fail('session.cookie.csrfHeader', 'must be an HTTP header name');
  }
  return name.toLowerCase();
}

function resolveCookie(
  cookie: SessionCookieOptions | undefined,
  fail: OptionFailure,
): ResolvedSessionOptions['session']['cookie'] {
  if (cookie === undefined) return undefined;
  if (typeof cookie !== 'object' || cookie === null) {
    throw fail('session.cookie', 'must be an object (leave it unset for no cookie)');
  }
  const defaults = SESSION_DEFAULTS.cookie;
  const name = cookie.name ?? defaults.name;
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    throw fail('session.cookie.name', 'must be a valid cookie name');
  }
  const sameSite = cookie.sameSite ?? defaults.sameSite;
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw fail('session.cookie.sameSite', 'must be "lax" or "strict"');
  }
  if (cookie.secure !== undefined && typeof cookie.secure !== 'boolean') {
    throw fail('session.cookie.secure', 'must be true or false');
  }
  const { domain } = cookie;
  if (
    domain !== undefined &&
    (typeof domain !== 'string' ||
      domain.length > MAX_DOMAIN_LENGTH ||
      !COOKIE_DOMAIN.test(domain) ||
      /^\.?[\d.]+$/.test(domain))
  ) {
    throw fail(
      'session.cookie.domain',
      'must be a domain name such as "example.com" (leave it unset for a cookie of the host alone)',
    );
  }
  const path: unknown = cookie.path === undefined ? defaults.path : cookie.path;
  if (typeof path !== 'string' || path.length > MAX_COOKIE_PATH_LENGTH || !COOKIE_PATH.test(path)) {
    throw fail(
      'session.cookie.path',
      `must start with "/" and be at most ${MAX_COOKIE_PATH_LENGTH} printable ASCII characters ` +
        'without ";" or "<"',
    );
  }
  return {
    name,
    secure: cookie.secure ?? defaults.secure,
    sameSite,
    domain,
    path,
    csrfHeader: resolveHeaderName(cookie.csrfHeader, fail),
  };
}

function resolveRevocation(
  revocation: SessionRevocationOptions | undefined,
  fail: OptionFailure,
): ResolvedSessionOptions['session']['revocation'] {
  if (revocation !== undefined && (typeof revocation !== 'object' || revocation === null)) {
    throw fail('session.revocation', 'must be an object');
  }
  const defaults = SESSION_DEFAULTS.revocation;
  const channel = revocation?.channel ?? defaults.channel;
  const named = channel === 'auto' || channel === 'postgres' || channel === 'single-process';
  const redis = typeof channel === 'object' && channel !== null ? channel.redis : undefined;
  if (!named && channel !== false) {
    if (
      typeof redis?.publish !== 'function' ||
      typeof (redis as { duplicate?: unknown }).duplicate !== 'function'
    ) {
      throw fail(
        'session.revocation.channel',
        'must be "auto", "postgres", "single-process", false or { redis: client } with a client ' +
          'that has publish() and duplicate()',
      );
    }
  }
  const name = revocation?.name ?? defaults.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw fail(
      'session.revocation.name',
      'must be 1 to 63 letters, digits or underscores, not starting with a digit',
    );
  }
  const postgresConnection = revocation?.postgresConnection;
  if (
    postgresConnection !== undefined &&
    (typeof postgresConnection !== 'object' || postgresConnection === null)
  ) {
    throw fail('session.revocation.postgresConnection', 'must be an object');
  }
  return {
    channel,
    postgresConnection,
    cacheTtlMs: positiveInt(
      revocation?.cacheTtlMs,
      'session.revocation.cacheTtlMs',
      defaults.cacheTtlMs,
      fail,
      true,
    ),
    name,
  };
}

/** Checks `session` and fills in its defaults; a bad option throws `fail(...)`. */
export function resolveSessionOptions(
  given: SessionModuleOptions,
  fail: OptionFailure,
): ResolvedSessionOptions {
  const session = given.session ?? {};
  const ttlSeconds = positiveInt(
    session.ttlSeconds,
    'session.ttlSeconds',
    SESSION_DEFAULTS.ttlSeconds,
    fail,
  );
  const idleSeconds = positiveInt(
    session.idleTimeoutSeconds,
    'session.idleTimeoutSeconds',
    SESSION_DEFAULTS.idleTimeoutSeconds,
    fail,
  );
  return {
    session: {
      ttlMs: ttlSeconds * 1000,
      idleTimeoutMs: Math.min(idleSeconds, ttlSeconds) * 1000,
      cacheTtlMs: positiveInt(
        session.cacheTtlMs,
        'session.cacheTtlMs',
        SESSION_DEFAULTS.cacheTtlMs,
        fail,
        true,
      ),
      cacheSize: positiveInt(
        session.cacheSize,
        'session.cacheSize',
        SESSION_DEFAULTS.cacheSize,
        fail,
      ),
      cookie: resolveCookie(session.cookie, fail),
      revocation: resolveRevocation(session.revocation, fail),
    },
  };
}
