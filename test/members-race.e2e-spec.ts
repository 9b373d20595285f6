import { OtpService } from 'nestjs-otp';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('Concurrent first sign-ins for one phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A test number accepts its fixed code any number of times, so 20 sign-ins can race.
    t = await createTestApp({ otp: { testNumbers: { '+12015550177': '246810' } } });
  });
  afterAll(() => t.close());

  it('create exactly one member; every caller is signed in to it', async () => {
    const otp = t.app.get(OtpService);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => otp.login('246810', 'US', '(201) 555-0177')),
    );
    expect(new Set(results.map((r) => r.member.id)).size).toBe(1);
    expect(results.filter((r) => r.isNewMember)).toHaveLength(1);
    expect(new Set(results.map((r) => r.sessionToken)).size).toBe(20);
    const rows = await t.dataSource.query(
      `SELECT email, phone_number FROM otp_members WHERE phone_number = '+12015550177'`,
    );
    expect(rows).toEqual([
      { email: '12015550177@phone.example.org', phone_number: '+12015550177' },
    ]);
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM otp_member_sessions');
    expect(Number(n)).toBe(20);
    expect(t.emulator.requests()).toEqual([]);
  });
});
