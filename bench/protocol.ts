/**
 * What the benchmark runner and the bench app (a child process) say to each other over the
 * child's IPC channel: one command, one reply, matched by `id`.
 */

export type HttpAdapterKind = 'express' | 'fastify';
export type DatabaseKind = 'sqlite' | 'postgres';

/** How to start one bench app. */
export interface BenchAppConfig {
  adapter: HttpAdapterKind;
  database: DatabaseKind;
  /** SQLite: the database file. */
  sqliteFile?: string;
  /** PostgreSQL: the server, and the schema the app's tables live in. */
  postgresUrl?: string;
  postgresSchema?: string;
  /** The Twilio Verify emulator the app talks to (it runs in the runner process). */
  twilio: { accountSid: string; authToken: string; serviceSid: string; baseUrl: string };
  /** `session.cacheTtlMs` of the module; the module's default (2000) when unset. */
  cacheTtlMs?: number;
  /** `session.revocation.channel` of the module; the module's default (`'auto'`) when unset. */
  revocation?: 'single-process' | 'auto';
  /** better-auth's SQLite file: mounts its session check beside the module's (bench/peers). */
  betterAuthFile?: string;
  /** SQLite in WAL mode (TypeORM `enableWAL`); off by default, as in the README's quick start. */
  sqliteWal?: boolean;
  /**
   * Delay every DELETE of a session by this long (a lock wait, a slow disk): shows whether a
   * revocation stays refused while the token is in use meanwhile. Diagnostics only.
   */
  sessionDeleteDelayMs?: number;
  /** Secret of the hand-written passport-jwt guard. */
  jwtSecret: string;
}

/** One signed-in member of the bench: a session token and a JWT for the same member. */
export interface SeededSession {
  memberId: string;
  token: string;
  jwt: string;
}

/** A member with a password, for two-factor sign-ins. */
export interface TwoFactorMemberSeed {
  email: string;
  /** E.164. */
  phone: string;
}

export interface CommandMap {
  /** Members with one live session each; answers their tokens and JWTs. */
  seedSessions: { args: { count: number }; reply: SeededSession[] };
  /**
   * better-auth users with one session each; answers their Cookie headers, for the cookie cache
   * off and on (then with the signed session-data cookie of a first check).
   */
  seedBetterAuth: { args: { count: number }; reply: { plain: string[]; cached: string[] } };
  /**
   * The guards called directly, without HTTP, over sessions the guard has cached: `SessionGuard`,
   * the no-op guard and better-auth's check (when mounted), in alternating rounds of
   * `iterations` calls; nanoseconds per call, every round.
   */
  guardCost: {
    args: {
      tokens: string[];
      cookies: string[];
      cachedCookies: string[];
      rounds: number;
      iterations: number;
    };
    reply: { guard: number[]; noop: number[]; betterAuth: number[]; betterAuthCached: number[] };
  };
  /** Adds filler members, each with one live session, until both tables hold `total` rows. */
  grow: { args: { total: number }; reply: { members: number; sessions: number; ms: number } };
  /** Members with this password hash (status approved). */
  seedTwoFactor: {
    args: { members: TwoFactorMemberSeed[]; passwordHash: string };
    reply: { inserted: number };
  };
  /** The stored password hash of a member. */
  passwordHash: { args: { email: string }; reply: string | null };
  /** Row counts. */
  counts: { args: Record<string, never>; reply: { members: number; sessions: number } };
  /** Memory of the app process, after a full garbage collection. */
  memory: { args: Record<string, never>; reply: NodeJS.MemoryUsage };
  /** Starts counting the app's CPU time. */
  cpuStart: { args: Record<string, never>; reply: null };
  /**
   * CPU time of the app since `cpuStart`, as a share of one core, and the share of that time
   * its event loop was busy.
   */
  cpuStop: { args: Record<string, never>; reply: { coreShare: number; loopBusy: number } };
  /** Starts sampling the app's event-loop delay. */
  loopDelayStart: { args: Record<string, never>; reply: null };
  /** The app's event-loop delay since `loopDelayStart`, in milliseconds. */
  loopDelayStop: { args: Record<string, never>; reply: { p50: number; p99: number; max: number } };
  /**
   * Time spent in the twilio SDK's HTTP calls since the last call, per E.164 number, split by
   * start (send) and check, in milliseconds; clears the record.
   */
  twilioTimings: {
    args: Record<string, never>;
    reply: Array<[phone: string, startMs: number, checkMs: number]>;
  };
  /** Closes the app. */
  stop: { args: Record<string, never>; reply: null };
}

export type CommandName = keyof CommandMap;

export interface CommandMessage<N extends CommandName = CommandName> {
  id: number;
  command: N;
  args: CommandMap[N]['args'];
}

export type ReplyMessage =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Sent once by the app when it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
}
