import { performance } from 'node:perf_hooks';
import type { BenchAppProcess } from './app-process.js';
import type { BenchEnv } from './env.js';
import { bearerRotation, call, cannon, summarise } from './load.js';
import { cpuWindow } from './machine.js';
import type { DatabaseKind, HttpAdapterKind, SeededSession } from './protocol.js';
import { median } from './stats.js';

export type GuardRoute = 'bare' | 'noop' | 'guarded' | 'jwt';
export const GUARD_ROUTES: GuardRoute[] = ['bare', 'noop', 'guarded', 'jwt'];

/** Medians over the rounds of one route. */
export interface RouteStats {
  rps: number;
  p50: number;
  p99: number;
  /** Cores the app used during the run. */
  appCpu: number;
  /**
   * Cores used meanwhile by everything but the app and the load generator (the database server,
   * the kernel, other people's processes).
   */
  otherCpu: number;
  /** Every round's requests per second. */
  runs: number[];
}

/** Scenario 1 (and 6) on one HTTP adapter and one database. */
export interface GuardResult {
  adapter: HttpAdapterKind;
  database: DatabaseKind;
  routes: Record<GuardRoute, RouteStats>;
  /**
   * Medians of each round's ratio (no-op / bare, guarded / bare, jwt / bare), and every round's.
   * The no-op guard lets every request through: it shows what Nest's guard step costs by itself.
   */
  noopToBare: number;
  guardedToBare: number;
  jwtToBare: number;
  guardedRatios: number[];
  jwtRatios: number[];
  /** Responses other than 200 (there should be none). */
  unexpected: number;
  revocation: RevocationCheck;
  /** Revocations of sessions that other requests are using meanwhile. */
  revocationInUse: InUseRevocations;
}

/** Sessions revoked while 4 connections keep using them. */
export interface InUseRevocations {
  trials: number;
  /** Trials where a request sent after the logout answered (200) still got in. */
  stillAccepted: number;
  /** The delay injected into session DELETEs, if any (`BENCH_SESSION_DELETE_DELAY_MS`). */
  deleteDelayMs: number;
}

/** A session revoked through the module's logout route while the load runs. */
export interface RevocationCheck {
  /** Statuses of: the session before, the logout, the first request after the logout. */
  before: number;
  logout: number;
  after: number;
  /** From sending the logout to the refusal, in milliseconds. */
  ms: number;
  refusedAtOnce: boolean;
}

function path(route: string): string {
  return `/bench/${route}`;
}

/** One run of one route. */
export interface RunStats {
  rps: number;
  p50: number;
  p99: number;
  appCpu: number;
  otherCpu: number;
  unexpected: number;
}

/**
 * Runs one route (`/bench/<route>`) under load for `seconds`, every request with the next of
 * the sessions (or JWTs), or as `setupRequest` makes it.
 */
export async function routeRun(
  env: BenchEnv,
  app: BenchAppProcess,
  route: string,
  tokens: string[],
  seconds: number,
  connections: number,
  during?: () => Promise<void>,
  setupRequest: ReturnType<typeof bearerRotation> = bearerRotation(tokens),
): Promise<RunStats> {
  await env.quiet();
  await app.command('cpuStart', {});
  const stop = cpuWindow();
  const [result] = await Promise.all([
    cannon({
      url: `${app.url}${path(route)}`,
      connections,
      duration: seconds,
      requests: [{ method: 'GET', setupRequest }],
    }),
    during?.(),
  ]);
  const cpu = stop();
  const { coreShare } = await app.command('cpuStop', {});
  const summary = summarise(result);
  return {
    rps: summary.rps,
    p50: summary.p50,
    p99: summary.p99,
    appCpu: coreShare,
    otherCpu: Math.max(0, cpu.machine - coreShare - cpu.runner),
    unexpected: summary.non2xx + summary.errors,
  };
}

/** Revokes `tokens[0]` through the logout route, swapping a spare session into the rotation. */
async function revokeOne(
  app: BenchAppProcess,
  tokens: string[],
  spare: string,
): Promise<RevocationCheck> {
  const victim = tokens[0];
  tokens[0] = spare;
  const before = await call(app.url, 'GET', '/bench/guarded', { token: victim });
  const start = performance.now();
  const logout = await call(app.url, 'POST', '/auth/logout', { token: victim });
  const after = await call(app.url, 'GET', '/bench/guarded', { token: victim });
  const ms = performance.now() - start;
  return {
    before: before.status,
    logout: logout.status,
    after: after.status,
    ms,
    refusedAtOnce: before.status === 200 && logout.status === 204 && after.status === 401,
  };
}

/**
 * Revokes sessions through the logout route while 4 other connections keep sending requests
 * with them, then checks that requests sent after the logout's answer are refused.
 */
async function revokeInUse(
  env: BenchEnv,
  app: BenchAppProcess,
  trials: number,
): Promise<InUseRevocations> {
  let stillAccepted = 0;
  await env.quiet();
  for (let trial = 0; trial < trials; trial += 1) {
    const [{ token }] = await app.command('seedSessions', { count: 1 });
    await call(app.url, 'GET', '/bench/guarded', { token });
    const inUse = cannon({
      url: `${app.url}/bench/guarded`,
      connections: 4,
      duration: 1,
      requests: [{ method: 'GET', setupRequest: bearerRotation([token]) }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300 + 400 * Math.random()));
    await call(app.url, 'POST', '/auth/logout', { token });
    const after: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      after.push((await call(app.url, 'GET', '/bench/guarded', { token })).status);
    }
    await inUse;
    if (after.includes(200)) stillAccepted += 1;
  }
  return {
    trials,
    stillAccepted,
    deleteDelayMs: Number(process.env.BENCH_SESSION_DELETE_DELAY_MS) || 0,
  };
}

/**
 * Scenario 1: the small JSON route open, behind a guard that does nothing, behind
 * `SessionGuard`, and behind passport-jwt.
 */
export async function guardOverhead(
  env: BenchEnv,
  adapter: HttpAdapterKind,
  kind: DatabaseKind,
): Promise<GuardResult> {
  const { settings } = env;
  const app = await env.startApp(adapter, await env.newDatabase(kind));
  try {
    const seeded: SeededSession[] = await app.command('seedSessions', {
      count: settings.sessions + 1,
    });
    const spare = seeded.pop()!.token;
    const tokens = seeded.map((s) => s.token);
    const jwts = seeded.map((s) => s.jwt);
    const tokensOf = (route: GuardRoute) => (route === 'jwt' ? jwts : tokens);

    for (const route of GUARD_ROUTES) {
      await routeRun(
        env,
        app,
        route,
        tokensOf(route),
        settings.guardWarmupSeconds,
        settings.connections,
      );
    }
    const runs: Record<GuardRoute, RunStats[]> = { bare: [], noop: [], guarded: [], jwt: [] };
    let unexpected = 0;
    let revocation: RevocationCheck | undefined;
    const revokeRound = Math.floor(settings.guardRounds / 2);
    for (let round = 0; round < settings.guardRounds; round += 1) {
      for (const route of GUARD_ROUTES) {
        const revokeNow = route === 'guarded' && round === revokeRound;
        const during = revokeNow
          ? async () => {
              await new Promise((resolve) =>
                setTimeout(resolve, (settings.guardSeconds * 1000) / 2),
              );
              revocation = await revokeOne(app, tokens, spare);
            }
          : undefined;
        const run = await routeRun(
          env,
          app,
          route,
          tokensOf(route),
          settings.guardSeconds,
          settings.connections,
          during,
        );
        unexpected += run.unexpected;
        runs[route].push(run);
      }
      env.log(
        `  ${adapter}/${kind} round ${round + 1}: ` +
          GUARD_ROUTES.map((r) => `${r} ${Math.round(runs[r][round].rps)}/s`).join(', '),
      );
    }
    const stats = (route: GuardRoute): RouteStats => ({
      rps: median(runs[route].map((r) => r.rps)),
      p50: median(runs[route].map((r) => r.p50)),
      p99: median(runs[route].map((r) => r.p99)),
      appCpu: median(runs[route].map((r) => r.appCpu)),
      otherCpu: median(runs[route].map((r) => r.otherCpu)),
      runs: runs[route].map((r) => r.rps),
    });
    const revocationInUse = await revokeInUse(env, app, settings.quick ? 2 : 5);
    const guardedRatios = runs.guarded.map((r, i) => r.rps / runs.bare[i].rps);
    const jwtRatios = runs.jwt.map((r, i) => r.rps / runs.bare[i].rps);
    return {
      adapter,
      database: kind,
      routes: {
        bare: stats('bare'),
        noop: stats('noop'),
        guarded: stats('guarded'),
        jwt: stats('jwt'),
      },
      noopToBare: median(runs.noop.map((r, i) => r.rps / runs.bare[i].rps)),
      guardedToBare: median(guardedRatios),
      jwtToBare: median(jwtRatios),
      guardedRatios,
      jwtRatios,
      unexpected,
      revocation: revocation!,
      revocationInUse,
    };
  } finally {
    await env.stopApp(app);
  }
}
