import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { RedisRateLimitStorage } from 'nestjs-otp';
import { SoftwareAuthenticator, TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { TestRedis } from '../support/redis.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const ORIGIN = 'http://localhost:3000';

describe('Two app instances sharing one database and one Redis', () => {
  const redis = new TestRedis();
  const clients: Redis[] = [];
  let emulator: TwilioVerifyEmulator;
  let dir: string;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await redis.start();
    emulator = await new TwilioVerifyEmulator().start();
    dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-two-'));
    const instance = (synchronize: boolean) => {
      const client = redis.client();
      clients.push(client);
      return createTestApp({
        emulator,
        database: TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: join(dir, 'shared.sqlite'),
          autoLoadEntities: true,
          synchronize,
        }),
        otp: {
          rateLimit: {
            storage: new RedisRateLimitStorage(client),
            checksPerPhone: { limit: 3, windowSeconds: 3600 },
          },
          passkeys: { rpId: 'localhost', origins: [ORIGIN] },
        },
      });
    };
    a = await instance(true);
    b = await instance(false);
  }, 300_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await Promise.all(clients.map((client) => client.quit()));
    await emulator?.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const phone = (n: string) => ({ countryCode: 'US', phoneNumber: `(201) 555-${n}` });

  it('enforce one shared send cooldown', async () => {
    await a.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone('0191') })
      .expect(200);
    const res = await b.http.post('/auth/otp/send').send({ channel: 'call', ...phone('0191') });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(emulator.deliveries('+12015550191')).toHaveLength(1);
  });

  it('enforce one shared cap on code checks', async () => {
    await a.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone('0192') })
      .expect(200);
    const code = emulator.lastCode('+12015550192')!;
    const wrong = code === '000000' ? '111111' : '000000';
    await a.http
      .post('/auth/otp/login')
      .send({ ...phone('0192'), confirmationCode: wrong })
      .expect(401);
    await b.http
      .post('/auth/otp/login')
      .send({ ...phone('0192'), confirmationCode: wrong })
      .expect(401);
    await a.http
      .post('/auth/otp/login')
      .send({ ...phone('0192'), confirmationCode: wrong })
      .expect(401);
    const locked = await b.http
      .post('/auth/otp/login')
      .send({ ...phone('0192'), confirmationCode: code })
      .expect(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
  });

  it('finish on one a passkey ceremony begun on the other', async () => {
    await a.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone('0194') })
      .expect(200);
    const login = await a.http
      .post('/auth/otp/login')
      .send({ ...phone('0194'), confirmationCode: emulator.lastCode('+12015550194') })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.body.sessionToken}` };
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const creation = await a.http.post('/auth/account/passkeys/options').set(auth).expect(200);
    await b.http
      .post('/auth/account/passkeys')
      .set(auth)
      .send({ response: authenticator.register(creation.body) })
      .expect(201);
    const request = await b.http.post('/auth/passkey/options').send({}).expect(200);
    const signedIn = await a.http
      .post('/auth/passkey/login')
      .send({ response: authenticator.authenticate(request.body) })
      .expect(200);
    expect(signedIn.body.member.id).toBe(login.body.member.id);
  });

  it('share members and sessions: signed in on A, accepted on B, revoked on A', async () => {
    await b.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone('0193') })
      .expect(200);
    const login = await a.http
      .post('/auth/otp/login')
      .send({ ...phone('0193'), confirmationCode: emulator.lastCode('+12015550193') })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.body.sessionToken}` };
    await b.http.get('/auth/me').set(auth).expect(200);
    await a.http.post('/auth/logout').set(auth).expect(204);
    await a.http.get('/auth/me').set(auth).expect(401);
  });
});
