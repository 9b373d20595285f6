import { hash, verify } from '@node-rs/argon2';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchEnv } from './env.js';
import { runSignIns, type SignInRun, type TwoFactorMember, twoFactorFlow } from './flows.js';
import { call, probe, type ProbeResult } from './load.js';
import { medianRun } from './scenario-signin.js';
import { median } from './stats.js';

/** The argon2id parameters of a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$…`. */
interface Argon2Params {
  algorithm: string;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

function parseParams(encoded: string): Argon2Params {
  const match = /^\$(argon2\w+)\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) throw new Error(`not an argon2 hash: ${encoded.slice(0, 20)}…`);
  return {
    algorithm: match[1],
    memoryCost: Number(match[2]),
    timeCost: Number(match[3]),
    parallelism: Number(match[4]),
  };
}

/** How many times `work` completes per second with `concurrency` of them running at once. */
async function rate(
  work: () => Promise<unknown>,
  concurrency: number,
  seconds: number,
): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await work();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Event-loop delay of the app, in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** Scenario 3. */
export interface TwoFactorResult {
  /** As stored by the module, e.g. `argon2id m=19456 t=2 p=1`. */
  params: string;
  hashesPerSecondOneCore: number;
  verifiesPerSecondOneCore: number;
  /** Verifies per second with as many at once as the machine has cores, and per core. */
  verifiesPerSecondAllCores: number;
  cores: number;
  signIns: SignInRun;
  connections: number;
  /** The guarded route, paced, alone and while two-factor sign-ins run. */
  probeAlone: ProbeResult;
  probeLoaded: ProbeResult;
  probeRate: number;
  loopAlone: LoopDelay;
  loopLoaded: LoopDelay;
}

const PASSWORD = 'Bench two-factor passphrase 7741';

/**
 * Scenario 3: two-factor sign-in (email + password, then the code: two argon2id verifications)
 * and the guarded route's latency meanwhile.
 */
export async function twoFactorSignIn(env: BenchEnv): Promise<TwoFactorResult> {
  const { settings } = env;
  const app = await env.startApp('express', await env.newDatabase('sqlite'));
  try {
    // One member signs up through the module, so the hash (and its parameters) is the module's.
    const phones = env.twoFactorPhones.take(settings.twoFactorMembers + 1);
    const first = phones.pop()!;
    const email = 'first@bench.example';
    const sent = await call(app.url, 'POST', '/auth/2fa/register/send', {
      body: { email, phoneNumber: first.national, countryCode: 'US', channel: 'sms' },
    });
    const registered = await call(app.url, 'POST', '/auth/2fa/register', {
      body: {
        email,
        phoneNumber: first.national,
        countryCode: 'US',
        password: PASSWORD,
        confirmationCode: env.world.codes.get(first.e164),
      },
    });
    const encoded = await app.command('passwordHash', { email });
    if (sent.status !== 200 || registered.status !== 201 || !encoded) {
      throw new Error(`two-factor sign-up failed (${sent.status}, ${registered.status})`);
    }
    const params = parseParams(encoded);

    env.log('  argon2id rates');
    const options = {
      memoryCost: params.memoryCost,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
    };
    const hashesPerSecondOneCore = await rate(
      () => hash(PASSWORD, options),
      1,
      settings.argonSeconds,
    );
    const verifiesPerSecondOneCore = await rate(
      () => verify(encoded, PASSWORD),
      1,
      settings.argonSeconds,
    );
    const cores = cpus().length;
    const verifiesPerSecondAllCores = await rate(
      () => verify(encoded, PASSWORD),
      cores,
      settings.argonSeconds,
    );

    const members: TwoFactorMember[] = phones.map((phone, i) => ({
      email: `member${i}@bench.example`,
      phone: phone.e164,
    }));
    await app.command('seedTwoFactor', { members, passwordHash: encoded });
    const tokens = (await app.command('seedSessions', { count: settings.sessions })).map(
      (s) => s.token,
    );
    const flow = twoFactorFlow(PASSWORD);
    const c = settings.twoFactorConnections;
    const seconds = settings.twoFactorSeconds;
    const probeFor = () =>
      probe(app.url, '/bench/guarded', tokens, settings.probeIntervalMs, seconds * 1000);
    const loopFor = async <T>(work: Promise<T>): Promise<[T, LoopDelay]> => {
      await app.command('loopDelayStart', {});
      const value = await work;
      return [value, await app.command('loopDelayStop', {})];
    };

    // Warm-up.
    await Promise.all([
      probeFor(),
      runSignIns(env, app, flow, members, c, { durationS: 1, waitForQuiet: false }),
    ]);
    const alone: Array<[ProbeResult, LoopDelay]> = [];
    const loaded: Array<[ProbeResult, LoopDelay, SignInRun]> = [];
    for (let round = 0; round < settings.twoFactorRounds; round += 1) {
      await env.quiet();
      alone.push(await loopFor(probeFor()));
      const [[probed, run], delay] = await loopFor(
        Promise.all([
          probeFor(),
          runSignIns(env, app, flow, members, c, { durationS: seconds, waitForQuiet: false }),
        ]),
      );
      loaded.push([probed, delay, run]);
      env.log(
        `  two-factor round ${round + 1}: ${Math.round(run.perSecond)} sign-ins/s; guarded p99 ` +
          `${alone[round][0].p99.toFixed(1)} ms alone, ${probed.p99.toFixed(1)} ms meanwhile`,
      );
    }
    const medianProbe = (results: ProbeResult[]): ProbeResult => ({
      count: results.reduce((sum, r) => sum + r.count, 0),
      failures: results.reduce((sum, r) => sum + r.failures, 0),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      max: Math.max(...results.map((r) => r.max)),
    });
    const medianLoop = (results: LoopDelay[]): LoopDelay => ({
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      max: Math.max(...results.map((r) => r.max)),
    });
    return {
      params: `${params.algorithm} m=${params.memoryCost} t=${params.timeCost} p=${params.parallelism}`,
      hashesPerSecondOneCore,
      verifiesPerSecondOneCore,
      verifiesPerSecondAllCores,
      cores,
      signIns: medianRun(loaded.map(([, , run]) => run)),
      connections: c,
      probeAlone: medianProbe(alone.map(([p]) => p)),
      probeLoaded: medianProbe(loaded.map(([p]) => p)),
      probeRate: 1000 / settings.probeIntervalMs,
      loopAlone: medianLoop(alone.map(([, d]) => d)),
      loopLoaded: medianLoop(loaded.map(([, d]) => d)),
    };
  } finally {
    await env.stopApp(app);
  }
}
