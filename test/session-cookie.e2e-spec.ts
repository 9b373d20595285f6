import { type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OtpGlobalExceptionFilter, OtpModule, type OtpModuleOptions } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { bearer } from './support/flows.js';
import { LogCapture } from './support/log-capture.js';
import { emulatorOptions, testDatabase, US_E164, US_PHONE } from './support/test-app.js';

type Platform = 'express' | 'fastify';

interface CookieApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  emulator: TwilioVerifyEmulator;
  close(): Promise<void>;
}

/** The module on Express or Fastify with `otp` over the emulator's options. */
async function createCookieApp(
  platform: Platform,
  otp: Partial<OtpModuleOptions>,
): Promise<CookieApp> {
  const emulator = await new TwilioVerifyEmulator().start();
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [testDatabase(), OtpModule.forRoot({ ...emulatorOptions(emulator), ...otp })],
      providers: [{ provide: APP_FILTER, useClass: OtpGlobalExceptionFilter }],
    }).compile();
    const logger = new LogCapture();
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger });
    await app.init();
    if (platform === 'fastify') {
      await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    }
    return {
      app,
      http: request(app.getHttpServer()),
      emulator,
      async close() {
        await app.close();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

const COOKIE = { secure: false, domain: 'example.com', path: '/app', sameSite: 'strict' as const };
const SET =
  /^otp_session=([A-Za-z0-9_-]{43}); Max-Age=43200; Domain=example\.com; Path=\/app; HttpOnly; SameSite=Strict$/;
const CLEARED = 'otp_session=; Max-Age=0; Domain=example.com; Path=/app; HttpOnly; SameSite=Strict';
const who = { email: 'alice@example.com', phoneNumber: US_PHONE, countryCode: 'US' };
const password = 'correct horse battery';

const setCookie = (res: request.Response): string[] | undefined =>
  res.headers['set-cookie'] as unknown as string[] | undefined;

describe.each<Platform>(['express', 'fastify'])('The session cookie on %s', (platform) => {
  it('is set with the answer of every sign-in, carrying its token, and cleared on logout', async () => {
    const t = await createCookieApp(platform, { session: { cookie: COOKIE } });
    try {
      await t.http
        .post('/auth/2fa/register/send')
        .send({ ...who, channel: 'sms' })
        .expect(200);
      const register = await t.http
        .post('/auth/2fa/register')
        .send({ ...who, password, confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(201);
      expect(setCookie(register)).toEqual([expect.stringMatching(SET)]);
      expect(setCookie(register)![0].match(SET)![1]).toBe(register.body.sessionToken);
      expect(Object.keys(register.body)).toEqual(['sessionToken', 'member']);

      t.emulator.advanceTime(11 * 60_000);
      await t.http
        .post('/auth/2fa/login/send')
        .send({ email: who.email, password, channel: 'sms' })
        .expect(200)
        .expect((res) => expect(setCookie(res)).toBeUndefined());
      const login = await t.http
        .post('/auth/2fa/login')
        .send({ email: who.email, password, confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(200);
      expect(setCookie(login)![0].match(SET)![1]).toBe(login.body.sessionToken);

      const logout = await t.http
        .post('/auth/logout')
        .set(bearer(login.body.sessionToken as string))
        .expect(204);
      expect(setCookie(logout)).toEqual([CLEARED]);
      expect(logout.text).toBe('');
    } finally {
      await t.close();
    }
  });

  it('is set by the passwordless sign-in, and not by a refused one', async () => {
    const t = await createCookieApp(platform, { session: { cookie: COOKIE } });
    try {
      const phone = { countryCode: 'US', phoneNumber: US_PHONE };
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', ...phone })
        .expect(200);
      const refused = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: '000000', ...phone })
        .expect(401);
      expect(setCookie(refused)).toBeUndefined();
      const login = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: t.emulator.lastCode(US_E164), ...phone })
        .expect(200);
      expect(setCookie(login)![0].match(SET)![1]).toBe(login.body.sessionToken);
      expect(Object.keys(login.body)).toEqual(['results', 'sessionToken', 'member', 'isNewMember']);
    } finally {
      await t.close();
    }
  });

  it('is not set while a registration waits for approval (202, sessionToken null)', async () => {
    const t = await createCookieApp(platform, { approval: 'manual', session: { cookie: COOKIE } });
    try {
      await t.http
        .post('/auth/2fa/register/send')
        .send({ ...who, channel: 'sms' })
        .expect(200);
      const register = await t.http
        .post('/auth/2fa/register')
        .send({ ...who, password, confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(202);
      expect(register.body).toMatchObject({ sessionToken: null, member: { status: 'pending' } });
      expect(setCookie(register)).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('is set by a recovery-code sign-in, and cleared when the account is deleted (DELETE with a body)', async () => {
    const t = await createCookieApp(platform, { session: { cookie: COOKIE } });
    try {
      const phone = { countryCode: 'US', phoneNumber: US_PHONE };
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', ...phone })
        .expect(200);
      const login = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: t.emulator.lastCode(US_E164), ...phone })
        .expect(200);
      const token = login.body.sessionToken as string;
      const made = await t.http.post('/auth/account/recovery-codes').set(bearer(token)).expect(200);

      const recovered = await t.http
        .post('/auth/otp/recover')
        .send({ ...phone, recoveryCode: made.body.codes[0] })
        .expect(200);
      expect(setCookie(recovered)![0].match(SET)![1]).toBe(recovered.body.sessionToken);

      t.emulator.advanceTime(61_000);
      await t.http
        .post('/auth/account/delete/send')
        .set(bearer(token))
        .send({ channel: 'sms' })
        .expect(200);
      const deleted = await t.http
        .delete('/auth/account')
        .set(bearer(token))
        .send({ confirmationCode: t.emulator.lastCode(US_E164) })
        .expect(204);
      expect(setCookie(deleted)).toEqual([CLEARED]);
      await t.http.get('/auth/me').set(bearer(recovered.body.sessionToken)).expect(401);
    } finally {
      await t.close();
    }
  });

  it('is neither set nor cleared when cookies are off', async () => {
    const t = await createCookieApp(platform, {});
    try {
      const phone = { countryCode: 'US', phoneNumber: US_PHONE };
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', ...phone })
        .expect(200);
      const login = await t.http
        .post('/auth/otp/login')
        .send({ confirmationCode: t.emulator.lastCode(US_E164), ...phone })
        .expect(200);
      expect(setCookie(login)).toBeUndefined();
      const logout = await t.http
        .post('/auth/logout')
        .set(bearer(login.body.sessionToken as string))
        .expect(204);
      expect(setCookie(logout)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
