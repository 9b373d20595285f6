/**
 * The bench app, in a process of its own so that the load generator and the Twilio Verify
 * emulator (in the runner) do not share its event loop. Started by the runner with
 * `fork(server.js, [config JSON])`; answers the runner's commands over IPC.
 */
import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { BenchAppModule, BenchController, NoopGuard, rememberFloorSession } from './bench-app.js';
import { SessionGuard } from 'nestjs-otp';
import type { ExecutionContext } from '@nestjs/common';
import type {
  BenchAppConfig,
  CommandMap,
  CommandMessage,
  CommandName,
  ReadyMessage,
  ReplyMessage,
  SeededSession,
} from './protocol.js';
import { type BetterAuthPeer, openBetterAuth } from './peers.js';
import { addFillers, countRows, insertRows, memberRow, newToken, sessionRow } from './seed.js';

const config = JSON.parse(process.argv[2] ?? '{}') as BenchAppConfig;

// ------------------------------------------------------------- Twilio round trips

/** Milliseconds spent in the twilio SDK's HTTP calls, per number: [start, check]. */
const twilioTimes = new Map<string, [number, number]>();

interface TwilioRequestOptions {
  uri?: string;
  data?: Record<string, unknown>;
}

/**
 * Times every HTTP call of the twilio SDK (its `RequestClient`, which the module's provider
 * uses), from the call to the parsed answer: the emulator's round trip as the SDK makes it.
 */
function timeTwilioCalls(): void {
  const require = createRequire(import.meta.url);
  const RequestClient = require('twilio/lib/base/RequestClient') as {
    prototype: { request(options: TwilioRequestOptions): Promise<unknown> };
  };
  const original = RequestClient.prototype.request;
  RequestClient.prototype.request = async function (this: unknown, options) {
    const start = performance.now();
    try {
      return await original.call(this, options);
    } finally {
      const elapsed = performance.now() - start;
      const to = typeof options.data?.To === 'string' ? options.data.To : '?';
      const times = twilioTimes.get(to) ?? [0, 0];
      times[options.uri?.endsWith('/VerificationCheck') ? 1 : 0] += elapsed;
      twilioTimes.set(to, times);
    }
  };
}

/**
 * Delays every DELETE from the sessions table by `ms` before it reaches the database, as a lock
 * wait or a slow disk would (`BENCH_SESSION_DELETE_DELAY_MS`, diagnostics only).
 */
function delaySessionDeletes(ms: number): void {
  const require = createRequire(import.meta.url);
  const runners = [
    'typeorm/driver/postgres/PostgresQueryRunner.js',
    'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js',
  ];
  for (const path of runners) {
    const exported = require(path) as Record<
      string,
      { prototype: { query(sql: string, ...rest: unknown[]): Promise<unknown> } }
    >;
    const Runner = Object.values(exported)[0];
    const original = Runner.prototype.query;
    Runner.prototype.query = async function (this: unknown, sql, ...rest) {
      if (/^\s*DELETE FROM\s+\S*otp_member_sessions/i.test(sql)) {
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      return original.call(this, sql, ...rest);
    };
  }
}

// ------------------------------------------------------------- commands

let cpuMark:
  | {
      usage: NodeJS.CpuUsage;
      at: number;
      loop: ReturnType<typeof performance.eventLoopUtilization>;
    }
  | undefined;

let loopDelay: IntervalHistogram | undefined;

type Handlers = {
  [N in CommandName]: (
    args: CommandMap[N]['args'],
  ) => CommandMap[N]['reply'] | Promise<CommandMap[N]['reply']>;
};

function handlers(app: INestApplication, betterAuth?: BetterAuthPeer): Handlers {
  const dataSource = app.get(DataSource);
  const jwt = app.get(JwtService);
  return {
    async seedSessions({ count }) {
      const now = Date.now();
      const seeded: SeededSession[] = [];
      const members = [];
      const sessions = [];
      for (let i = 0; i < count; i += 1) {
        const memberId = randomUUID();
        const n = seededCount + i;
        const { token, hash } = newToken();
        const email = `active${n}@bench.example`;
        const phoneNumber = `+998${String(n).padStart(10, '0')}`;
        members.push(memberRow(memberId, email, phoneNumber, null, now));
        // Last used at scattered times over the past minute (see sessionRow).
        sessions.push(sessionRow(memberId, hash, now, Math.floor((60_000 * i) / count)));
        seeded.push({ memberId, token, jwt: jwt.sign({ sub: memberId }) });
        // The same member as the module's guard would find, for the floor of the breakdown.
        const member = {
          id: memberId,
          email,
          phoneNumber,
          status: 'active',
          createdAt: new Date(now),
        };
        rememberFloorSession(token, member);
      }
      seededCount += count;
      await insertRows(dataSource, 'otp_members', members);
      await insertRows(dataSource, 'otp_member_sessions', sessions);
      return seeded;
    },
    async seedBetterAuth({ count }) {
      if (!betterAuth) throw new Error('better-auth is not mounted (betterAuthFile unset)');
      return betterAuth.seed(count);
    },
    async guardCost({ tokens, cookies, cachedCookies, rounds, iterations }) {
      const guard = app.get(SessionGuard);
      const noop = new NoopGuard();
      const handler = BenchController.prototype.guarded;
      const contexts = (headers: Array<Record<string, string>>) =>
        headers.map((h) => {
          const request = { headers: h, method: 'GET' };
          return {
            getType: () => 'http',
            getHandler: () => handler,
            getClass: () => BenchController,
            switchToHttp: () => ({ getRequest: () => request }),
          } as unknown as ExecutionContext;
        });
      const bearer = contexts(tokens.map((t) => ({ authorization: `Bearer ${t}` })));
      const time = async (call: (i: number) => unknown): Promise<number> => {
        const start = performance.now();
        for (let i = 0; i < iterations; i += 1) {
          const result = call(i);
          if (result instanceof Promise) await result;
        }
        return ((performance.now() - start) * 1e6) / iterations;
      };
      const reply = {
        guard: [] as number[],
        noop: [] as number[],
        betterAuth: [] as number[],
        betterAuthCached: [] as number[],
      };
      // Every session once, so that the guard has them cached, as under load.
      for (const context of bearer) await guard.canActivate(context);
      for (let round = 0; round < rounds; round += 1) {
        reply.guard.push(await time((i) => guard.canActivate(bearer[i % bearer.length])));
        reply.noop.push(await time((i) => noop.canActivate(bearer[i % bearer.length])));
        if (betterAuth && cookies.length > 0) {
          const few = Math.max(1, Math.floor(iterations / 20));
          const timeFew = async (cache: boolean, list: string[]) => {
            const start = performance.now();
            for (let i = 0; i < few; i += 1)
              await betterAuth.check(cache, { cookie: list[i % list.length] });
            return ((performance.now() - start) * 1e6) / few;
          };
          reply.betterAuth.push(await timeFew(false, cookies));
          reply.betterAuthCached.push(await timeFew(true, cachedCookies));
        }
      }
      return reply;
    },
    async grow({ total }) {
      const start = performance.now();
      const before = await countRows(dataSource);
      if (before.members < total) await addFillers(dataSource, total - before.members);
      const after = await countRows(dataSource);
      return { ...after, ms: performance.now() - start };
    },
    async seedTwoFactor({ members, passwordHash }) {
      const now = Date.now();
      await insertRows(
        dataSource,
        'otp_members',
        members.map((m) => memberRow(randomUUID(), m.email, m.phone, passwordHash, now)),
      );
      return { inserted: members.length };
    },
    async passwordHash({ email }) {
      const [sql, params] = dataSource.driver.escapeQueryWithParameters(
        'SELECT password_hash AS hash FROM otp_members WHERE email = :email',
        { email },
      );
      const rows: Array<{ hash: string | null }> = await dataSource.query(sql, params);
      return rows[0]?.hash ?? null;
    },
    counts: () => countRows(dataSource),
    memory() {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return process.memoryUsage();
    },
    cpuStart() {
      cpuMark = {
        usage: process.cpuUsage(),
        at: performance.now(),
        loop: performance.eventLoopUtilization(),
      };
      return null;
    },
    cpuStop() {
      if (!cpuMark) return { coreShare: NaN, loopBusy: NaN };
      const used = process.cpuUsage(cpuMark.usage);
      const wallMs = performance.now() - cpuMark.at;
      const loopBusy = performance.eventLoopUtilization(cpuMark.loop).utilization;
      cpuMark = undefined;
      return { coreShare: (used.user + used.system) / 1000 / wallMs, loopBusy };
    },
    loopDelayStart() {
      loopDelay?.disable();
      loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      return null;
    },
    loopDelayStop() {
      const histogram = loopDelay;
      loopDelay = undefined;
      if (!histogram) return { p50: NaN, p99: NaN, max: NaN };
      histogram.disable();
      return {
        p50: histogram.percentile(50) / 1e6,
        p99: histogram.percentile(99) / 1e6,
        max: histogram.max / 1e6,
      };
    },
    twilioTimings() {
      const entries = [...twilioTimes].map(
        ([phone, [startMs, checkMs]]) => [phone, startMs, checkMs] as [string, number, number],
      );
      twilioTimes.clear();
      return entries;
    },
    async stop() {
      await app.close();
      setImmediate(() => process.exit(0));
      return null;
    },
  };
}

let seededCount = 0;

/** A port free on 127.0.0.1 now (the system's choice). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  timeTwilioCalls();
  if (config.sessionDeleteDelayMs) delaySessionDeletes(config.sessionDeleteDelayMs);
  const betterAuth = config.betterAuthFile
    ? await openBetterAuth(config.betterAuthFile)
    : undefined;
  // The host's logger would print two lines per sign-in at `log` level; its cost depends on
  // where they go, so the bench keeps warnings and errors only.
  const logger = ['error', 'warn'] as const;
  // The passkeys' origin names the app's port, so the port is chosen before the module is
  // configured; another process may take it meanwhile, then the next free one is tried.
  let app: INestApplication | undefined;
  let port = 0;
  for (let attempt = 1; !app; attempt += 1) {
    port = await freePort();
    const module = BenchAppModule.forRoot(config, betterAuth, port);
    const created =
      config.adapter === 'fastify'
        ? await NestFactory.create(module, new FastifyAdapter(), { logger: [...logger] })
        : await NestFactory.create(module, { logger: [...logger] });
    try {
      await created.listen(port, '127.0.0.1');
      app = created;
    } catch (error) {
      await created.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
  const handle = handlers(app, betterAuth);
  process.on('message', (message: CommandMessage) => {
    const run = handle[message.command] as (args: unknown) => unknown;
    Promise.resolve()
      .then(() => run(message.args))
      .then(
        (value): ReplyMessage => ({ id: message.id, ok: true, value }),
        (error: unknown): ReplyMessage => ({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
      )
      .then((reply) => process.send!(reply));
  });
  // A runner that dies leaves no app behind.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true, port } satisfies ReadyMessage);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench app failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
