import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { signInByPhone, bearer } from '../support/flows.js';
import { requirePostgresUrl } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const url = requirePostgresUrl();

describe('A host whose data source sets a schema', () => {
  const schema = `otp_host_${randomBytes(4).toString('hex')}`;
  let t: TestApp;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    t = await createTestApp({
      database: TypeOrmModule.forRoot({
        type: 'postgres',
        url,
        schema,
        autoLoadEntities: true,
        synchronize: true,
        retryAttempts: 0,
      }),
    });
  });
  afterAll(async () => {
    await t.dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await t.close();
  });

  it('signs in, and the guard finds the session in that schema', async () => {
    const { sessionToken, member } = await signInByPhone(t);
    const me = await t.http.get('/auth/me').set(bearer(sessionToken)).expect(200);
    expect(me.body.id).toBe(member.id);
    const [{ n }] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM "${schema}"."otp_member_sessions"`,
    );
    expect(Number(n)).toBe(1);
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    await t.http.get('/auth/me').set(bearer(sessionToken)).expect(401);
  });
});
