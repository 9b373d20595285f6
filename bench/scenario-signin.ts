import type { BenchEnv } from './env.js';
import { PASSWORDLESS, type Percentiles, runSignIns, type SignInRun } from './flows.js';
import { probe } from './load.js';
import type { DatabaseKind } from './protocol.js';
import { median } from './stats.js';

/** Field-wise medians of several runs of the same kind. */
export function medianRun(runs: SignInRun[]): SignInRun {
  const pct = (pick: (run: SignInRun) => Percentiles): Percentiles => ({
    p50: median(runs.map((r) => pick(r).p50)),
    p99: median(runs.map((r) => pick(r).p99)),
  });
  return {
    signIns: runs.reduce((sum, r) => sum + r.signIns, 0),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    newMembers: runs.reduce((sum, r) => sum + r.newMembers, 0),
    perSecond: median(runs.map((r) => r.perSecond)),
    total: pct((r) => r.total),
    send: pct((r) => r.send),
    login: pct((r) => r.login),
    twilio: pct((r) => r.twilio),
    own: pct((r) => r.own),
    ownSend: pct((r) => r.ownSend),
    ownLogin: pct((r) => r.ownLogin),
  };
}

/** Scenario 2 on one database. */
export interface SignInResult {
  database: DatabaseKind;
  /** One visitor at a time: latency without queueing. */
  serialNew: SignInRun;
  serialReturning: SignInRun;
  /** `connections` visitors at once: throughput. */
  concurrentNew: SignInRun;
  concurrentReturning: SignInRun;
  connections: number;
  /** A GET of the open route, one at a time: the floor of one request through HTTP and Nest. */
  bareRequest: Percentiles;
}

/**
 * Scenario 2: passwordless sign-in (send + login) per visitor against the emulator, alternating
 * first sign-ins (the member is created) and returning members, one visitor and many.
 */
export async function passwordlessSignIn(env: BenchEnv, kind: DatabaseKind): Promise<SignInResult> {
  const { settings } = env;
  const app = await env.startApp('express', await env.newDatabase(kind));
  try {
    const seeded = await app.command('seedSessions', { count: 10 });
    const c = settings.signInConnections;
    // Warm-up: the first sign-ins compile the code paths.
    await runSignIns(env, app, PASSWORDLESS, env.signInPhones.take(settings.quick ? 20 : 200), 1);
    await runSignIns(env, app, PASSWORDLESS, env.signInPhones.take(2 * c), c);
    const runs = {
      serialNew: [],
      serialReturning: [],
      concurrentNew: [],
      concurrentReturning: [],
    } as Record<
      'serialNew' | 'serialReturning' | 'concurrentNew' | 'concurrentReturning',
      SignInRun[]
    >;
    for (let round = 0; round < settings.signInRounds; round += 1) {
      const serial = env.signInPhones.take(settings.signInsSerial);
      runs.serialNew.push(await runSignIns(env, app, PASSWORDLESS, serial, 1));
      runs.serialReturning.push(await runSignIns(env, app, PASSWORDLESS, serial, 1));
      const many = env.signInPhones.take(settings.signInsConcurrent);
      runs.concurrentNew.push(await runSignIns(env, app, PASSWORDLESS, many, c));
      runs.concurrentReturning.push(await runSignIns(env, app, PASSWORDLESS, many, c));
      env.log(
        `  sign-in/${kind} round ${round + 1}: serial ${runs.serialNew[round].total.p50.toFixed(2)} ms ` +
          `(own ${runs.serialNew[round].own.p50.toFixed(2)} ms), ` +
          `${c} visitors ${Math.round(runs.concurrentNew[round].perSecond)}/s`,
      );
    }
    const bare = await probe(
      app.url,
      '/bench/bare',
      seeded.map((s) => s.token),
      2,
      settings.quick ? 500 : 2_000,
    );
    return {
      database: kind,
      serialNew: medianRun(runs.serialNew),
      serialReturning: medianRun(runs.serialReturning),
      concurrentNew: medianRun(runs.concurrentNew),
      concurrentReturning: medianRun(runs.concurrentReturning),
      connections: c,
      bareRequest: { p50: bare.p50, p99: bare.p99 },
    };
  } finally {
    await env.stopApp(app);
  }
}
