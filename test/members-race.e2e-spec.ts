import { MembersService } from 'nestjs-otp';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('Concurrent first sign-ins for one phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('create exactly one member, and every caller gets it', async () => {
    const members = t.app.get(MembersService);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => members.findOrCreateByPhone('+12015550177', 'example.com')),
    );
    expect(new Set(results.map((r) => r.member.id)).size).toBe(1);
    expect(results.filter((r) => r.isNewMember)).toHaveLength(1);
    const rows = await t.dataSource.query(
      `SELECT email, phone_number FROM otp_members WHERE phone_number = '+12015550177'`,
    );
    expect(rows).toEqual([{ email: '12015550177@example.com', phone_number: '+12015550177' }]);
  });
});
