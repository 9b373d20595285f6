import { createTestApp, type TestApp } from '../support/test-app.js';

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

describe('The database unavailable', () => {
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
