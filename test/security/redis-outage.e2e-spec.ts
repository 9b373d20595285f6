/**
 * A Redis outage with the limits on Redis (`RedisRateLimitStorage`). The app reaches a real
 * redis-server through a TCP proxy that the tests cut, as a network failure would: ioredis then
 * queues commands until it reconnects, which used to hold every send and check until Redis was
 * back. Now the wait is bounded (`commandTimeoutMs`), and then sends and checks are refused with
 * 503 `SERVICE_UNAVAILABLE` (the default: an outage must not open the door to SMS pumping) or,
 * with `whenUnavailable: 'memory'`, counted in the instance's memory until Redis answers again.
 */
import { performance } from 'node:perf_hooks';
import { Redis, type RedisOptions } from 'ioredis';
import {
  OtpErrorCode,
  OtpException,
  RedisRateLimitStorage,
  type RateLimitStorage,
  type RateWindow,
  type RedisUnavailablePolicy,
} from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer, signInByPhone } from '../support/flows.js';
import { TestRedis } from '../support/redis.js';
import { logged, until } from '../support/revocation.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** What an answer during the outage may take at most: the 1 s timeout and a loaded machine's slack. */
const BOUND_MS = 3_000;
const DOWN = 'Rate-limit storage Redis is unreachable';
const BACK = 'Rate-limit storage Redis answers again';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const us = (n: string) => ({ countryCode: 'US', phoneNumber: `(201) 555-${n}` });
const e164 = (n: string) => `+12015550${n.slice(1)}`;

/** Sends a code over HTTP, timed. */
async function send(t: TestApp, n: string) {
  const start = performance.now();
  const res = await t.http
    .post('/auth/otp/send')
    .send({ channel: 'sms', ...us(n) })
    .timeout(30_000);
  return { res, ms: performance.now() - start };
}

/** Asserts the contract's 503 body and its `Retry-After`. */
function expectUnavailable(res: { status: number; body: unknown; headers: object }): void {
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    statusCode: 503,
    error: 'Service Unavailable',
    code: 'SERVICE_UNAVAILABLE',
    message: expect.any(String),
    results: false,
  });
  const retryAfter = Number((res.headers as Record<string, string>)['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
}

/** Requests the emulator received that start or check a verification. */
const verifyCalls = (emulator: TwilioVerifyEmulator) =>
  emulator.requests().filter((r) => /Verification/.test(r.path)).length;

describe('Rate limits on Redis through a Redis outage', () => {
  const redis = new TestRedis();
  let emulator: TwilioVerifyEmulator;
  let direct: Redis;

  beforeAll(async () => {
    await redis.start();
    emulator = await new TwilioVerifyEmulator().start();
    direct = redis.client();
  }, 300_000);

  afterAll(async () => {
    direct?.disconnect();
    await emulator?.stop();
    await redis.stop();
  });

  /** An app whose limits live on Redis, reached through a proxy that the test cuts. */
  async function appBehindProxy(
    storageFor: (client: Redis) => RateLimitStorage,
  ): Promise<{ t: TestApp; proxy: TcpProxy; client: Redis }> {
    const server = new URL(redis.url);
    const proxy = await new TcpProxy(server.hostname, Number(server.port)).start();
    const client = new Redis(`redis://127.0.0.1:${proxy.port}`);
    const t = await createTestApp({
      emulator,
      otp: { rateLimit: { storage: storageFor(client) } },
    });
    return { t, proxy, client };
  }

  describe('by default: refused with 503, nothing sent', () => {
    let t: TestApp;
    let proxy: TcpProxy;
    let client: Redis;

    // An app of its own for each test: each meets an outage of its own.
    beforeEach(async () => {
      ({ t, proxy, client } = await appBehindProxy((c) => new RedisRateLimitStorage(c)));
    }, 60_000);

    afterEach(async () => {
      await t?.close();
      client?.disconnect();
      await proxy?.stop();
    });

    it('answers a send and a check with 503 SERVICE_UNAVAILABLE and Retry-After within the bound; guarded routes still answer', async () => {
      const { sessionToken } = await signInByPhone(t, '(201) 555-0401', '+12015550401');
      const calls = verifyCalls(emulator);

      await proxy.cut();

      const sent = await send(t, '0402');
      expectUnavailable(sent.res);
      expect(sent.ms).toBeLessThan(BOUND_MS);

      const start = performance.now();
      const checked = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: '123456', ...us('0402') })
        .timeout(30_000);
      expectUnavailable(checked);
      expect(performance.now() - start).toBeLessThan(BOUND_MS);

      // Requests do not pile up: twenty at once are all answered within the bound.
      const burstStart = performance.now();
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(t, `06${String(i).padStart(2, '0')}`)),
      );
      for (const { res } of burst) expectUnavailable(res);
      expect(performance.now() - burstStart).toBeLessThan(BOUND_MS);

      // Nothing reached Twilio.
      expect(verifyCalls(emulator)).toBe(calls);
      expect(emulator.deliveries('+12015550402')).toHaveLength(0);

      // Guarded routes do not use the limits: they answer as before.
      await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
      await t.http.get('/members-only').set(bearer(sessionToken)).expect(200);

      expect(logged(t, DOWN)).toHaveLength(1);
      expect(logged(t, DOWN)[0]).toContain('refusing sends and checks with 503');
    }, 60_000);

    it('sends again once Redis answers, with each switch logged once and no number in the log', async () => {
      await proxy.cut();
      expectUnavailable((await send(t, '0404')).res);
      await proxy.restore();
      let status = 0;
      await until(
        'a send is accepted',
        async () => {
          status = (await send(t, '0403')).res.status;
          if (status !== 200) await sleep(100);
          return status === 200;
        },
        20_000,
      );
      expect(emulator.deliveries(e164('0403'))).toHaveLength(1);
      // Counted on Redis again: the cooldown is shared there.
      expect(await direct.zcard(`nestjs-otp:sendCooldown:${e164('0403')}`)).toBe(1);
      expect((await send(t, '0403')).res.status).toBe(429);

      expect(logged(t, DOWN)).toHaveLength(1);
      expect(logged(t, BACK)).toHaveLength(1);
      for (const line of t.logs.lines) {
        expect(line).not.toMatch(/\+?1?2015550\d{3}/);
        expect(line).not.toContain('nestjs-otp:');
      }
    }, 60_000);
  });

  describe("whenUnavailable: 'memory': counted in the instance's memory until Redis is back", () => {
    let t: TestApp;
    let proxy: TcpProxy;
    let client: Redis;

    beforeAll(async () => {
      ({ t, proxy, client } = await appBehindProxy(
        (c) => new RedisRateLimitStorage(c, { whenUnavailable: 'memory' }),
      ));
    }, 60_000);

    afterAll(async () => {
      await t?.close();
      client?.disconnect();
      await proxy?.stop();
    });

    it('sends and checks during the outage, within the limits, and counts on Redis once it is back', async () => {
      const { sessionToken } = await signInByPhone(t, '(201) 555-0501', '+12015550501');
      await proxy.cut();

      const first = await send(t, '0502');
      expect(first.res.status).toBe(200);
      expect(first.ms).toBeLessThan(BOUND_MS);
      expect(emulator.deliveries(e164('0502'))).toHaveLength(1);

      // The cooldown is counted in memory: a second send to the number is refused.
      const second = await send(t, '0502');
      expect(second.res.status).toBe(429);
      expect(second.res.body.code).toBe('TOO_MANY_REQUESTS');
      expect(second.res.headers['retry-after']).toBeDefined();
      expect(emulator.deliveries(e164('0502'))).toHaveLength(1);

      // A check is counted too, and a right code signs in.
      await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: emulator.lastCode(e164('0502')), ...us('0502') })
        .timeout(30_000)
        .expect(200);
      await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);

      expect(logged(t, DOWN)).toHaveLength(1);
      expect(logged(t, DOWN)[0]).toContain("counting in this instance's memory");

      await proxy.restore();
      await until(
        'Redis counts again',
        async () => {
          await send(t, '0503');
          if (logged(t, BACK).length === 0) await sleep(100);
          return logged(t, BACK).length === 1;
        },
        20_000,
      );
      // The last send went to Redis.
      const res = (await send(t, '0504')).res;
      expect(res.status).toBe(200);
      expect(await direct.zcard(`nestjs-otp:sendCooldown:${e164('0504')}`)).toBe(1);
      expect(logged(t, DOWN)).toHaveLength(1);
      expect(logged(t, BACK)).toHaveLength(1);
      for (const line of t.logs.lines) expect(line).not.toMatch(/\+?1?2015550\d{3}/);
    }, 60_000);
  });

  describe('the storage on its own', () => {
    const clients: Redis[] = [];
    let proxy: TcpProxy;
    let key = 0;
    const window = (): RateWindow => ({ key: `test:${++key}`, limit: 5, windowMs: 60_000 });

    /** How `call` ends, and how long it took. */
    async function timed(call: () => Promise<unknown>) {
      const start = performance.now();
      try {
        return { value: await call(), ms: performance.now() - start };
      } catch (error) {
        return { error, ms: performance.now() - start };
      }
    }

    function expectRefused(error: unknown): void {
      expect(error).toBeInstanceOf(OtpException);
      expect((error as OtpException).code).toBe(OtpErrorCode.SERVICE_UNAVAILABLE);
      expect((error as OtpException).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }

    const through = (options: RedisOptions = {}) => {
      const client = new Redis(proxy.port, '127.0.0.1', options);
      clients.push(client);
      return client;
    };

    beforeEach(async () => {
      const server = new URL(redis.url);
      proxy = await new TcpProxy(server.hostname, Number(server.port)).start();
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) client.disconnect();
      await proxy.stop();
    });

    it('fails at once where the client does (no offline queue), and counts again once it answers', async () => {
      const client = through({ enableOfflineQueue: false });
      const storage = new RedisRateLimitStorage(client, { commandTimeoutMs: 5_000 });
      await until('the client is ready', () => client.status === 'ready', 5_000);
      expect(await storage.hit([window()])).toMatchObject({ allowed: true });

      await proxy.cut();
      await until('the client sees the cut', () => client.status !== 'ready', 5_000);
      const refused = await timed(() => storage.hit([window()]));
      expectRefused(refused.error);
      expect(refused.ms).toBeLessThan(500);

      await proxy.restore();
      await until('the client is back', () => client.status === 'ready', 10_000);
      await until(
        'the storage counts again',
        async () => !(await timed(() => storage.hit([window()]))).error,
        5_000,
      );
    }, 30_000);

    it('does not count later an attempt it refused while its command waited', async () => {
      const client = through();
      const storage = new RedisRateLimitStorage(client, {
        prefix: 'outage:',
        commandTimeoutMs: 300,
      });
      await storage.hit([window()]);

      await proxy.cut();
      const refusedKey = window();
      const refused = await timed(() => storage.hit([refusedKey]));
      expectRefused(refused.error);
      expect(refused.ms).toBeGreaterThanOrEqual(250);
      expect(refused.ms).toBeLessThan(BOUND_MS);

      await proxy.restore();
      await until('the client is back', () => client.status === 'ready', 10_000);
      await sleep(200);
      expect(await direct.zcard(`outage:${refusedKey.key}`)).toBe(0);
    }, 30_000);

    it('bounds a busy server’s wait as well, and the late command counts nothing', async () => {
      const client = through();
      const storage = new RedisRateLimitStorage(client, { commandTimeoutMs: 300 });
      await storage.hit([window()]);

      const pauser = redis.client();
      clients.push(pauser);
      await pauser.client('PAUSE', 1_500, 'ALL');
      const busyKey = window();
      const refused = await timed(() => storage.hit([busyKey]));
      expectRefused(refused.error);
      expect(refused.ms).toBeLessThan(1_200);

      await sleep(1_700);
      expect(await direct.zcard(`nestjs-otp:${busyKey.key}`)).toBe(0);
    }, 30_000);

    it('takes back and forgets without throwing during an outage, within the bound', async () => {
      const client = through();
      const storage = new RedisRateLimitStorage(client, { commandTimeoutMs: 300 });
      const counted = window();
      const verdict = await storage.hit([counted]);
      if (!verdict.allowed) throw new Error('refused');

      await proxy.cut();
      const undone = await timed(() => storage.undo([counted.key], verdict.hitId));
      expect(undone.error).toBeUndefined();
      expect(undone.ms).toBeLessThan(BOUND_MS);
      const cleared = await timed(() => storage.clear([counted.key]));
      expect(cleared.error).toBeUndefined();
      expect(cleared.ms).toBeLessThan(BOUND_MS);

      await proxy.restore();
      await until('the client is back', () => client.status === 'ready', 10_000);
    }, 30_000);

    it('takes the prefix alone as before, and refuses wrong options', async () => {
      const client = through();
      const storage = new RedisRateLimitStorage(client, '{otp}:');
      const counted = window();
      await storage.hit([counted]);
      expect(await direct.zcard(`{otp}:${counted.key}`)).toBe(1);

      expect(() => new RedisRateLimitStorage(client, { commandTimeoutMs: 0 })).toThrow(
        'commandTimeoutMs',
      );
      expect(() => new RedisRateLimitStorage(client, { retryAfterSeconds: 0.5 })).toThrow(
        'retryAfterSeconds',
      );
      expect(
        () =>
          new RedisRateLimitStorage(client, {
            whenUnavailable: 'open' as unknown as RedisUnavailablePolicy,
          }),
      ).toThrow('whenUnavailable');
    });
  });
});
