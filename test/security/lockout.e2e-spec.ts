import { registerTwoFactor } from '../support/flows.js';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PASSWORD = 'correct horse battery staple';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A JSON POST from a chosen loopback address, so that tests can be several clients. */
function postFrom(t: TestApp, from: string, path: string, body: object): Promise<Reply> {
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text || '{}'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function listening(t: TestApp): Promise<void> {
  await new Promise<void>((resolve) => t.app.getHttpServer().listen(0, '127.0.0.1', resolve));
}

const registerMember = (t: TestApp, email: string, phoneNumber: string, e164: string) =>
  registerTwoFactor(t, email, PASSWORD, phoneNumber, e164);

describe('Wrong codes from someone who never asked for one', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: {
        rateLimit: {
          checksPerIp: { limit: 1000, windowSeconds: 900 },
          passwordAttemptsPerIp: { limit: 1000, windowSeconds: 900 },
        },
      },
    });
  });
  afterAll(() => t.close());

  it('cost the member nothing: after 100 of them the member signs in by phone at once', async () => {
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0181' };
    for (let i = 0; i < 100; i++) {
      const res = await t.http
        .post('/auth/otp/login')
        .send({ ...phone, confirmationCode: String(100000 + i) });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('CODE_EXPIRED');
    }
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone })
      .expect(200);
    await t.http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: t.emulator.lastCode('+12015550181') })
      .expect(200);
  });

  // 100 sign-ins with the right password: 100 argon2id checks, a few seconds on a small machine.
  it('cost a two-factor member nothing either', async () => {
    await registerMember(t, 'dora@example.com', '(201) 555-0182', '+12015550182');
    for (let i = 0; i < 100; i++) {
      await t.http
        .post('/auth/2fa/login')
        .send({
          email: 'dora@example.com',
          password: PASSWORD,
          confirmationCode: String(200000 + i),
        })
        .expect(401);
    }
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'dora@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    await t.http
      .post('/auth/2fa/login')
      .send({
        email: 'dora@example.com',
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode('+12015550182'),
      })
      .expect(200);
  }, 30_000);
});

describe('Junk recovery codes from many clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await listening(t);
  });
  afterAll(() => t.close());

  it('do not lock out the member who lost their phone: their right code still signs in', async () => {
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0176' };
    await postFrom(t, '127.0.0.9', '/auth/otp/send', { ...phone, channel: 'sms' });
    const signedIn = await postFrom(t, '127.0.0.9', '/auth/otp/login', {
      ...phone,
      confirmationCode: t.emulator.lastCode('+12015550176'),
    });
    expect(signedIn.status).toBe(200);
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const made = await fetch(`http://127.0.0.1:${port}/auth/account/recovery-codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signedIn.body.sessionToken as string}` },
    });
    const { codes } = (await made.json()) as { codes: string[] };
    // 150 junk codes for the number from three rotating addresses, each within its own budget.
    for (let i = 0; i < 150; i++) {
      const res = await postFrom(t, `127.0.0.${20 + (i % 3)}`, '/auth/otp/recover', {
        ...phone,
        recoveryCode: `ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-${String(1000 + i).slice(-4)}`,
      });
      expect([res.status, res.body.code]).toEqual([401, 'INVALID_CODE']);
    }
    const recovered = await postFrom(t, '127.0.0.30', '/auth/otp/recover', {
      ...phone,
      recoveryCode: codes[0],
    });
    expect(recovered.status).toBe(200);
    expect(recovered.body.recoveryCodesRemaining).toBe(9);
  });
});

describe('Wrong passwords from other clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await listening(t);
    await registerMember(t, 'erin@example.com', '(201) 555-0183', '+12015550183');
  });
  afterAll(() => t.close());

  const loginSend = (from: string, password: string) =>
    postFrom(t, from, '/auth/2fa/login/send', {
      email: 'erin@example.com',
      password,
      channel: 'sms',
    });

  it('lock that client out of that email only; the member on another client signs in', async () => {
    for (let i = 0; i < 10; i++)
      expect((await loginSend('127.0.0.2', `wrong ${i} pass`)).status).toBe(401);
    const locked = await loginSend('127.0.0.2', `wrong again pass`);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    t.emulator.advanceTime(31_000);
    expect((await loginSend('127.0.0.3', PASSWORD)).status).toBe(200);
  });

  it('from many clients meet a short account-wide wait, never a long lock', async () => {
    t.emulator.advanceTime(16 * 60_000);
    let refused: Reply | undefined;
    for (let client = 10; client < 20 && !refused; client++) {
      for (let i = 0; i < 5 && !refused; i++) {
        const res = await loginSend(`127.0.0.${client}`, `guess ${client} ${i}`);
        if (res.status === 429) refused = res;
        else expect(res.status).toBe(401);
      }
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await loginSend('127.0.0.4', PASSWORD)).status).toBe(429);
    t.emulator.advanceTime(61_000);
    expect((await loginSend('127.0.0.4', PASSWORD)).status).toBe(200);
  });
});

describe('A refused send', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      otp: { rateLimit: { sendsPerIp: { limit: 3, windowSeconds: 3600 } } },
    });
  });
  afterAll(() => t.close());

  it('costs nothing: resends refused by the cooldown leave the client budget whole', async () => {
    const send = (phoneNumber: string) =>
      t.http.post('/auth/otp/send').send({ channel: 'sms', countryCode: 'US', phoneNumber });
    await send('(201) 555-0184').expect(200);
    for (let i = 0; i < 5; i++) await send('(201) 555-0184').expect(429);
    await send('(201) 555-0185').expect(200);
    await send('(201) 555-0186').expect(200);
    await send('(201) 555-0187').expect(429);
  });
});

describe('Sign-up answers for registered emails and phones', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await registerMember(t, 'fay@example.com', '(201) 555-0188', '+12015550188');
  });
  afterAll(() => t.close());

  it('count against the send limits and meet 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      t.emulator.advanceTime(31_000);
      const res = await t.http.post('/auth/2fa/register/send').send({
        email: 'fay@example.com',
        phoneNumber: `(201) 555-${String(1000 + i)}`,
        countryCode: 'US',
        channel: 'sms',
      });
      statuses.push(res.status);
    }
    // The sign-up itself used one of the email's five sends.
    expect(statuses.slice(0, 4)).toEqual([409, 409, 409, 409]);
    expect(statuses).toContain(429);
  });
});

describe('Sign-up sends with a member’s email', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await registerMember(t, 'hal@example.com', '(201) 555-0178', '+12015550178');
  });
  afterAll(() => t.close());

  it('spend the sign-up’s own budget, not the member’s sign-in sends', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.emulator.advanceTime(31_000);
      const res = await t.http.post('/auth/2fa/register/send').send({
        email: 'hal@example.com',
        phoneNumber: `(201) 555-${String(2000 + i)}`,
        countryCode: 'US',
        channel: 'sms',
      });
      statuses.push(res.status);
    }
    // The member's sign-up used one of the email's five sign-up sends.
    expect(statuses).toEqual([409, 409, 409, 409, 429, 429]);
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'hal@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
  });
});

describe('Sign-up completions with a member’s phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await registerMember(t, 'fay@example.com', '(201) 555-0188', '+12015550188');
  });
  afterAll(() => t.close());

  it('on register are told only with the phone’s code, and junk codes cost the member nothing', async () => {
    // Sign-up completions with the member's phone, fresh emails and junk codes, from one client.
    for (let i = 0; i < 30; i++) {
      const res = await t.http.post('/auth/2fa/register').send({
        email: `probe${i}@example.com`,
        phoneNumber: '(201) 555-0188',
        countryCode: 'US',
        password: PASSWORD,
        confirmationCode: String(100000 + i),
      });
      // No code is pending for the number: nothing tells that it is a member's.
      expect([res.status, res.body.code]).toEqual([401, 'CODE_EXPIRED']);
    }
    // The member's own two-factor sign-in, with the right password and code, is not held up.
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'fay@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const wrong = await t.http.post('/auth/2fa/register').send({
      email: 'probe-pending@example.com',
      phoneNumber: '(201) 555-0188',
      countryCode: 'US',
      password: PASSWORD,
      confirmationCode: '000000',
    });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'INVALID_CODE']);
    await t.http
      .post('/auth/2fa/login')
      .send({
        email: 'fay@example.com',
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode('+12015550188'),
      })
      .expect(200);
    // "Already registered" needs the phone's own code, which it spends.
    t.emulator.advanceTime(31_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'fay@example.com', password: PASSWORD, channel: 'sms' })
      .expect(200);
    const code = t.emulator.lastCode('+12015550188');
    const taken = await t.http.post('/auth/2fa/register').send({
      email: 'someone-else@example.com',
      phoneNumber: '(201) 555-0188',
      countryCode: 'US',
      password: PASSWORD,
      confirmationCode: code,
    });
    expect([taken.status, taken.body.code]).toEqual([409, 'ALREADY_REGISTERED']);
    expect(taken.body.registerUser).toBe(false);
    const spent = await t.http
      .post('/auth/2fa/login')
      .send({ email: 'fay@example.com', password: PASSWORD, confirmationCode: code });
    expect([spent.status, spent.body.code]).toEqual([401, 'CODE_EXPIRED']);
  });
});

describe('Password reset with a wrong code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await registerMember(t, 'gus@example.com', '(201) 555-0189', '+12015550189');
  });
  afterAll(() => t.close());

  const reset = (email: string) =>
    t.http
      .post('/auth/2fa/password/reset')
      .send({ email, confirmationCode: '000000', newPassword: 'a new long password' });

  it('answers a registered and an unknown email alike: status, body, headers and time', async () => {
    for (const email of ['gus@example.com', 'nobody@example.com']) {
      await t.http.post('/auth/2fa/password/send').send({ email, channel: 'sms' }).expect(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.emulator.injectFault({ kind: 'delay', ms: 40 }, { endpoint: 'VerificationCheck' });
    const known = await reset('gus@example.com');
    const unknown = await reset('nobody@example.com');
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    const strip = (headers: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([name]) => !['date', 'etag'].includes(name)),
      );
    expect(strip(unknown.headers)).toEqual(strip(known.headers));
    expect(known.body.code).toBe('INVALID_CODE');

    const time = async (email: string) => {
      const started = performance.now();
      await reset(email);
      return performance.now() - started;
    };
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      knownTimes.push(await time('gus@example.com'));
      unknownTimes.push(await time('nobody@example.com'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    expect(median(knownTimes)).toBeGreaterThan(35);
    expect(Math.abs(median(knownTimes) - median(unknownTimes))).toBeLessThan(20);
  });
});

describe('The placeholder domain', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('cannot be taken by a sign-up, so the phone owner’s first sign-in works', async () => {
    for (const email of [
      '12015550190@phone.example.org',
      '12015550190@PHONE.example.org',
      'x@sub.phone.example.org',
    ]) {
      const res = await t.http.post('/auth/2fa/register/send').send({
        email,
        phoneNumber: '(201) 555-0191',
        countryCode: 'US',
        channel: 'sms',
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'EMAIL_NOT_ALLOWED', registerUser: false });
    }
    expect(t.emulator.deliveries('+12015550191')).toEqual([]);
    const phone = { countryCode: 'US', phoneNumber: '(201) 555-0190' };
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', ...phone })
      .expect(200);
    const res = await t.http
      .post('/auth/otp/login')
      .send({ ...phone, confirmationCode: t.emulator.lastCode('+12015550190') })
      .expect(200);
    expect(res.body.member.email).toBe('12015550190@phone.example.org');
  });
});

describe('Refusals after a correct password or code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ otp: { approval: 'manual' } });
  });
  afterAll(() => t.close());

  it('are logged once, with the member id and the masked phone', async () => {
    const who = { email: 'hal@example.com', phoneNumber: '(201) 555-0192', countryCode: 'US' };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    const created = await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550192') })
      .expect(202);
    const id = created.body.member.id as string;
    t.logs.lines.length = 0;
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: 'hal@example.com', password: PASSWORD, channel: 'sms' })
      .expect(403);
    const lines = t.logs.lines.filter((line) => line.includes(id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('APPROVAL_PENDING');
    expect(lines[0]).not.toContain('2015550192');
    expect(lines[0]).toMatch(/\*{3,}/);
  });

  it('logs a wrong two-factor code with the member id', async () => {
    await registerMemberApproved();
    t.logs.lines.length = 0;
    await t.http
      .post('/auth/2fa/login')
      .send({ email: 'ivy@example.com', password: PASSWORD, confirmationCode: '000000' })
      .expect(401);
    expect(
      t.logs.lines.some((line) => line.includes(ivyId) && /CODE_EXPIRED|INVALID_CODE/.test(line)),
    ).toBe(true);
  });

  let ivyId = '';
  async function registerMemberApproved() {
    const who = { email: 'ivy@example.com', phoneNumber: '(201) 555-0193', countryCode: 'US' };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    const res = await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550193') })
      .expect(202);
    ivyId = res.body.member.id;
    await t.app.get((await import('nestjs-otp')).MembersService).approve(ivyId);
  }
});
