import { type CanActivate, Injectable } from '@nestjs/common';
import type { OtpModuleOptions } from 'nestjs-otp';
import { bearer, registerTwoFactor, signInByPhone } from '../support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from '../support/test-app.js';

@Injectable()
class LetAdminsIn implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

const PASSWORD = 'correct horse battery staple';
const ALICE = 'alice@example.com';

/** The error an app with `otp` fails to start with (an app that starts is closed, and fails the test). */
async function startupError(otp: Partial<OtpModuleOptions>): Promise<Error> {
  let t: TestApp;
  try {
    t = await createTestApp({ otp });
  } catch (error) {
    return error as Error;
  }
  await t.close();
  throw new Error('the app started');
}

describe('Forgetting a trusted device', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  it('is logged with the member and the device, never the token', async () => {
    await registerTwoFactor(t, ALICE, PASSWORD, US_PHONE, US_E164);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: ALICE, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await t.http
      .post('/auth/2fa/login')
      .send({
        email: ALICE,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode(US_E164),
        rememberDevice: true,
      })
      .expect(200);
    const { sessionToken, deviceToken, member } = signedIn.body as {
      sessionToken: string;
      deviceToken: string;
      member: { id: string };
    };
    const listed = await t.http.get('/auth/account/devices').set(bearer(sessionToken)).expect(200);
    const deviceId = listed.body[0].id as string;

    await t.http.delete(`/auth/account/devices/${deviceId}`).set(bearer(sessionToken)).expect(204);

    const forgotten = t.logs.lines.filter((line) => line.includes(deviceId));
    expect(forgotten).toEqual([
      expect.stringContaining(`Member ${member.id} forgot trusted device ${deviceId}`),
    ]);
    expect(t.logs.lines.join('\n')).not.toContain(deviceToken);
  });
});

describe('Cookie options are checked at start-up', () => {
  type CookieOptions = NonNullable<OtpModuleOptions['session']>['cookie'];
  const start = (cookie: CookieOptions) =>
    createTestApp({ otp: { session: { cookie: { secure: false, ...cookie } } } });
  const refusal = (cookie: CookieOptions) =>
    startupError({ session: { cookie: { secure: false, ...cookie } } });

  it.each([
    'example.com; HttpOnly',
    'exa mple.com',
    'https://example.com',
    'example.com:3000',
    'example.com.',
    '-example.com',
    '',
    '127.0.0.1',
    `${'a'.repeat(64)}.com`,
  ])('refuses the domain %j, naming session.cookie.domain', async (domain) => {
    expect((await refusal({ domain })).message).toMatch(
      /option "session\.cookie\.domain" must be a domain name/,
    );
  });

  it.each(['app', '', '/app;Domain=evil.example', '/app\r\nSet-Cookie: x=1', '/a<b', '/caf\u00e9'])(
    'refuses the path %j, naming session.cookie.path',
    async (path) => {
      expect((await refusal({ path })).message).toMatch(
        /option "session\.cookie\.path" must start/,
      );
    },
  );

  it('sets a cookie with a good domain and path', async () => {
    const t = await start({ domain: '.example.com', path: '/app' });
    try {
      const res = await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200);
      expect(res.status).toBe(200);
      const login = await t.http
        .post('/auth/otp/login')
        .send({
          confirmationCode: t.emulator.lastCode(US_E164),
          countryCode: 'US',
          phoneNumber: US_PHONE,
        })
        .expect(200);
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toContain('Domain=.example.com');
      expect(cookie).toContain('Path=/app');
    } finally {
      await t.close();
    }
  });
});

describe('allowedCountries is checked against the countries the module serves', () => {
  it.each([['XK'], ['AC'], ['ta']])('refuses %s at start-up, naming it', async (code) => {
    expect((await startupError({ allowedCountries: ['US', code] })).message).toMatch(
      new RegExp(`option "allowedCountries" names "${code.toUpperCase()}"`),
    );
  });

  it('accepts every country of its own country list, and lists them all back', async () => {
    const everyone = await createTestApp();
    let codes: string[];
    try {
      const res = await everyone.http.get('/auth/countries').expect(200);
      codes = (res.body as { code: string }[]).map((country) => country.code);
    } finally {
      await everyone.close();
    }
    expect(codes).not.toEqual(expect.arrayContaining(['AC']));
    const t = await createTestApp({ otp: { allowedCountries: codes } });
    try {
      const res = await t.http.get('/auth/countries').expect(200);
      expect((res.body as { code: string }[]).map((country) => country.code)).toEqual(codes);
    } finally {
      await t.close();
    }
  });
});

describe('Admin search by a national number', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ extras: { admin: { guard: LetAdminsIn } } });
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  const search = async (q: string): Promise<string[]> => {
    const res = await t.http.get('/auth/admin/members').query({ q }).expect(200);
    return (res.body.items as { phoneNumber: string }[]).map((m) => m.phoneNumber);
  };

  it('finds the member whose number it is, without the country code', async () => {
    await signInByPhone(t);
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'GB', phoneNumber: '07400 123456' })
      .expect(200);
    await t.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: t.emulator.lastCode('+447400123456'),
        countryCode: 'GB',
        phoneNumber: '07400 123456',
      })
      .expect(200);

    expect(await search('2015550123')).toEqual([US_E164]);
    expect(await search('(201) 555-0123')).toEqual([US_E164]);
    expect(await search('07400 123456')).toEqual(['+447400123456']);
    expect(await search('7400123456')).toEqual(['+447400123456']);
    // With the country code, as before: the start of the number.
    expect(await search('+44 7400')).toEqual(['+447400123456']);
    expect(await search('2015550124')).toEqual([]);
  });
});
