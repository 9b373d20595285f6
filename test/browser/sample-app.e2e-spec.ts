import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { sampleTotpKey } from '../../sample-app/src/sample-app.js';
import { type RunningSample, startSample, startSampleApp } from './support/sample-server.js';
import { SMS_SENT } from '../support/flows.js';

const ADMIN_TOKEN = 'an-admin-token-of-some-length';

describe('Sample app: start-up, development mode, admin, OpenAPI and cookies', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample();
  });
  afterAll(() => sample?.close());

  it('refuses to start in production without Twilio credentials, and leaves the environment as it was', async () => {
    const before = { ...process.env };
    await expect(startSample({ env: { NODE_ENV: 'production' } })).rejects.toThrow(
      'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VERIFY_SERVICE_SID are required in production (NODE_ENV=production)',
    );
    expect(process.env).toEqual(before);
  });

  it('creates its SQLite file in the data folder on first start, with the tables from the migrations', async () => {
    expect(existsSync(join(sample.dataDir, 'sample.sqlite'))).toBe(true);
    const tables: { name: string }[] = await sample.app
      .get(DataSource)
      .query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['migrations', 'otp_member_sessions', 'otp_members']),
    );
  });

  it('turns authenticator apps on, with a key made once and kept in the data folder (0600) unless one is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nestjs-otp-key-'));
    try {
      const key = sampleTotpKey({ SAMPLE_DATA_DIR: dir });
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      const file = join(dir, 'totp-encryption.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(sampleTotpKey({ SAMPLE_DATA_DIR: dir })).toBe(key);
      expect(readFileSync(file, 'utf8').trim()).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const own = await startSample({ env: { OTP_TOTP_ENCRYPTION_KEY: undefined } });
    const given = await startSample({
      env: { OTP_TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    });
    try {
      expect(statSync(join(own.dataDir, 'totp-encryption.key')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(given.dataDir, 'totp-encryption.key'))).toBe(false);
      for (const started of [own, given]) {
        // Mounted: a request without a session is refused as such, not as an unknown route.
        await request(started.url)
          .post('/auth/account/totp')
          .expect(401)
          .expect((res) => expect(res.body.code).toBe('UNAUTHENTICATED'));
      }
    } finally {
      await own.close();
      await given.close();
    }
    // The page draws QR codes with uqr's ES module, served from the sample itself.
    const qr = await request(sample.url).get('/vendor/uqr.mjs').expect(200);
    expect(qr.headers['content-type']).toMatch(/^text\/javascript/);
    expect(qr.text).toContain('export');
  });

  it('refuses an admin token shorter than 16 characters', async () => {
    await expect(startSample({ env: { SAMPLE_ADMIN_TOKEN: 'short' } })).rejects.toThrow(
      'SAMPLE_ADMIN_TOKEN must be at least 16 characters',
    );
  });

  it('in development, prints each code under a banner, and nowhere else', async () => {
    expect(sample.logs.lines.join('\n')).toContain(
      'DEVELOPMENT MODE: no Twilio credentials are set.',
    );
    await request(sample.url)
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0123' })
      .expect(200, { results: true, ...SMS_SENT });
    const code = sample.emulator.lastCode('+12015550123')!;
    expect(sample.logs.lines.filter((line) => line.includes(code))).toEqual([
      `warn DEVELOPMENT MODE: code ${code} "sent" by SMS to the number ending 0123 TwilioVerifyEmulator`,
    ]);
    expect(sample.logs.lines.join('\n')).not.toContain('+12015550123');
    await request(sample.url)
      .get('/api/sample')
      .expect(200, {
        developmentMode: true,
        adminEnabled: false,
        siteName: 'nestjs-otp sample',
        siteLogo: '/logo.svg',
        channels: ['sms', 'call'],
        trustedDeviceDays: 30,
        // WebAuthn takes no IP address as a passkey's domain: the page is on localhost for them.
        passkeys: { rpId: 'localhost', origins: [`http://localhost:${process.env.PORT || 3000}`] },
      });
  });

  it('with Twilio credentials, talks to the Twilio they name and prints no code', async () => {
    const twilio = await new TwilioVerifyEmulator().start();
    try {
      const withCredentials = await startSampleApp({
        env: {
          TWILIO_ACCOUNT_SID: twilio.accountSid,
          TWILIO_AUTH_TOKEN: twilio.authToken,
          TWILIO_VERIFY_SERVICE_SID: twilio.serviceSid,
          TWILIO_VERIFY_BASE_URL: twilio.url,
        },
      });
      try {
        expect(withCredentials.emulator).toBeUndefined();
        await request(withCredentials.url)
          .post('/auth/otp/send')
          .send({ channel: 'call', countryCode: 'US', phoneNumber: '(201) 555-0124' })
          .expect(200);
      } finally {
        await withCredentials.close();
      }
      expect(twilio.deliveries('+12015550124').map((d) => d.channel)).toEqual(['call']);
      const logged = withCredentials.logs.lines.join('\n');
      expect(logged).not.toContain('DEVELOPMENT MODE');
      expect(logged).not.toContain(twilio.lastCode('+12015550124'));
    } finally {
      await twilio.stop();
    }
  });

  it('mounts the admin routes only with SAMPLE_ADMIN_TOKEN, behind that token', async () => {
    await request(sample.url).get('/auth/admin/members').expect(404);

    const withAdmin = await startSample({ env: { SAMPLE_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      const admin = request(withAdmin.url);
      expect((await admin.get('/api/sample').expect(200)).body).toMatchObject({
        developmentMode: true,
        adminEnabled: true,
      });
      const refused = {
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHENTICATED',
        message: 'The admin token is missing or incorrect.',
        results: false,
      };
      await admin.get('/auth/admin/members').expect(401, refused);
      await admin.get('/auth/admin/members').set('X-Admin-Token', 'x').expect(401, refused);
      await admin
        .get('/auth/admin/members')
        .set('X-Admin-Token', `${ADMIN_TOKEN}.`)
        .expect(401, refused);
      await admin
        .get('/auth/admin/members')
        .set('X-Admin-Token', ADMIN_TOKEN)
        .expect(200, { items: [], nextCursor: null });
    } finally {
      await withAdmin.close();
    }
  });

  it('serves Swagger UI at /docs, listing every route with its bodies and error responses', async () => {
    const page = await request(sample.url).get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    const { body: document } = await request(sample.url).get('/docs-json').expect(200);
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/api/authenticator',
        '/api/members-area',
        '/api/sample',
        '/members',
        '/auth/2fa/login',
        '/auth/2fa/login/send',
        '/auth/2fa/password/change',
        '/auth/2fa/password/change/send',
        '/auth/2fa/password/reset',
        '/auth/2fa/password/send',
        '/auth/2fa/register',
        '/auth/2fa/register/send',
        '/auth/account',
        '/auth/account/delete/send',
        '/auth/account/devices',
        '/auth/account/devices/{id}',
        '/auth/account/email',
        '/auth/account/email/send',
        '/auth/account/passkeys',
        '/auth/account/passkeys/options',
        '/auth/account/passkeys/{id}',
        '/auth/account/phone',
        '/auth/account/phone/send',
        '/auth/account/recovery-codes',
        '/auth/account/totp',
        '/auth/account/totp/confirm',
        '/auth/countries',
        '/auth/logout',
        '/auth/me',
        '/auth/otp/login',
        '/auth/otp/recover',
        '/auth/otp/send',
        '/auth/passkey/login',
        '/auth/passkey/options',
        '/auth/session/verify',
        '/auth/session/verify/passkey/options',
        '/auth/session/verify/send',
        '/auth/sessions',
        '/auth/sessions/{id}',
      ].sort(),
    );
    const register = document.paths['/auth/2fa/register'].post;
    expect(register.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RegisterDto',
    });
    expect(Object.keys(register.responses)).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '409', '429', '503']),
    );
    expect(document.paths['/api/members-area'].get.responses['401']).toBeDefined();
    expect(document.components.securitySchemes).toEqual(
      expect.objectContaining({ cookie: expect.objectContaining({ name: 'otp_session' }) }),
    );
  });

  it('lists the admin routes in the OpenAPI document, with the admin token as their security', async () => {
    const withAdmin = await startSample({ env: { SAMPLE_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      const { body: document } = await request(withAdmin.url).get('/docs-json').expect(200);
      for (const path of [
        '/auth/admin/members',
        '/auth/admin/members/{id}',
        '/auth/admin/members/{id}/phone',
        '/auth/admin/members/{id}/approve',
        '/auth/admin/members/{id}/block',
        '/auth/admin/members/{id}/unblock',
      ]) {
        const operation = document.paths[path].get ?? document.paths[path].post;
        expect(operation.security).toEqual([{ 'admin-token': [] }]);
      }
      expect(document.components.securitySchemes['admin-token']).toEqual({
        type: 'apiKey',
        in: 'header',
        name: 'X-Admin-Token',
      });
    } finally {
      await withAdmin.close();
    }
  });

  it('keeps the session in an HttpOnly SameSite=Lax cookie; cookie-signed changes need X-Requested-With', async () => {
    const http = request(sample.url);
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0125' };
    await http
      .post('/auth/otp/send')
      .send({ ...phone, channel: 'sms' })
      .expect(200);
    const login = await http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: sample.emulator.lastCode('+12015550125') })
      .expect(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^otp_session=[\w-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const cookie = setCookie.split(';')[0];

    const area = await http.get('/api/members-area').set('Cookie', cookie).expect(200);
    expect(area.body).toEqual({
      greeting: 'Welcome, 12015550125@members.example.com',
      member: expect.objectContaining({ phoneNumber: '+12015550125', status: 'approved' }),
    });
    const page = await http.get('/members').set('Cookie', cookie).expect(200);
    expect(page.text).toContain('Welcome, <strong>12015550125@members.example.com</strong>.');

    await http
      .post('/auth/logout')
      .set('Cookie', cookie)
      .expect(403)
      .expect(({ body }) => expect(body.code).toBe('CSRF_CHECK_FAILED'));
    await http
      .post('/auth/logout')
      .set('Cookie', cookie)
      .set('X-Requested-With', 'fetch')
      .expect(204);

    await http
      .get('/api/members-area')
      .set('Cookie', cookie)
      .expect(401)
      .expect(({ body }) =>
        expect(body).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Sign in to continue.' }),
      );
    const signedOut = await http.get('/members').set('Cookie', cookie).expect(401);
    expect(signedOut.type).toBe('text/html');
    expect(signedOut.text).toContain('Sign in to continue.');
  });

  it('accepts JSON bodies only, so a cross-site form cannot post to the routes', async () => {
    await request(sample.url)
      .post('/auth/otp/send')
      .type('form')
      .send('channel=sms&countryCode=US&phoneNumber=2015550126')
      .expect(415)
      .expect(({ body }) => expect(body.code).toBe('UNSUPPORTED_MEDIA_TYPE'));
    expect(sample.emulator.deliveries('+12015550126')).toEqual([]);
  });

  it('sends the page with strict security headers', async () => {
    const page = await request(sample.url).get('/').expect(200);
    expect(page.type).toBe('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-powered-by']).toBeUndefined();
  });
});
