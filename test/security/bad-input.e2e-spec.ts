import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  ForbiddenException,
  HttpCode,
  type INestApplication,
  Injectable,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { type Server, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_FILTER } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import express from 'express';
import { OtpGlobalExceptionFilter, OtpModule } from 'nestjs-otp';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { LogCapture } from '../support/log-capture.js';
import { SMS_SENT } from '../support/flows.js';
import { TestRateLimitStorage } from '../support/rate-limit-storage.js';
import {
  createTestApp,
  emulatorOptions,
  testAppOf,
  testDatabase,
  type TestApp,
  US_PHONE,
} from '../support/test-app.js';

/** Every route that takes a body, with a valid body to start from. */
const ROUTES: [string, Record<string, unknown>][] = [
  ['/auth/otp/send', { channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0123' }],
  [
    '/auth/otp/login',
    { confirmationCode: '123456', countryCode: 'US', phoneNumber: '(201) 555-0123' },
  ],
  [
    '/auth/2fa/register/send',
    { email: 'a@example.com', phoneNumber: '(201) 555-0123', countryCode: 'US', channel: 'sms' },
  ],
  [
    '/auth/2fa/register',
    {
      email: 'a@example.com',
      phoneNumber: '(201) 555-0123',
      countryCode: 'US',
      password: 'correct horse battery',
      confirmationCode: '123456',
    },
  ],
  [
    '/auth/2fa/login/send',
    { email: 'a@example.com', password: 'correct horse battery', channel: 'sms' },
  ],
  [
    '/auth/2fa/login',
    { email: 'a@example.com', password: 'correct horse battery', confirmationCode: '123456' },
  ],
  ['/auth/2fa/password/send', { email: 'a@example.com', channel: 'sms' }],
  [
    '/auth/2fa/password/reset',
    { email: 'a@example.com', confirmationCode: '123456', newPassword: 'another good one' },
  ],
];

const flagOf = (path: string) =>
  path.startsWith('/auth/2fa/register') ? 'registerUser' : 'results';

describe('Bad input on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  afterEach(async () => {
    // Nothing was stored and nothing reached Twilio.
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_members');
    expect(Number(n)).toBe(0);
    expect(t.emulator.requests()).toEqual([]);
  });

  const cases: [
    string,
    (body: Record<string, unknown>) => { type?: string; raw: string },
    number,
    string,
  ][] = [
    [
      'malformed JSON',
      () => ({ type: 'application/json', raw: '{"channel": "sms",' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'text/plain',
      (b) => ({ type: 'text/plain', raw: JSON.stringify(b) }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a form',
      () => ({ type: 'application/x-www-form-urlencoded', raw: 'channel=sms&countryCode=US' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON array',
      (b) => ({ type: 'application/json', raw: JSON.stringify([b]) }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a JSON string',
      () => ({ type: 'application/json', raw: '"hello"' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an extra field',
      (b) => ({ type: 'application/json', raw: JSON.stringify({ ...b, isAdmin: true }) }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a __proto__ key',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify(b).replace('{', '{"__proto__":{"polluted":1},'),
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a constructor key',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify({ constructor: { prototype: { x: 1 } }, ...b }),
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a 1 MB body',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify({ ...b, pad: 'x'.repeat(1 << 20) }),
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a missing field',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify({ ...b, [Object.keys(b)[0]]: undefined }),
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'numbers for strings',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify(Object.fromEntries(Object.keys(b).map((k) => [k, 12345678]))),
      }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'objects for strings',
      (b) => ({
        type: 'application/json',
        raw: JSON.stringify(Object.fromEntries(Object.keys(b).map((k) => [k, { $ne: null }]))),
      }),
      400,
      'VALIDATION_FAILED',
    ],
  ];

  for (const [path, valid] of ROUTES) {
    it.each(cases)(`${path} refuses %s`, async (_label, make, status, code) => {
      const { type, raw } = make(valid);
      const res = await t.http
        .post(path)
        .set('Content-Type', type ?? 'application/json')
        .send(raw);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        statusCode: status,
        error: expect.any(String),
        code,
        message: expect.any(String),
        [flagOf(path)]: false,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/SyntaxError|at \/|node_modules|SELECT|INSERT/);
    });
  }

  it.each([
    ['SQL injection', "2015550123' OR '1'='1"],
    ['SQL comment', '2015550123; DROP TABLE otp_members;--'],
    ['CR/LF', '201555\r\n0123'],
    ['a control character', '201555\u00000123'],
    ['full-width digits', '２０１５５５０１２３'],
    ['Arabic-Indic digits', '٢٠١٥٥٥٠١٢٣'],
    ['a zero-width space', '201555\u200b0123'],
    ['emoji', '201555📞0123'],
    ['a list of numbers', '2015550123,2015550124'],
    ['a number with an extension', '2015550123 ext. 12'],
  ])('refuses a phone number with %s as INVALID_PHONE_NUMBER', async (_label, phoneNumber) => {
    const res = await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber });
    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/INVALID_PHONE_NUMBER|VALIDATION_FAILED/);
  });

  it.each([
    ['SQL injection', "a@example.com' OR 1=1 --"],
    ['a list of emails', 'a@example.com,b@example.com'],
    ['CR/LF', 'a@example.com\r\nBcc: b@example.com'],
    ['no domain', 'alice'],
  ])('refuses an email with %s with 400', async (_label, email) => {
    const res = await t.http.post('/auth/2fa/register/send').send({
      email,
      phoneNumber: '(201) 555-0123',
      countryCode: 'US',
      channel: 'sms',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
  });

  it.each([
    ['a number', 123456],
    ['an array', ['123456']],
    ['an object', { code: '123456' }],
    ['letters', '12a456'],
    ['too long', '1'.repeat(11)],
  ])('refuses a confirmation code given as %s', async (_label, confirmationCode) => {
    const res = await t.http
      .post('/auth/otp/login')
      .send({ confirmationCode, countryCode: 'US', phoneNumber: '(201) 555-0123' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a 1 MB password with 413 before any hashing', async () => {
    const start = Date.now();
    const res = await t.http.post('/auth/2fa/login/send').send({
      email: 'a@example.com',
      password: 'p'.repeat(1 << 20),
      channel: 'sms',
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(Date.now() - start).toBeLessThan(2_000);
  });

  it('keeps CR/LF in user input out of the logs', async () => {
    await t.http.post('/auth/2fa/login/send').send({
      email: 'x@example.com\r\nERROR [OtpModule] forged line',
      password: 'whatever it is\r\nERROR forged',
      channel: 'sms',
    });
    await t.http.post('/auth/2fa/login/send').send({
      email: 'someone@example.com',
      password: 'whatever it is\r\nERROR forged',
      channel: 'sms',
    });
    expect(t.logs.lines.join('\n')).not.toContain('forged');
    expect(t.logs.lines.every((line) => !/[\r\n]/.test(line))).toBe(true);
  });
});

describe('After bad input', () => {
  it('later requests are unaffected', async () => {
    const t = await createTestApp();
    try {
      await t.http
        .post('/auth/otp/send')
        .set('Content-Type', 'application/json')
        .send('{"x":')
        .expect(400);
      await t.http.post('/auth/otp/send').set('Content-Type', 'text/plain').send('x').expect(415);
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0123' })
        .expect(200, { results: true, ...SMS_SENT });
    } finally {
      await t.close();
    }
  });
});

/** A host app's own route outside the module's prefix, answering the body its parser produced. */
@Controller('host')
class HostEchoController {
  @Post('echo')
  @HttpCode(200)
  echo(
    @Body() body: unknown,
    @Req() request: { rawBody?: Buffer },
  ): { body: unknown; rawBody: string | null } {
    return { body, rawBody: request.rawBody?.toString('utf8') ?? null };
  }
}

/** A host's admin guard: lets `x-admin: yes` in, refuses others with its own exception. */
@Injectable()
class HostAdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const headers = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string> }>().headers;
    if (headers['x-admin'] === 'yes') return true;
    if (headers['x-admin'] === 'quiet') return false;
    if (headers['x-admin'] === 'who') throw new UnauthorizedException('Admins sign in first.');
    throw new ForbiddenException('Only administrators may do this.');
  }
}

type Platform = 'express' | 'fastify';

interface PlatformAppOptions {
  rawBody?: boolean;
  bodyParser?: boolean;
  /** An Express app of the host's, given to Nest's adapter (Express only). */
  server?: express.Express;
  /** Runs on the app before `init()`, as a host's `main.ts` would. */
  configure?: (app: INestApplication) => void;
}

/** The module behind `admin.guard`, plus a host route, on Express or Fastify. */
async function createPlatformApp(
  platform: Platform,
  options: PlatformAppOptions = {},
): Promise<TestApp> {
  const emulator = await new TwilioVerifyEmulator().start();
  const logs = new LogCapture();
  const storage = new TestRateLimitStorage(() => emulator.now());
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        testDatabase(),
        OtpModule.forRoot({
          ...emulatorOptions(emulator, storage),
          admin: { guard: HostAdminGuard },
        }),
      ],
      controllers: [HostEchoController],
      providers: [{ provide: APP_FILTER, useClass: OtpGlobalExceptionFilter }],
    }).compile();
    const appOptions = { logger: logs, rawBody: options.rawBody, bodyParser: options.bodyParser };
    const app =
      platform === 'fastify'
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), appOptions)
        : moduleRef.createNestApplication(new ExpressAdapter(options.server), appOptions);
    options.configure?.(app);
    await app.init();
    if (platform === 'fastify') {
      await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
    }
    return testAppOf(app, { emulator, logs, storage, ownEmulator: true });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** POSTs `pieces` as a chunked body (no Content-Length), a few milliseconds apart. */
async function sendInPieces(
  t: TestApp,
  path: string,
  pieces: (string | Buffer)[],
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: unknown }> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    outgoing.on('error', reject);
    void (async () => {
      for (const piece of pieces) {
        outgoing.write(piece);
        await new Promise((next) => setTimeout(next, 5));
      }
      outgoing.end();
    })();
  });
}

/** `[[[ ... ]]]`, `depth` arrays deep. */
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A body with `first` for its first key followed by `rest`, as raw JSON text. */
const rawBody = (first: string, rest: Record<string, unknown>) =>
  `{${first},${JSON.stringify(rest).slice(1)}`;

const memberCount = async (t: TestApp) => {
  const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_members');
  return Number(n);
};

describe.each<Platform>(['express', 'fastify'])('Hostile JSON on %s', (platform) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createPlatformApp(platform);
  });
  beforeEach(() => t.reset());
  afterAll(() => t?.close());

  const post = (path: string, raw: string) =>
    t.http.post(path).set('Content-Type', 'application/json').send(raw);

  it.each(ROUTES)(
    '%s refuses arrays nested 1,500 deep at once, logging no error',
    async (path, valid) => {
      const [first, ...others] = Object.keys(valid);
      const rest = Object.fromEntries(others.map((key) => [key, valid[key]]));
      const raw = rawBody(`"${first}":${nestedArrays(1_500)}`, rest);
      expect(raw.length).toBeLessThan(4_000);
      const start = Date.now();
      const res = await post(path, raw);
      expect(Date.now() - start).toBeLessThan(1_000);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: 'The body is nested too deeply.',
        [flagOf(path)]: false,
      });
      expect(t.logs.lines.filter((line) => /^(error|fatal)|RangeError/.test(line))).toEqual([]);
    },
  );

  it('refuses a top-level array nested 1,500 deep', async () => {
    const res = await post('/auth/otp/send', nestedArrays(1_500));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
    expect(t.logs.lines.filter((line) => /^(error|fatal)|RangeError/.test(line))).toEqual([]);
  });

  it.each(ROUTES)('%s refuses a body that repeats a key', async (path, valid) => {
    const [first] = Object.keys(valid);
    const res = await post(path, rawBody(`"${first}":${JSON.stringify(valid[first])}`, valid));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'The body carries a key more than once.',
      [flagOf(path)]: false,
    });
    expect(await memberCount(t)).toBe(0);
    expect(t.emulator.requests()).toEqual([]);
  });

  it('refuses a key repeated under another spelling (\\u escape)', async () => {
    const res = await post(
      '/auth/otp/send',
      '{"channel":"sms","\\u0063hannel":"call","countryCode":"US","phoneNumber":"(201) 555-0123"}',
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
    expect(t.emulator.requests()).toEqual([]);
  });

  it('refuses duplicate keys nested inside objects', async () => {
    const res = await post(
      '/auth/otp/send',
      '{"channel":"sms","countryCode":"US","phoneNumber":{"n":"1","n":"(201) 555-0123"}}',
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The body carries a key more than once.',
      results: false,
    });
  });

  it('refuses a sign-up with two confirmationCode keys, writing nothing, and takes it with one', async () => {
    const signUp = {
      email: `dup-${platform}@example.org`,
      phoneNumber: '(201) 555-0199',
      countryCode: 'US',
      channel: 'sms',
    };
    await t.http
      .post('/auth/2fa/register/send')
      .send(signUp)
      .expect(200, { registerUser: true, ...SMS_SENT });
    const code = t.emulator.lastCode('+12015550199')!;
    const fields = {
      email: signUp.email,
      phoneNumber: signUp.phoneNumber,
      countryCode: signUp.countryCode,
      password: 'correct horse battery',
      confirmationCode: code,
    };
    const refused = await post(
      '/auth/2fa/register',
      rawBody('"confirmationCode":"000000"', fields),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
    expect(await memberCount(t)).toBe(0);

    const accepted = await post('/auth/2fa/register', JSON.stringify(fields));
    expect(accepted.status).toBe(201);
    expect(accepted.body.member).toMatchObject({ email: signUp.email, status: 'approved' });
  });

  it('answers a normal body as before', async () => {
    t.emulator.advanceTime(11 * 60_000);
    await post(
      '/auth/otp/send',
      JSON.stringify({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE }),
    ).expect(200, { results: true, ...SMS_SENT });
  });

  it('keeps the generic answers of the parser: malformed JSON, too large, not JSON', async () => {
    const malformed = await post('/auth/otp/send', '{"channel": "sms",');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
    expect(JSON.stringify(malformed.body)).not.toMatch(/SyntaxError|JSON at|position/);

    // Each route keeps its own flag, although the parser refused the body before routing.
    for (const path of ['/auth/2fa/register/send', '/auth/2fa/register', '/auth/2fa/register/']) {
      const registration = await post(path, '{"email":');
      expect(registration.status).toBe(400);
      expect(registration.body).toMatchObject({ code: 'VALIDATION_FAILED', registerUser: false });
      expect(registration.body).not.toHaveProperty('results');
    }
    const signIn = await post('/auth/2fa/login/send', '{"email":');
    expect(signIn.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
    expect(signIn.body).not.toHaveProperty('registerUser');

    const large = await post('/auth/otp/send', JSON.stringify({ pad: ' '.repeat(1 << 20) }));
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', results: false });

    const padded = await post(
      '/auth/otp/send',
      `{"channel":"sms",${' '.repeat(200_000)}"channel":"call","countryCode":"US","phoneNumber":"1"}`,
    );
    expect(padded.status).toBe(413);
    expect(padded.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', results: false });

    const text = await t.http.post('/auth/otp/send').set('Content-Type', 'text/plain').send('x');
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', results: false });
  });

  it('reads a body sent in pieces without a length, split inside keys', async () => {
    const duplicate = await sendInPieces(t, '/auth/otp/send', [
      '{"chan',
      'nel":"sms","coun',
      'tryCode":"US","phoneNumber":"(201) 555-0123","cha',
      'nnel":"call"}',
    ]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The body carries a key more than once.',
    });

    t.emulator.advanceTime(11 * 60_000);
    const valid = await sendInPieces(t, '/auth/otp/send', [
      '{"channel":"sms",',
      ' '.repeat(40_000),
      '"countryCode":"US",',
      ' '.repeat(40_000),
      '"phoneNumber":"(201) 555-0123"}',
    ]);
    expect(valid).toEqual({ status: 200, body: { results: true, ...SMS_SENT } });

    const large = await sendInPieces(t, '/auth/otp/send', [
      '{"channel":"sms",',
      ...Array.from({ length: 12 }, () => ' '.repeat(10_000)),
      '"countryCode":"US","phoneNumber":"(201) 555-0123"}',
    ]);
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', results: false });
  });

  it('takes a valid body of 90 kB that arrives in many packets', async () => {
    t.emulator.advanceTime(11 * 60_000);
    const res = await post(
      '/auth/otp/send',
      `{"channel":"sms",${' '.repeat(90_000)}"countryCode":"US","phoneNumber":"(201) 555-0123"}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: true, ...SMS_SENT });
  });

  it('refuses a body in a charset other than UTF-8', async () => {
    const body = JSON.stringify({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE });
    const sent = t.emulator.requests().length;
    const res = await sendInPieces(t, '/auth/otp/send', [Buffer.from(body, 'utf16le')], {
      'content-type': 'application/json; charset=utf-16le',
    });
    // body-parser decodes UTF-16, then the module refuses it; Fastify's parser reads UTF-8 only.
    const [status, code] =
      platform === 'express' ? [415, 'UNSUPPORTED_MEDIA_TYPE'] : [400, 'VALIDATION_FAILED'];
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, results: false });
    expect(t.emulator.requests()).toHaveLength(sent);
  });

  it("leaves a host route's parsing alone: duplicate keys there parse as the host's parser does", async () => {
    const res = await post('/host/echo', '{"a":1,"a":2,"deep":[[[[[[[[]]]]]]]]}');
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ a: 2, deep: [[[[[[[[]]]]]]]] });
  });

  it("answers a host admin guard's refusal with its own status and message", async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const forbidden = await t.http.post(`/auth/admin/members/${id}/block`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      code: 'FORBIDDEN',
      message: 'Only administrators may do this.',
      results: false,
    });

    const quiet = await t.http.get('/auth/admin/members').set('x-admin', 'quiet');
    expect(quiet.status).toBe(403);
    expect(quiet.body).toMatchObject({ code: 'FORBIDDEN', message: 'Forbidden resource' });

    const unauthenticated = await t.http.get('/auth/admin/members').set('x-admin', 'who');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Admins sign in first.',
      results: false,
    });

    await t.http
      .get('/auth/admin/members?status=pending')
      .set('x-admin', 'yes')
      .expect(200, { items: [], nextCursor: null });
  });
});

describe.each<Platform>(['express', 'fastify'])(
  'Hosts that configure parsing on %s',
  (platform) => {
    const duplicateSend =
      '{"channel":"sms","channel":"call","countryCode":"US","phoneNumber":"(201) 555-0123"}';
    const validSend = JSON.stringify({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE });

    it('with rawBody: true, refuses duplicate keys and keeps the raw body of host routes', async () => {
      const t = await createPlatformApp(platform, { rawBody: true });
      try {
        const refused = await t.http
          .post('/auth/otp/send')
          .set('Content-Type', 'application/json')
          .send(duplicateSend);
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
        await t.http
          .post('/auth/otp/send')
          .set('Content-Type', 'application/json')
          .send(validSend)
          .expect(200, { results: true, ...SMS_SENT });
        const echoed = await t.http
          .post('/host/echo')
          .set('Content-Type', 'application/json')
          .send('{"a":1,"a":2}');
        expect(echoed.body).toEqual({ body: { a: 2 }, rawBody: '{"a":1,"a":2}' });
      } finally {
        await t.close();
      }
    });

    it('with bodyParser: false and a parser of its own, refuses duplicate keys', async () => {
      const t = await createPlatformApp(platform, {
        bodyParser: false,
        configure: (app) => {
          if (platform === 'express') app.use(express.json());
        },
      });
      try {
        const refused = await t.http
          .post('/auth/otp/send')
          .set('Content-Type', 'application/json')
          .send(duplicateSend);
        expect(refused.status).toBe(400);
        expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
        await t.http
          .post('/auth/otp/send')
          .set('Content-Type', 'application/json')
          .send(validSend)
          .expect(200, { results: true, ...SMS_SENT });
      } finally {
        await t.close();
      }
    });
  },
);

describe('A host that parses bodies before Nest on Express', () => {
  it('still refuses deep nesting, and warns once that repeated keys cannot be seen', async () => {
    const server = express();
    server.use(express.json());
    const t = await createPlatformApp('express', { server });
    try {
      const deep = await t.http
        .post('/auth/otp/send')
        .set('Content-Type', 'application/json')
        .send(`{"channel":${nestedArrays(1_500)},"countryCode":"US","phoneNumber":"1"}`);
      expect(deep.status).toBe(400);
      expect(deep.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'The body is nested too deeply.',
      });
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
        .expect(200, { results: true, ...SMS_SENT });
      const warnings = t.logs.lines.filter((line) => line.includes('cannot be refused'));
      expect(warnings).toHaveLength(1);
      expect(t.logs.lines.filter((line) => /^(error|fatal)/.test(line))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
