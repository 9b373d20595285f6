import type { BenchEnv } from './env.js';
import { PASSWORDLESS, runSignIns, type SignInRun } from './flows.js';
import type { DatabaseKind } from './protocol.js';
import { routeRun, type RunStats } from './scenario-guard.js';
import { medianRun } from './scenario-signin.js';
import { median } from './stats.js';

/** Medians at one table size. */
export interface GrowthPoint {
  /** Target size, and the rows the tables held when measured. */
  size: number;
  members: number;
  sessions: number;
  /** Time to add the rows up to this size. */
  seedS: number;
  bare: RunStats;
  /** The module's guard with its default cache (2 s), and with the cache off (a lookup per request). */
  guarded: RunStats;
  uncached: RunStats;
  guardedToBare: number;
  uncachedToBare: number;
  /** Passwordless first sign-ins, one visitor at a time. */
  signIn: SignInRun;
}

export interface GrowthResult {
  database: DatabaseKind;
  points: GrowthPoint[];
}

function medianStats(runs: RunStats[]): RunStats {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    appCpu: median(runs.map((r) => r.appCpu)),
    otherCpu: median(runs.map((r) => r.otherCpu)),
    unexpected: runs.reduce((sum, r) => sum + r.unexpected, 0),
  };
}

/**
 * Scenario 4: the guard (cached and uncached) and sign-in as the tables grow to each size, the
 * extra rows being members with a live session each.
 */
export async function growth(env: BenchEnv, kind: DatabaseKind): Promise<GrowthResult> {
  const { settings } = env;
  const database = await env.newDatabase(kind);
  const app = await env.startApp('express', database);
  // A second app on the same database, with the session cache off: every request is a lookup.
  const uncachedApp = await env.startApp('express', database, { cacheTtlMs: 0 });
  try {
    const tokens = (await app.command('seedSessions', { count: settings.sessions })).map(
      (s) => s.token,
    );
    // Warm-up.
    await routeRun(env, app, 'bare', tokens, settings.guardWarmupSeconds, settings.connections);
    await routeRun(env, app, 'guarded', tokens, settings.guardWarmupSeconds, settings.connections);
    await routeRun(
      env,
      uncachedApp,
      'guarded',
      tokens,
      settings.guardWarmupSeconds,
      settings.connections,
    );
    await runSignIns(env, app, PASSWORDLESS, env.signInPhones.take(settings.quick ? 20 : 200), 1);

    const points: GrowthPoint[] = [];
    for (const size of settings.growthSizes) {
      const grown = await app.command('grow', { total: size });
      env.log(
        `  growth/${kind}: ${grown.members} members, ${grown.sessions} sessions (+${(grown.ms / 1000).toFixed(1)} s)`,
      );
      const runs = {
        bare: [] as RunStats[],
        guarded: [] as RunStats[],
        uncached: [] as RunStats[],
      };
      const signIns: SignInRun[] = [];
      const ratios = { guarded: [] as number[], uncached: [] as number[] };
      for (let round = 0; round < settings.growthRounds; round += 1) {
        const s = settings.growthSeconds;
        const c = settings.connections;
        runs.bare.push(await routeRun(env, app, 'bare', tokens, s, c));
        runs.guarded.push(await routeRun(env, app, 'guarded', tokens, s, c));
        runs.uncached.push(await routeRun(env, uncachedApp, 'guarded', tokens, s, c));
        ratios.guarded.push(runs.guarded[round].rps / runs.bare[round].rps);
        ratios.uncached.push(runs.uncached[round].rps / runs.bare[round].rps);
        signIns.push(
          await runSignIns(
            env,
            app,
            PASSWORDLESS,
            env.signInPhones.take(settings.growthSignIns),
            1,
          ),
        );
      }
      const counts = await app.command('counts', {});
      points.push({
        size,
        members: counts.members,
        sessions: counts.sessions,
        seedS: grown.ms / 1000,
        bare: medianStats(runs.bare),
        guarded: medianStats(runs.guarded),
        uncached: medianStats(runs.uncached),
        guardedToBare: median(ratios.guarded),
        uncachedToBare: median(ratios.uncached),
        signIn: medianRun(signIns),
      });
      const point = points[points.length - 1];
      env.log(
        `  growth/${kind} ${size}: guarded ${Math.round(point.guarded.rps)}/s, uncached ` +
          `${Math.round(point.uncached.rps)}/s, sign-in ${point.signIn.total.p50.toFixed(2)} ms`,
      );
    }
    return { database: kind, points };
  } finally {
    await env.stopApp(uncachedApp);
    await env.stopApp(app);
  }
}
