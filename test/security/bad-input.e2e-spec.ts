import { createTestApp, type TestApp } from '../support/test-app.js';

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
        .expect(200, { results: true });
    } finally {
      await t.close();
    }
  });
});
