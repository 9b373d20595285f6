import { type INestApplication, UseGuards } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  type WsResponse,
} from '@nestjs/websockets';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { WebSocket } from 'ws';
import { CurrentMember, OtpModule, SessionGuard } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer, signInByPhone } from '../support/flows.js';
import { LogCapture } from '../support/log-capture.js';
import { TestRateLimitStorage } from '../support/rate-limit-storage.js';
import {
  createTestApp,
  emulatorOptions,
  MembersOnlyController,
  testAppOf,
  type TestApp,
} from '../support/test-app.js';
import { WsClient } from '../support/ws-client.js';
import { WsAdapterModule } from '../support/ws-host.js';

const PASSWORD = 'correct horse battery staple';

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row.n);
}

describe('A database write failing mid-flow', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  /** Makes every insert of a session fail, as a full disk or a lost connection would. */
  async function breakSessionInserts() {
    await t.dataSource.query('DROP TABLE otp_member_sessions');
    await t.dataSource.query('CREATE TABLE otp_member_sessions (id varchar(36) PRIMARY KEY)');
  }

  it('leaves no half-created member after a failed sign-up', async () => {
    const who = { email: 'dave@example.com', phoneNumber: '(201) 555-0180', countryCode: 'US' };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    await breakSessionInserts();
    const res = await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550180') })
      .expect(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: expect.any(String),
      registerUser: false,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/otp_member|SQLITE|INSERT|column/i);
    expect(await count(t, 'otp_members')).toBe(0);
  });

  it('leaves no half-created member after a failed first phone sign-in', async () => {
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0181' };
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone })
      .expect(200);
    await breakSessionInserts();
    const res = await t.http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: t.emulator.lastCode('+12015550181') })
      .expect(500);
    expect(res.body.code).toBe('INTERNAL_ERROR');
    expect(await count(t, 'otp_members')).toBe(0);
    expect(t.logs.lines.join('\n')).not.toContain('2015550181');
  });
});

describe('The data source closed by the app', () => {
  it('answers a generic 500 without SQL, and sends no code for a sign-in it cannot check', async () => {
    const t = await createTestApp();
    try {
      await t.dataSource.destroy();
      const res = await t.http
        .post('/auth/2fa/login/send')
        .send({ email: 'x@example.com', password: PASSWORD, channel: 'sms' })
        .expect(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR', results: false });
      expect(JSON.stringify(res.body)).not.toMatch(/SELECT|sqlite|connection/i);
      expect(t.emulator.requests()).toEqual([]);
    } finally {
      await t.app.close().catch(() => undefined);
      await t.emulator.stop();
    }
  });
});

/** A gateway whose connections need a session at the handshake; its messages are checked too. */
@WebSocketGateway({ path: '/members' })
@UseGuards(SessionGuard)
class MembersGateway implements OnGatewayConnection {
  constructor(private readonly guard: SessionGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return this.guard.authenticateConnection(client, request);
  }

  @SubscribeMessage('my-id')
  myId(@CurrentMember('id') id: string): WsResponse<string> {
    return { event: 'my-id', data: id };
  }
}

type Platform = 'express' | 'fastify';

/** The 503 body of an unreachable database (the module's routes add `results: false`). */
const UNAVAILABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  code: 'SERVICE_UNAVAILABLE',
  message: 'The service is briefly unavailable. Try again shortly.',
};

/**
 * A host on SQLite in a file whose busy timeout is 100 ms, with no session cache (every guarded
 * request looks its session up), and no exception filter of the module's registered app-wide:
 * the host's own routes are answered by Nest's default filter.
 */
async function lockableApp(platform: Platform, folder: string) {
  const database = join(folder, `${platform}.sqlite`);
  const emulator = await new TwilioVerifyEmulator().start();
  const logs = new LogCapture();
  const storage = new TestRateLimitStorage(() => emulator.now());
  let app: INestApplication;
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database,
          timeout: 100,
          autoLoadEntities: true,
          synchronize: true,
        }),
        OtpModule.forRoot({ ...emulatorOptions(emulator, storage), session: { cacheTtlMs: 0 } }),
        ...(platform === 'express' ? [WsAdapterModule] : []),
      ],
      controllers: [MembersOnlyController],
      providers: platform === 'express' ? [MembersGateway] : [],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
            logger: logs,
          })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger: logs });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  // Another connection to the same file, to hold its lock as a long write elsewhere would.
  const other = await new DataSource({
    type: 'better-sqlite3',
    database,
    timeout: 100,
  }).initialize();
  const opened = testAppOf(app, { emulator, logs, storage, ownEmulator: true });
  const t: TestApp = {
    ...opened,
    async close() {
      await other.destroy();
      await opened.close();
    },
  };
  return {
    t,
    lock: () => other.query('BEGIN EXCLUSIVE'),
    unlock: () => other.query('ROLLBACK'),
    wsUrl: () => `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`,
  };
}

describe.each<Platform>(['express', 'fastify'])(
  'The database locked past its busy timeout (SQLite, %s)',
  (platform) => {
    let folder: string;
    let site: Awaited<ReturnType<typeof lockableApp>>;
    let t: TestApp;
    beforeAll(async () => {
      folder = mkdtempSync(join(tmpdir(), 'otp-locked-'));
      site = await lockableApp(platform, folder);
      t = site.t;
    });
    afterAll(async () => {
      await site?.t.close();
      rmSync(folder, { recursive: true, force: true });
    });

    it('answers 503 SERVICE_UNAVAILABLE with Retry-After on module and host routes, then 200 again', async () => {
      const { sessionToken } = await signInByPhone(t);
      const headers = bearer(sessionToken);
      const twoFactorSend = {
        email: 'nobody@example.com',
        password: 'x'.repeat(12),
        channel: 'sms',
      };
      const requestsBefore = t.emulator.requests().length;

      await site.lock();
      try {
        for (const path of ['/auth/me', '/auth/sessions']) {
          const res = await t.http.get(path).set(headers);
          expect([path, res.status, res.headers['retry-after']]).toEqual([path, 503, '1']);
          expect(res.body).toEqual({ ...UNAVAILABLE, results: false });
        }
        const send = await t.http.post('/auth/2fa/login/send').send(twoFactorSend);
        expect([send.status, send.headers['retry-after']]).toEqual([503, '1']);
        expect(send.body).toEqual({ ...UNAVAILABLE, results: false });
        // A host's own route behind SessionGuard, answered by Nest's default filter.
        const host = await t.http.get('/members-only').set(headers);
        expect([host.status, host.headers['retry-after']]).toEqual([503, '1']);
        expect(host.body).toEqual(UNAVAILABLE);
        // Behind the passport strategy, and behind @RequireRecentVerification() alone.
        const passport = await t.http.get('/members-only/passport').set(headers);
        expect([passport.status, passport.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
        const sensitive = await t.http.post('/members-only/sensitive').set(headers);
        expect([sensitive.status, sensitive.body.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      } finally {
        await site.unlock();
      }
      // Nothing was sent for a sign-in that could not be checked.
      expect(t.emulator.requests()).toHaveLength(requestsBefore);
      const logs = t.logs.lines.join('\n');
      expect(logs).toMatch(/^warn Database unreachable \(SQLITE_BUSY\)/m);
      expect(logs).not.toMatch(/SELECT|INSERT|UPDATE|otp_member/);
      expect(logs).not.toMatch(/^error /m);

      await t.http.get('/auth/me').set(headers).expect(200);
      await t.http.get('/auth/sessions').set(headers).expect(200);
      await t.http.get('/members-only').set(headers).expect(200);
      const checked = await t.http.post('/auth/2fa/login/send').send(twoFactorSend).expect(401);
      expect(checked.body.code).toBe('INVALID_CREDENTIALS');
    });

    if (platform !== 'express') return;

    it('refuses a WebSocket message with the 503 body and closes a new connection with 1013', async () => {
      const { sessionToken, member } = await signInByPhone(t, '(201) 555-0144', '+12015550144');
      const open = await WsClient.open(`${site.wsUrl()}/members`, bearer(sessionToken));
      try {
        expect(await open.request('my-id')).toEqual({ event: 'my-id', data: member.id });
        await site.lock();
        try {
          expect(await open.request('my-id')).toEqual({
            event: 'exception',
            data: { status: 'error', ...UNAVAILABLE },
          });
          const refused = await WsClient.open(`${site.wsUrl()}/members`, bearer(sessionToken));
          expect(await refused.closed).toEqual({ code: 1013, reason: 'SERVICE_UNAVAILABLE' });
        } finally {
          await site.unlock();
        }
        expect(await open.request('my-id')).toEqual({ event: 'my-id', data: member.id });
        const again = await WsClient.open(`${site.wsUrl()}/members`, bearer(sessionToken));
        expect(await again.request('my-id')).toEqual({ event: 'my-id', data: member.id });
        again.close();
      } finally {
        open.close();
      }
    });
  },
);
