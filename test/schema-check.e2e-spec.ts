import { TypeOrmModule } from '@nestjs/typeorm';
import { createTestApp } from './support/test-app.js';

describe('A database without the module’s tables', () => {
  it('fails the start of the app with what to do, not the first sign-in with a 500', async () => {
    const started = createTestApp({
      database: TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        autoLoadEntities: true,
      }),
    });
    await expect(started).rejects.toThrow(
      /OtpModule: the table "otp_members" does not exist\. Create the module's tables with its migrations \(`migrations: OTP_MIGRATIONS` from 'nestjs-otp\/migrations'/,
    );
  });

  it('starts once the tables are there', async () => {
    const t = await createTestApp({
      database: TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        autoLoadEntities: true,
        synchronize: true,
      }),
    });
    await t.http.get('/auth/countries').expect(200);
    await t.close();
  });
});
