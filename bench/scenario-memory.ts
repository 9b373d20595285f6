import { randomBytes } from 'node:crypto';
import type { BenchEnv } from './env.js';
import { PASSWORDLESS, runSignIns } from './flows.js';
import { bearerRotation, cannon } from './load.js';

/** Memory of the app, in MiB, after a full garbage collection. */
export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface MemoryResult {
  requestsPerRound: number;
  idle: MemorySnapshot;
  rounds: MemorySnapshot[];
  /** Responses that were not the expected ones (200, or 401 for unknown tokens). */
  unexpected: number;
}

const MIB = 2 ** 20;

/**
 * Scenario 5: the app's memory idle, then after each of two rounds of `memoryRequests` requests:
 * 90% guarded GETs over the 1,000 sessions, 5% GETs with unknown tokens (refused), 5% sign-in
 * requests (send + login of new members).
 */
export async function memory(env: BenchEnv): Promise<MemoryResult> {
  const { settings } = env;
  const app = await env.startApp('express', await env.newDatabase('sqlite'));
  const snapshot = async (): Promise<MemorySnapshot> => {
    const usage = await app.command('memory', {});
    return { rss: usage.rss / MIB, heapUsed: usage.heapUsed / MIB, external: usage.external / MIB };
  };
  try {
    const tokens = (await app.command('seedSessions', { count: settings.sessions })).map(
      (s) => s.token,
    );
    const unknown = Array.from({ length: 1_000 }, () => randomBytes(32).toString('base64url'));
    const idle = await snapshot();
    const total = settings.memoryRequests;
    const rounds: MemorySnapshot[] = [];
    let unexpected = 0;
    for (let round = 0; round < (Number(process.env.BENCH_MEMORY_ROUNDS) || 3); round += 1) {
      await env.quiet();
      const url = `${app.url}/bench/guarded`;
      const [valid, refused, signIns] = await Promise.all([
        cannon({
          url,
          connections: 16,
          amount: total * 0.9,
          maxMs: 10 * 60_000,
          requests: [{ method: 'GET', setupRequest: bearerRotation(tokens) }],
        }),
        cannon({
          url,
          connections: 2,
          amount: total * 0.05,
          maxMs: 10 * 60_000,
          requests: [{ method: 'GET', setupRequest: bearerRotation(unknown) }],
        }),
        runSignIns(env, app, PASSWORDLESS, env.signInPhones.take(total / 40), 5, {
          waitForQuiet: false,
        }),
      ]);
      unexpected +=
        valid.non2xx + valid.errors + (refused['2xx'] + refused.errors) + signIns.failures;
      rounds.push(await snapshot());
      env.log(
        `  memory round ${round + 1}: rss ${rounds[round].rss.toFixed(1)} MiB, heap ` +
          `${rounds[round].heapUsed.toFixed(1)} MiB`,
      );
    }
    return { requestsPerRound: total, idle, rounds, unexpected };
  } finally {
    await env.stopApp(app);
  }
}
