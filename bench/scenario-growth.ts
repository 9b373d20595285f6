import type { BenchAppProcess } from './app-process.js';
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
  /**
   * Against the smallest size in the same round (medians of the rounds' ratios): guarded and
   * uncached throughput, and sign-in p50 latency. 1 is flat.
   */
  vsSmallest: { guarded: number; uncached: number; signInP50: number };
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

/** One database grown to one size, and its two apps. */
interface Site {
  size: number;
  app: BenchAppProcess;
  uncachedApp: BenchAppProcess;
  tokens: string[];
  seedS: number;
}

/**
 * Scenario 4: the guard (cached and uncached) and sign-in with tables of each size, the extra
 * rows being members with a live session each. Every size has its own database, grown first;
 * the rounds then go through the sizes in turn (in alternating order), so that the machine's
 * drift falls on every size alike, and each size is compared with the smallest within a round.
 */
export async function growth(env: BenchEnv, kind: DatabaseKind): Promise<GrowthResult> {
  const { settings } = env;
  const sites: Site[] = [];
  try {
    for (const size of settings.growthSizes) {
      const database = await env.newDatabase(kind);
      const app = await env.startApp('express', database);
      // A second app on the same database, with the session cache off: every request is a lookup.
      const uncachedApp = await env.startApp('express', database, { cacheTtlMs: 0 });
      const site: Site = { size, app, uncachedApp, tokens: [], seedS: 0 };
      sites.push(site);
      site.tokens = (await app.command('seedSessions', { count: settings.sessions })).map(
        (s) => s.token,
      );
      const grown = await app.command('grow', { total: size });
      site.seedS = grown.ms / 1000;
      env.log(
        `  growth/${kind}: ${grown.members} members, ${grown.sessions} sessions (+${site.seedS.toFixed(1)} s)`,
      );
      // Warm-up.
      const { guardWarmupSeconds: w, connections: c } = settings;
      await routeRun(env, app, 'bare', site.tokens, w, c);
      await routeRun(env, app, 'guarded', site.tokens, w, c);
      await routeRun(env, uncachedApp, 'guarded', site.tokens, w, c);
      await runSignIns(env, app, PASSWORDLESS, env.signInPhones.take(settings.quick ? 20 : 100), 1);
    }

    const runs = sites.map(() => ({
      bare: [] as RunStats[],
      guarded: [] as RunStats[],
      uncached: [] as RunStats[],
      signIns: [] as SignInRun[],
    }));
    for (let round = 0; round < settings.growthRounds; round += 1) {
      const order = sites.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const { app, uncachedApp, tokens } = sites[i];
        const s = settings.growthSeconds;
        const c = settings.connections;
        runs[i].bare.push(await routeRun(env, app, 'bare', tokens, s, c));
        runs[i].guarded.push(await routeRun(env, app, 'guarded', tokens, s, c));
        runs[i].uncached.push(await routeRun(env, uncachedApp, 'guarded', tokens, s, c));
        runs[i].signIns.push(
          await runSignIns(
            env,
            app,
            PASSWORDLESS,
            env.signInPhones.take(settings.growthSignIns),
            1,
          ),
        );
      }
      env.log(`  growth/${kind} round ${round + 1} done`);
    }

    const points: GrowthPoint[] = [];
    for (const [i, site] of sites.entries()) {
      const mine = runs[i];
      const smallest = runs[0];
      const perRound = (pick: (r: typeof mine, round: number) => number) =>
        median(mine.bare.map((_, round) => pick(mine, round) / pick(smallest, round)));
      const counts = await site.app.command('counts', {});
      points.push({
        size: site.size,
        members: counts.members,
        sessions: counts.sessions,
        seedS: site.seedS,
        bare: medianStats(mine.bare),
        guarded: medianStats(mine.guarded),
        uncached: medianStats(mine.uncached),
        guardedToBare: median(mine.guarded.map((r, round) => r.rps / mine.bare[round].rps)),
        uncachedToBare: median(mine.uncached.map((r, round) => r.rps / mine.bare[round].rps)),
        signIn: medianRun(mine.signIns),
        vsSmallest: {
          guarded: perRound((r, round) => r.guarded[round].rps),
          uncached: perRound((r, round) => r.uncached[round].rps),
          signInP50: perRound((r, round) => r.signIns[round].total.p50),
        },
      });
      const point = points[points.length - 1];
      env.log(
        `  growth/${kind} ${site.size}: guarded ${Math.round(point.guarded.rps)}/s, uncached ` +
          `${Math.round(point.uncached.rps)}/s, sign-in ${point.signIn.total.p50.toFixed(2)} ms`,
      );
    }
    return { database: kind, points };
  } finally {
    for (const site of sites) {
      await env.stopApp(site.uncachedApp);
      await env.stopApp(site.app);
    }
  }
}
