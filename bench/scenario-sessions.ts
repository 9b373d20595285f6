import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { BenchAppProcess } from './app-process.js';
import type { BenchEnv } from './env.js';
import { bearerRotation, call, cannon, cookieRotation, slicedCannon, summarise } from './load.js';
import type { DatabaseKind, HttpAdapterKind } from './protocol.js';
import { routeRun, type RouteStats, type RunStats } from './scenario-guard.js';
import { median, percentile } from './stats.js';

/** Distinct sessions the load spreads over. */
export const SESSIONS = 10_000;

export const SESSIONS_ROUTES = [
  'bare',
  'noop',
  'guarded',
  'betterauth',
  'betterauth-cached',
] as const;
export type SessionsRoute = (typeof SESSIONS_ROUTES)[number];

/**
 * The steps from the no-op guard to `SessionGuard`, time-sliced in runs of their own: the no-op
 * guard reading the bearer header, then also answering synchronously with the two properties
 * `SessionGuard` sets, then the floor of any session check (the member found by the raw token in
 * a prebuilt `Map`), then `SessionGuard` with `@Req()` instead of `@CurrentMember()`.
 */
export const BREAKDOWN_ROUTES = [
  'noop',
  'noop-header',
  'noop-shape',
  'floor',
  'guarded-req',
  'guarded',
] as const;
export type BreakdownRoute = (typeof BREAKDOWN_ROUTES)[number];

/** Requests per second of each step (medians of runs), and each step ÷ the no-op guard per run. */
export interface BreakdownStats {
  rounds: number;
  rps: Record<BreakdownRoute, number>;
  toNoop: Record<BreakdownRoute, number>;
  toNoopRatios: Record<BreakdownRoute, number[]>;
  unexpected: number;
}

/** Memory of the app after a round (after a full GC), in MiB. */
export interface MemoryPoint {
  rss: number;
  heapUsed: number;
}

/** The guard with 10,000 sessions and a live revocation channel, beside better-auth. */
export interface SessionsResult {
  adapter: HttpAdapterKind;
  database: DatabaseKind;
  /** The revocation channel the module used. */
  channel: string;
  sessions: number;
  routes: Record<SessionsRoute, RouteStats>;
  /** Medians of each round's ratio, and every round's. */
  guardedToNoop: number;
  guardedToBare: number;
  noopToBare: number;
  /** How many times better-auth's check (cookie cache off, on) the guard's throughput is. */
  guardedToBetterAuth: number;
  guardedToBetterAuthCached: number;
  guardedToNoopRatios: number[];
  guardedToBareRatios: number[];
  /**
   * The app's CPU time per request, in microseconds (medians), and the same ratios from it:
   * `noop µs ÷ guarded µs` is the throughput ratio the guard would have if the app had a core
   * to itself. It moves far less with other processes' load than requests per second do.
   */
  cpuUs: Record<SessionsRoute, number>;
  cpuGuardedToNoop: number;
  cpuGuardedToBare: number;
  cpuGuardedToBetterAuth: number;
  cpuGuardedToBetterAuthCached: number;
  /**
   * The guards called directly, no HTTP (nanoseconds per call, medians of alternating rounds),
   * and what the guard adds over the no-op guard as a share of the bare route's CPU per request.
   */
  direct: { guardNs: number; noopNs: number; betterAuthNs: number; betterAuthCachedNs: number };
  directGuardedToNoop: number;
  /** Responses other than 200 (there should be none). */
  unexpected: number;
  /** After every round. */
  memory: MemoryPoint[];
  /** The same routes in time-sliced runs (every route in each run; see `slicedCannon`). */
  sliced: SlicedStats;
  /** Where the guard's time over the no-op guard goes, time-sliced. */
  breakdown: BreakdownStats;
}

/** Requests per second of each route in time-sliced runs (medians), and the ratios per run. */
export interface SlicedStats {
  rounds: number;
  seconds: number;
  sliceMs: number;
  rps: Record<SessionsRoute, number>;
  guardedToNoop: number;
  guardedToBare: number;
  guardedToBetterAuth: number;
  guardedToBetterAuthCached: number;
  guardedToNoopRatios: number[];
  guardedToBareRatios: number[];
  unexpected: number;
}

/** Sessions revoked on one instance while another is under load. */
export interface CrossInstanceRevocation {
  database: DatabaseKind;
  trials: number;
  /** From sending the logout to A to the first refusal by B, in milliseconds. */
  ms: number[];
  p50: number;
  p99: number;
  max: number;
  /** Of that: the logout's own round trip on A (p50, p99), and B's event-loop delay (p99). */
  logoutP50: number;
  logoutP99: number;
  /** From A's answer to the logout to B's first refusal (p50, p99). */
  afterAnswerP50: number;
  afterAnswerP99: number;
  bLoopDelayP99: number;
  /** Requests B accepted with a revoked token after it first refused it (must be 0). */
  acceptedAfter: number;
  /** Requests of the load on B meanwhile, per second, and its unexpected answers. */
  loadRps: number;
  loadUnexpected: number;
}

const MIB = 1024 * 1024;

function statsOf(runs: RunStats[]): RouteStats {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    appCpu: median(runs.map((r) => r.appCpu)),
    otherCpu: median(runs.map((r) => r.otherCpu)),
    runs: runs.map((r) => r.rps),
  };
}

/** Where the module's sessions live in this scenario, and so which channel it uses. */
function sessionsDatabase(env: BenchEnv): DatabaseKind {
  return env.postgresUrl ? 'postgres' : 'sqlite';
}

/**
 * `SessionGuard` with 10,000 distinct sessions and a live revocation channel (LISTEN/NOTIFY on
 * PostgreSQL; on SQLite `'single-process'`), against a guard that does nothing and the bare
 * route, beside better-auth's session check (cookie cache off and on) in the same app:
 * alternating rounds, medians, and the app's memory after every round.
 */
export async function sessionsAtScale(
  env: BenchEnv,
  adapter: HttpAdapterKind,
): Promise<SessionsResult> {
  const { settings } = env;
  const kind = sessionsDatabase(env);
  const app = await env.startApp(adapter, await env.newDatabase(kind), {
    revocation: kind === 'postgres' ? 'auto' : 'single-process',
    betterAuthFile: env.file(`better-auth-${adapter}.sqlite`),
  });
  try {
    const seeded = await app.command('seedSessions', { count: SESSIONS });
    const tokens = seeded.map((s) => s.token);
    env.log(`  ${adapter}: seeding ${SESSIONS} better-auth sessions`);
    const peer = await app.command('seedBetterAuth', { count: SESSIONS });
    const load = (route: string) =>
      route === 'betterauth'
        ? cookieRotation(peer.plain)
        : route === 'betterauth-cached'
          ? cookieRotation(peer.cached)
          : bearerRotation(tokens);
    const run = (route: SessionsRoute, seconds: number) =>
      routeRun(env, app, route, [], seconds, settings.connections, undefined, load(route));

    // The steady state: every session used once, so in the cache (as better-auth's cookie cache
    // was filled by its seeding).
    await warm(app, tokens);
    for (const route of SESSIONS_ROUTES) await run(route, settings.guardWarmupSeconds);
    const runs = Object.fromEntries(SESSIONS_ROUTES.map((r) => [r, [] as RunStats[]])) as Record<
      SessionsRoute,
      RunStats[]
    >;
    const memory: MemoryPoint[] = [];
    let unexpected = 0;
    for (let round = 0; round < settings.sessionsRounds; round += 1) {
      // Each round starts with the next route, so that no route always follows the same one.
      const order = SESSIONS_ROUTES.map(
        (_, i) => SESSIONS_ROUTES[(i + round) % SESSIONS_ROUTES.length],
      );
      for (const route of order) {
        const result = await run(route, settings.sessionsSeconds);
        unexpected += result.unexpected;
        runs[route].push(result);
      }
      const usage = await app.command('memory', {});
      memory.push({ rss: usage.rss / MIB, heapUsed: usage.heapUsed / MIB });
      env.log(
        `  sessions ${adapter}/${kind} round ${round + 1}: ` +
          SESSIONS_ROUTES.map((r) => `${r} ${Math.round(runs[r][round].rps)}/s`).join(', ') +
          `; heap ${memory[round].heapUsed.toFixed(1)} MiB`,
      );
    }
    const sliced = await slicedRounds(env, app, load);
    const breakdown = await breakdownRounds(env, app, load);
    const direct = await app.command('guardCost', {
      tokens,
      cookies: peer.plain,
      cachedCookies: peer.cached,
      rounds: settings.quick ? 3 : 11,
      iterations: settings.quick ? 20_000 : 100_000,
    });
    const ratio = (a: SessionsRoute, b: SessionsRoute) =>
      runs[a].map((r, i) => r.rps / runs[b][i].rps);
    const cpu = (r: RunStats) => (r.appCpu / r.rps) * 1e6;
    const cpuRatio = (a: SessionsRoute, b: SessionsRoute) =>
      median(runs[a].map((r, i) => cpu(runs[b][i]) / cpu(r)));
    return {
      adapter,
      database: kind,
      channel: kind === 'postgres' ? 'PostgreSQL LISTEN/NOTIFY' : 'single-process',
      sessions: SESSIONS,
      routes: Object.fromEntries(SESSIONS_ROUTES.map((r) => [r, statsOf(runs[r])])) as Record<
        SessionsRoute,
        RouteStats
      >,
      ...guardRatios(ratio),
      noopToBare: median(ratio('noop', 'bare')),
      cpuUs: Object.fromEntries(
        SESSIONS_ROUTES.map((r) => [r, median(runs[r].map(cpu))]),
      ) as Record<SessionsRoute, number>,
      direct: {
        guardNs: median(direct.guard),
        noopNs: median(direct.noop),
        betterAuthNs: median(direct.betterAuth),
        betterAuthCachedNs: median(direct.betterAuthCached),
      },
      // A request through the no-op guard, and through SessionGuard instead: the bare route's
      // CPU per request plus each guard's own time.
      directGuardedToNoop:
        (median(runs.bare.map(cpu)) * 1000 + median(direct.noop)) /
        (median(runs.bare.map(cpu)) * 1000 + median(direct.guard)),
      cpuGuardedToNoop: cpuRatio('guarded', 'noop'),
      cpuGuardedToBare: cpuRatio('guarded', 'bare'),
      cpuGuardedToBetterAuth: cpuRatio('guarded', 'betterauth'),
      cpuGuardedToBetterAuthCached: cpuRatio('guarded', 'betterauth-cached'),
      unexpected,
      memory,
      sliced,
      breakdown,
    };
  } finally {
    await env.stopApp(app);
  }
}

/** The guard's ratios to the other routes (medians), and to the no-op guard and bare route per run. */
function guardRatios(ratio: (a: SessionsRoute, b: SessionsRoute) => number[]) {
  return {
    guardedToNoop: median(ratio('guarded', 'noop')),
    guardedToBare: median(ratio('guarded', 'bare')),
    guardedToBetterAuth: median(ratio('guarded', 'betterauth')),
    guardedToBetterAuthCached: median(ratio('guarded', 'betterauth-cached')),
    guardedToNoopRatios: ratio('guarded', 'noop'),
    guardedToBareRatios: ratio('guarded', 'bare'),
  };
}

type Load = (route: string) => (request: autocannon.Request) => autocannon.Request;

/**
 * Every route in each run, switching every `slicedSliceMs`: the machine's swings in speed, which
 * last far longer than a slice, fall on every route alike. Ratios are taken within a run.
 */
async function slicedRuns<R extends string>(
  env: BenchEnv,
  app: BenchAppProcess,
  load: Load,
  routes: readonly R[],
  label: string,
): Promise<{ runs: Array<Record<R, number>>; unexpected: number }> {
  const { settings } = env;
  const runs: Array<Record<R, number>> = [];
  let unexpected = 0;
  for (let round = 0; round < settings.slicedRounds; round += 1) {
    await env.quiet();
    const result = await slicedCannon(
      app.url,
      routes.map((route) => ({ path: `/bench/${route}`, setupRequest: load(route) })),
      {
        seconds: settings.slicedSeconds,
        connections: settings.connections,
        sliceMs: settings.slicedSliceMs,
        offset: round,
      },
    );
    unexpected += result.unexpected;
    const rps = Object.fromEntries(routes.map((r, i) => [r, result.rps[i]])) as Record<R, number>;
    runs.push(rps);
    env.log(
      `  ${label} round ${round + 1}: ` +
        routes.map((r) => `${r} ${Math.round(rps[r])}/s`).join(', '),
    );
  }
  return { runs, unexpected };
}

const mediansOf = <R extends string>(routes: readonly R[], runs: Array<Record<R, number>>) =>
  Object.fromEntries(routes.map((r) => [r, median(runs.map((run) => run[r]))])) as Record<
    R,
    number
  >;

async function slicedRounds(env: BenchEnv, app: BenchAppProcess, load: Load): Promise<SlicedStats> {
  const { settings } = env;
  const { runs, unexpected } = await slicedRuns(env, app, load, SESSIONS_ROUTES, 'sliced');
  const ratio = (a: SessionsRoute, b: SessionsRoute) => runs.map((r) => r[a] / r[b]);
  return {
    rounds: settings.slicedRounds,
    seconds: settings.slicedSeconds,
    sliceMs: settings.slicedSliceMs,
    rps: mediansOf(SESSIONS_ROUTES, runs),
    ...guardRatios(ratio),
    unexpected,
  };
}

async function breakdownRounds(
  env: BenchEnv,
  app: BenchAppProcess,
  load: Load,
): Promise<BreakdownStats> {
  const { runs, unexpected } = await slicedRuns(env, app, load, BREAKDOWN_ROUTES, 'breakdown');
  const toNoopRatios = Object.fromEntries(
    BREAKDOWN_ROUTES.map((r) => [r, runs.map((run) => run[r] / run.noop)]),
  ) as Record<BreakdownRoute, number[]>;
  return {
    rounds: runs.length,
    rps: mediansOf(BREAKDOWN_ROUTES, runs),
    toNoop: Object.fromEntries(BREAKDOWN_ROUTES.map((r) => [r, median(toNoopRatios[r])])) as Record<
      BreakdownRoute,
      number
    >,
    toNoopRatios,
    unexpected,
  };
}

/**
 * Two instances on one PostgreSQL database: B under load (10,000 sessions, the guard's route),
 * while sessions that B has cached are logged out through A, one after another. Measures from
 * sending each logout to B's first refusal of that token, then keeps asking B with it for
 * 200 ms: every request sent after the first refusal must be refused too.
 */
export async function crossInstanceRevocation(env: BenchEnv): Promise<CrossInstanceRevocation> {
  const { settings } = env;
  const database = await env.newDatabase('postgres');
  const a = await env.startApp('express', database, { revocation: 'auto' });
  const b = await env.startApp('express', database, { revocation: 'auto' });
  try {
    const trials = settings.quick ? 5 : 40;
    const tokens = (await a.command('seedSessions', { count: SESSIONS })).map((s) => s.token);
    const victims = (await a.command('seedSessions', { count: trials })).map((s) => s.token);
    await warm(b, tokens);
    for (const token of victims) await expectStatus(b, token, 200);
    const ms: number[] = [];
    const logouts: number[] = [];
    let acceptedAfter = 0;
    await env.quiet();
    const duration = Math.ceil(trials * 0.35) + 4;
    const loadDone = cannon({
      url: `${b.url}/bench/guarded`,
      connections: settings.connections,
      duration,
      requests: [{ method: 'GET', setupRequest: bearerRotation(tokens) }],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await b.command('loopDelayStart', {});
    for (const token of victims) {
      const start = performance.now();
      const logout = await call(a.url, 'POST', '/auth/logout', { token });
      if (logout.status !== 204) throw new Error(`logout answered ${logout.status}`);
      logouts.push(performance.now() - start);
      let seen = NaN;
      while (Number.isNaN(seen)) {
        if ((await call(b.url, 'GET', '/bench/guarded', { token })).status === 401) {
          seen = performance.now() - start;
        } else if (performance.now() - start > 10_000) {
          throw new Error('B still accepts a session revoked 10 s ago');
        }
      }
      ms.push(seen);
      const until = performance.now() + 200;
      while (performance.now() < until) {
        if ((await call(b.url, 'GET', '/bench/guarded', { token })).status !== 401) {
          acceptedAfter += 1;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const loop = await b.command('loopDelayStop', {});
    const load = summarise(await loadDone);
    return {
      database: 'postgres',
      trials,
      ms,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      max: Math.max(...ms),
      afterAnswerP50: percentile(
        ms.map((m, i) => m - logouts[i]),
        50,
      ),
      afterAnswerP99: percentile(
        ms.map((m, i) => m - logouts[i]),
        99,
      ),
      logoutP50: percentile(logouts, 50),
      logoutP99: percentile(logouts, 99),
      bLoopDelayP99: loop.p99,
      acceptedAfter,
      loadRps: load.rps,
      loadUnexpected: load.non2xx + load.errors,
    };
  } finally {
    await env.stopApp(a);
    await env.stopApp(b);
  }
}

/** One request per session, so that `app` has them all cached. */
async function warm(app: BenchAppProcess, tokens: string[]): Promise<void> {
  await cannon({
    url: `${app.url}/bench/guarded`,
    connections: 8,
    amount: tokens.length,
    requests: [{ method: 'GET', setupRequest: bearerRotation(tokens) }],
  });
}

async function expectStatus(app: BenchAppProcess, token: string, status: number): Promise<void> {
  const answer = await call(app.url, 'GET', '/bench/guarded', { token });
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}`);
}
