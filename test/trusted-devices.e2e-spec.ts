import { type CanActivate, Injectable } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { OtpEvent, OtpGlobalExceptionFilter, OtpModule } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer, registerTwoFactor } from './support/flows.js';
import {
  createTestApp,
  emulatorOptions,
  type TestApp,
  testDatabase,
  US_E164,
  US_PHONE,
} from './support/test-app.js';

@Injectable()
class LetAdminsIn implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

const PASSWORD = 'correct horse battery staple';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const BOB_PHONE = '(201) 555-0188';
const BOB_E164 = '+12015550188';

describe('Trusted devices', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ extras: { admin: { guard: LetAdminsIn } } });
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  /** Signs in with email, password and code; with `rememberDevice`, the answer's device token. */
  async function signIn(email: string, e164: string, rememberDevice?: boolean) {
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const res = await t.http
      .post('/auth/2fa/login')
      .set('User-Agent', 'Firefox on the laptop')
      .send({
        email,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(e164),
        ...(rememberDevice !== undefined && { rememberDevice }),
      })
      .expect(200);
    return res.body as { sessionToken: string; deviceToken?: string };
  }

  /** What `login/send` answers for Alice from the device of `deviceToken`. */
  function sendFrom(deviceToken: string, email = ALICE) {
    t.emulator.advanceTime(61_000);
    return t.http
      .post('/auth/2fa/login/send')
      .send({ email, password: PASSWORD, channel: 'sms', deviceToken });
  }

  /** Whether Alice, from the device of `deviceToken`, signs in without a code. */
  async function trusted(deviceToken: string): Promise<boolean> {
    const sent = await sendFrom(deviceToken);
    const login = await t.http
      .post('/auth/2fa/login')
      .send({ email: ALICE, password: PASSWORD, deviceToken });
    expect([sent.body.codeRequired === false, login.status === 200]).toEqual(
      sent.body.codeRequired === false ? [true, true] : [false, false],
    );
    return login.status === 200;
  }

  it('spares a trusted device the code, stores only its hash, and lists and forgets it', async () => {
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
    const events: string[] = [];
    t.on(OtpEvent.DEVICE_TRUSTED, (e) => events.push(e.memberId!));
    const plain = await signIn(ALICE, US_E164);
    expect(plain).not.toHaveProperty('deviceToken');

    const { deviceToken, sessionToken } = await signIn(ALICE, US_E164, true);

    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(events).toHaveLength(1);
    const stored = JSON.stringify(await t.dataSource.query('SELECT * FROM otp_trusted_devices'));
    expect(stored).not.toContain(deviceToken);
    const deliveries = t.emulator.deliveries(US_E164).length;
    const sent = await sendFrom(deviceToken!).expect(200);
    expect(sent.body).toEqual({ results: true, codeRequired: false });
    expect(t.emulator.deliveries(US_E164)).toHaveLength(deliveries);
    const login = await t.http
      .post('/auth/2fa/login')
      .send({ email: ALICE, password: PASSWORD, deviceToken })
      .expect(200);
    await t.http.get('/auth/me').set(bearer(login.body.sessionToken)).expect(200);
    // The password is still checked.
    const wrong = await t.http
      .post('/auth/2fa/login')
      .send({ email: ALICE, password: 'not the password', deviceToken })
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const listed = await t.http.get('/auth/account/devices').set(bearer(sessionToken)).expect(200);
    expect(listed.body).toEqual([
      {
        id: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        userAgent: 'Firefox on the laptop',
      },
    ]);
    const days = (Date.parse(listed.body[0].expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    await t.http
      .delete(`/auth/account/devices/${listed.body[0].id}`)
      .set(bearer(sessionToken))
      .expect(204);
    expect(await trusted(deviceToken!)).toBe(false);
    await t.http
      .delete(`/auth/account/devices/${listed.body[0].id}`)
      .set(bearer(sessionToken))
      .expect(404);
  });

  it('does not let one member’s device token spare another member the code', async () => {
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await registerTwoFactor(t, BOB, PASSWORD, BOB_PHONE, BOB_E164);
    const bobs = (await signIn(BOB, BOB_E164, true)).deviceToken!;

    const sent = await sendFrom(bobs, ALICE).expect(200);
    expect(sent.body.codeRequired).toBeUndefined();
    expect(sent.body.channel).toBe('sms');
    const login = await t.http
      .post('/auth/2fa/login')
      .send({ email: ALICE, password: PASSWORD, deviceToken: bobs })
      .expect(400);
    expect(login.body.code).toBe('VALIDATION_FAILED');
  });

  it('stops trusting a device once it expires', async () => {
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
    const { deviceToken } = await signIn(ALICE, US_E164, true);
    await t.dataSource.query(`UPDATE otp_trusted_devices SET expires_at = ${Date.now() - 1}`);

    expect(await trusted(deviceToken!)).toBe(false);
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_trusted_devices');
    expect(Number(n)).toBe(0);
  });

  it('forgets every device of a member on a password reset, a phone change and a block', async () => {
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);

    // Password reset.
    let { deviceToken } = await signIn(ALICE, US_E164, true);
    t.emulator.advanceTime(61_000);
    await t.http.post('/auth/2fa/password/send').send({ email: ALICE, channel: 'sms' }).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.http
      .post('/auth/2fa/password/reset')
      .send({
        email: ALICE,
        confirmationCode: t.emulator.lastCode(US_E164),
        newPassword: PASSWORD,
      })
      .expect(200);
    expect(await trusted(deviceToken!)).toBe(false);

    // Phone change.
    const second = await signIn(ALICE, US_E164, true);
    const session = second.sessionToken;
    deviceToken = second.deviceToken;
    expect(await trusted(deviceToken!)).toBe(true);
    t.emulator.advanceTime(61_000);
    await t.http
      .post('/auth/account/phone/send')
      .set(bearer(session))
      .send({ countryCode: 'US', phoneNumber: '(201) 555-0177', channel: 'sms' })
      .expect(200);
    await t.http
      .post('/auth/account/phone')
      .set(bearer(session))
      .send({
        countryCode: 'US',
        phoneNumber: '(201) 555-0177',
        confirmationCode: t.emulator.lastCode('+12015550177'),
        currentPassword: PASSWORD,
      })
      .expect(200);
    expect(await trusted(deviceToken!)).toBe(false);

    // Block, then unblock.
    ({ deviceToken } = await signIn(ALICE, '+12015550177', true));
    const me = await t.http.get('/auth/me').set(bearer(session)).expect(200);
    await t.http.post(`/auth/admin/members/${me.body.id}/block`).expect(200);
    await t.http.post(`/auth/admin/members/${me.body.id}/unblock`).expect(200);
    expect(await trusted(deviceToken!)).toBe(false);
  });
});

describe('Trusted devices turned off', () => {
  it('refuses rememberDevice with 400', async () => {
    const t = await createTestApp({ otp: { trustedDevices: { days: 0 } } });
    try {
      await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
      t.emulator.advanceTime(11 * 60_000);
      await t.http
        .post('/auth/2fa/login/send')
        .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
        .expect(200);
      const res = await t.http
        .post('/auth/2fa/login')
        .send({
          email: ALICE,
          password: PASSWORD,
          confirmationCode: t.emulator.lastCode(US_E164),
          rememberDevice: true,
        })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    } finally {
      await t.close();
    }
  });
});

describe.each(['express', 'fastify'] as const)('The trusted-device cookie on %s', (platform) => {
  it('is set HttpOnly beside the session cookie, and spares that browser the code', async () => {
    const emulator = await new TwilioVerifyEmulator().start();
    const cookie = { secure: false, sameSite: 'strict' as const };
    const moduleRef = await Test.createTestingModule({
      imports: [
        testDatabase(),
        OtpModule.forRoot({ ...emulatorOptions(emulator), session: { cookie } }),
      ],
      providers: [{ provide: APP_FILTER, useClass: OtpGlobalExceptionFilter }],
    }).compile();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
            logger: false,
          })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    try {
      await app.init();
      if (platform === 'fastify') {
        await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
      }
      const http = request(app.getHttpServer());
      const t = { http, emulator } as unknown as TestApp;
      await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
      emulator.advanceTime(11 * 60_000);
      await http
        .post('/auth/2fa/login/send')
        .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
        .expect(200);
      const login = await http
        .post('/auth/2fa/login')
        .send({
          email: ALICE,
          password: PASSWORD,
          confirmationCode: emulator.lastCode(US_E164),
          rememberDevice: true,
        })
        .expect(200);

      const cookies = login.headers['set-cookie'] as unknown as string[];
      expect(cookies).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^otp_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
          ),
          `otp_device=${login.body.deviceToken}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Strict`,
        ]),
      );
      expect(cookies).toHaveLength(2);
      emulator.advanceTime(61_000);
      const sent = await http
        .post('/auth/2fa/login/send')
        .set('Cookie', `otp_device=${login.body.deviceToken}`)
        .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
        .expect(200);
      expect(sent.body).toEqual({ results: true, codeRequired: false });
      await http
        .post('/auth/2fa/login')
        .set('Cookie', `otp_device=${login.body.deviceToken}`)
        .send({ email: ALICE, password: PASSWORD })
        .expect(200);
    } finally {
      await app.close();
      await emulator.stop();
    }
  });
});
