import { OtpEvent, type OtpEventPayload } from 'nestjs-otp';
import { bearer, registerTwoFactor, signInByPhone } from './support/flows.js';
import { createTestApp, type TestApp, US_E164, US_PHONE } from './support/test-app.js';

/**
 * The suites share one app per file or `describe` and call `reset()` before each test: after it,
 * nothing a test did may be seen by the next one.
 */
describe('TestApp.reset()', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  const rowCounts = async () =>
    Object.fromEntries(
      await Promise.all(
        t.dataSource.entityMetadatas.map(async ({ tableName }) => {
          const [row] = await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${tableName}`);
          return [tableName, Number(row.n)] as const;
        }),
      ),
    );

  it('empties every table, forgets cached sessions, counts, codes, listeners and logs', async () => {
    const events: OtpEventPayload[] = [];
    t.on(OtpEvent.MEMBER_CREATED, (payload) => events.push(payload));
    const { sessionToken } = await signInByPhone(t);
    await registerTwoFactor(
      t,
      'alice@example.com',
      'correct horse battery',
      '(201) 555-0177',
      '+12015550177',
    );
    await t.http.get('/members-only').set(bearer(sessionToken)).expect(200);
    // The phone's send cooldown is running.
    t.emulator.advanceTime(11 * 60_000);
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
      .expect(200);
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
      .expect(429);
    t.emulator.injectFault({ kind: 'status', status: 500 });
    expect(events).toHaveLength(2);
    expect(Object.values(await rowCounts()).some((n) => n > 0)).toBe(true);

    await t.reset();

    expect(Object.values(await rowCounts()).every((n) => n === 0)).toBe(true);
    expect(t.emulator.deliveries()).toEqual([]);
    expect(t.emulator.requests()).toEqual([]);
    expect(t.logs.lines).toEqual([]);
    // The session the guard had cached is gone with its row.
    await t.http.get('/members-only').set(bearer(sessionToken)).expect(401);
    // No cooldown left, no fault left, and the listener of the last test hears nothing.
    await t.http
      .post('/auth/otp/send')
      .send({ channel: 'sms', countryCode: 'US', phoneNumber: US_PHONE })
      .expect(200);
    expect(t.emulator.lastCode(US_E164)).toMatch(/^\d{6}$/);
    await t.http
      .post('/auth/otp/login')
      .send({
        confirmationCode: t.emulator.lastCode(US_E164),
        countryCode: 'US',
        phoneNumber: US_PHONE,
      })
      .expect(200);
    expect(events).toHaveLength(2);
  });

  it('waits for a password-reset code still going out in the background', async () => {
    const email = 'bob@example.com';
    await registerTwoFactor(t, email, 'correct horse battery', '(201) 555-0188', '+12015550188');
    t.emulator.advanceTime(11 * 60_000);
    t.emulator.injectFault({ kind: 'delay', ms: 300 }, { times: 1 });
    await t.http.post('/auth/2fa/password/send').send({ email, channel: 'sms' }).expect(200);

    await t.reset();

    // Sent before the reset returned, then forgotten with the rest: nothing arrives later.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(t.emulator.deliveries()).toEqual([]);
    expect(t.emulator.requests()).toEqual([]);
  });
});
