/**
 * `RedisRateLimitStorage` counts on the Redis server's clock (`TIME`, in its script), never on
 * the app's: instances whose clocks disagree fill and free the same windows. Two storages on two
 * clients of one Redis stand for two instances; each one's local clock is skewed by faking
 * `Date` (only `Date`: timers and the network stay real) around its calls, so a storage that read
 * the local time would count in the wrong place and these tests would fail.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisRateLimitStorage, type RateVerdict, type RateWindow } from 'nestjs-otp';
import { TestRedis } from '../support/redis.js';

const HOUR = 3_600_000;

/** Runs `call` with the local clock (`Date`) moved by `skewMs`, then puts the clock back. */
async function withLocalClock<T>(skewMs: number, call: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: Date.now() + skewMs,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    expect(
      Math.abs(Date.now() - (performance.timeOrigin + performance.now()) - skewMs),
    ).toBeLessThan(1_000);
    return await call();
  } finally {
    jest.useRealTimers();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function refused(verdict: RateVerdict): { retryAfterMs: number; key: string } {
  expect(verdict.allowed).toBe(false);
  if (verdict.allowed) throw new Error('allowed');
  return { retryAfterMs: verdict.retryAfterMs, key: verdict.key };
}

describe('Redis rate-limit storages on instances whose clocks disagree', () => {
  const redis = new TestRedis();
  const clients: Redis[] = [];
  let a: RedisRateLimitStorage;
  let b: RedisRateLimitStorage;

  beforeAll(async () => {
    await redis.start();
    clients.push(redis.client(), redis.client());
    a = new RedisRateLimitStorage(clients[0]);
    b = new RedisRateLimitStorage(clients[1]);
  }, 300_000);
  afterEach(() => jest.useRealTimers());
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await redis.stop();
  });

  const window = (limit: number, windowMs: number): RateWindow => ({
    key: `sendsPerPhone:${randomUUID()}`,
    limit,
    windowMs,
  });

  it('refuses on B a window filled on A an hour ahead, and both give the same Retry-After', async () => {
    const sends = window(2, 60_000);
    // A's clock runs an hour ahead: its attempts still land at the server's "now".
    for (let i = 0; i < 2; i += 1) {
      expect(await withLocalClock(HOUR, () => a.hit([sends]))).toMatchObject({ allowed: true });
    }

    // B's clock is right: the window is full, for all of its 60 s.
    const onB = refused(await b.hit([sends]));
    expect(onB.key).toBe(sends.key);
    expect(onB.retryAfterMs).toBeGreaterThan(55_000);
    expect(onB.retryAfterMs).toBeLessThanOrEqual(60_000);

    // A, an hour ahead, and B an hour behind, answer as B did.
    const onA = refused(await withLocalClock(HOUR, () => a.hit([sends])));
    const behind = refused(await withLocalClock(-HOUR, () => b.hit([sends])));
    expect(onA.key).toBe(sends.key);
    expect(Math.abs(onA.retryAfterMs - onB.retryAfterMs)).toBeLessThan(1_000);
    expect(Math.abs(behind.retryAfterMs - onB.retryAfterMs)).toBeLessThan(1_000);
  });

  it('frees a window as the server’s time passes, whatever the local clocks say', async () => {
    const checks = window(1, 800);
    expect(await withLocalClock(-HOUR, () => a.hit([checks]))).toMatchObject({ allowed: true });

    // A clock an hour ahead does not see the window as over.
    const ahead = refused(await withLocalClock(HOUR, () => b.hit([checks])));
    expect(ahead.retryAfterMs).toBeGreaterThan(0);
    expect(ahead.retryAfterMs).toBeLessThanOrEqual(800);

    // Once the server's clock has passed the window, it is free, even for a clock an hour behind.
    await sleep(ahead.retryAfterMs + 100);
    expect(await withLocalClock(-HOUR, () => b.hit([checks]))).toMatchObject({ allowed: true });
    // That attempt filled it again, for A too.
    const again = refused(await withLocalClock(HOUR, () => a.hit([checks])));
    expect(again.retryAfterMs).toBeGreaterThan(400);
  });
});
