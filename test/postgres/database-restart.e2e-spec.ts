import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { requirePostgresUrl } from '../support/database.js';
import { bearer, signInByPhone } from '../support/flows.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const serverUrl = new URL(requirePostgresUrl());

/** The 503 of an unreachable database, as the contract words it. */
const UNAVAILABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  code: 'SERVICE_UNAVAILABLE',
  message: 'The service is briefly unavailable. Try again shortly.',
};

/** One answer of the load. */
interface Answer {
  route: string;
  status: number;
  retryAfter?: string;
  body: unknown;
}

/** A request of the load, and what it answers while the database is there. */
interface Route {
  name: string;
  /** A host's own route, answered by Nest's default filter (no `results` flag). */
  host?: boolean;
  /** The answer while the database is there. */
  normal: { status: number; code?: string };
  send(t: TestApp, worker: number): Promise<{ status: number; headers: object; body: unknown }>;
}

/**
 * A host on PostgreSQL reached through a TCP proxy, so that the test can take the database away
 * from this app alone, as a restart would, without disturbing the other suites on the server.
 */
describe('A PostgreSQL restart under load', () => {
  const applicationName = `otp-restart-${process.pid}-${randomBytes(3).toString('hex')}`;
  const schema = `otp_restart_${process.pid}_${randomBytes(3).toString('hex')}`;
  let proxy: TcpProxy;
  let admin: DataSource;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    admin = await new DataSource({
      type: 'postgres',
      url: serverUrl.href,
      extra: { allowExitOnIdle: true },
    }).initialize();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    proxy = await new TcpProxy(serverUrl.hostname, Number(serverUrl.port)).start();
    const proxied = new URL(serverUrl.href);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    t = await createTestApp({
      database: TypeOrmModule.forRoot({
        type: 'postgres',
        url: proxied.href,
        extra: {
          options: `-c search_path=${schema}`,
          application_name: applicationName,
          connectionTimeoutMillis: 1_000,
          allowExitOnIdle: true,
        },
        retryAttempts: 0,
        autoLoadEntities: true,
        synchronize: true,
      }),
      // No session cache: every guarded request looks its session up in the database.
      otp: { rateLimit: false, session: { cacheTtlMs: 0 } },
    });
    ({ sessionToken: token } = await signInByPhone(t));
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.destroy();
  });

  const routes: Route[] = [
    {
      name: 'POST /auth/otp/send',
      normal: { status: 200 },
      send: (app, worker) => {
        // Past Twilio's window for the number, which each worker has of its own.
        app.emulator.advanceTime(11 * 60_000);
        return app.http
          .post('/auth/otp/send')
          .send({ channel: 'sms', countryCode: 'US', phoneNumber: `201555${1100 + worker}` });
      },
    },
    {
      name: 'GET /auth/me',
      normal: { status: 200 },
      send: (app) => app.http.get('/auth/me').set(bearer(token)),
    },
    {
      name: 'GET /auth/sessions',
      normal: { status: 200 },
      send: (app) => app.http.get('/auth/sessions').set(bearer(token)),
    },
    {
      name: 'POST /auth/2fa/login/send',
      normal: { status: 401, code: 'INVALID_CREDENTIALS' },
      send: (app) =>
        app.http
          .post('/auth/2fa/login/send')
          .send({ email: 'nobody@example.com', password: 'x'.repeat(12), channel: 'sms' }),
    },
    {
      name: 'GET /members-only',
      host: true,
      normal: { status: 200 },
      send: (app) => app.http.get('/members-only').set(bearer(token)),
    },
  ];

  async function ask(route: Route, worker: number): Promise<Answer> {
    const res = (await route.send(t, worker)) as {
      status: number;
      headers: Record<string, string | undefined>;
      body: unknown;
    };
    return {
      route: route.name,
      status: res.status,
      retryAfter: res.headers['retry-after'],
      body: res.body,
    };
  }

  /** Whether an answer is the route's own while the database is there. */
  function isNormal(route: Route, answer: Answer): boolean {
    if (answer.status !== route.normal.status) return false;
    return route.normal.code === undefined
      ? true
      : (answer.body as { code?: string }).code === route.normal.code;
  }

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After while the database is away, never 500, and as before once it is back', async () => {
    // While the database is there, every route answers as it should.
    for (const route of routes) {
      const answer = await ask(route, 0);
      expect([route.name, isNormal(route, answer)]).toEqual([route.name, true]);
    }

    // A modest concurrent load: two workers per route, each one request at a time.
    const answers: Answer[] = [];
    let running = true;
    const workers = routes.flatMap((route, index) =>
      [0, 1].map(async (copy) => {
        while (running) answers.push(await ask(route, index * 2 + copy));
      }),
    );
    await sleep(300);

    // The restart: the server stops taking connections, ends those open (57P01 to the queries
    // running), then is away for a second.
    proxy.refuseNew();
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    await proxy.cut();
    await sleep(1_000);
    await proxy.restore();
    await sleep(1_000);
    running = false;
    await Promise.all(workers);

    // Never a 500: every answer is the route's own or a 503 with the contract's body.
    const byRoute = new Map(routes.map((route) => [route.name, route]));
    const odd = answers.filter(
      (answer) => answer.status !== 503 && !isNormal(byRoute.get(answer.route)!, answer),
    );
    expect(odd).toEqual([]);
    const refused = answers.filter((answer) => answer.status === 503);
    for (const answer of refused) {
      const body = byRoute.get(answer.route)!.host
        ? UNAVAILABLE
        : { ...UNAVAILABLE, results: false };
      expect(answer).toEqual({ route: answer.route, status: 503, retryAfter: '1', body });
    }
    // Each route that needs the database was refused while it was away.
    const refusedRoutes = new Set(refused.map((answer) => answer.route));
    expect([...refusedRoutes].sort()).toEqual(
      routes
        .filter((route) => route.name !== 'POST /auth/otp/send')
        .map((route) => route.name)
        .sort(),
    );

    // Back: the same requests answer as before.
    for (const route of routes) {
      const answer = await ask(route, 0);
      expect([route.name, isNormal(route, answer)]).toEqual([route.name, true]);
    }
    const logs = t.logs.lines.join('\n');
    expect(logs).toMatch(/^warn Database unreachable \(/m);
    expect(logs).not.toMatch(/Unexpected/);
    expect(logs).not.toMatch(/SELECT|INSERT|UPDATE|DELETE FROM/);
  }, 30_000);
});
