import { HttpStatus } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource, type QueryRunner } from 'typeorm';
import {
  Member,
  MemberSession,
  OTP_ENTITIES,
  OtpErrorCode,
  OtpException,
  OtpModule,
  RecoveryCode,
  TotpAuthenticator,
  TrustedDevice,
} from 'nestjs-otp';
import { OTP_MIGRATIONS } from 'nestjs-otp/migrations';
import { MemberAccountsService } from '../src/credentials/member-accounts.service.js';
import { TwilioVerifyEmulator } from 'nestjs-otp/testing';
import { isUniqueViolation } from '../src/persistence/sql.js';
import { emptyTestDatabase, type EmptyTestDatabase } from './support/database.js';
import { emulatorOptions } from './support/test-app.js';

const OTP_TABLES = [
  'otp_members',
  'otp_member_sessions',
  'otp_recovery_codes',
  'otp_totp_authenticators',
  'otp_trusted_devices',
];

function member(overrides: Partial<Member> = {}): Member {
  const now = new Date();
  return {
    id: crypto.randomUUID(),
    email: `${crypto.randomUUID()}@example.com`,
    phoneNumber: '+12015550123',
    passwordHash: null,
    status: 'approved',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function session(memberId: string, tokenHash = 'a'.repeat(64)): MemberSession {
  const now = new Date();
  return {
    id: crypto.randomUUID(),
    memberId,
    tokenHash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + 60_000),
    lastSeenAt: now,
    verifiedAt: now,
    amr: 'sms',
    aal: 1,
    userAgent: null,
  };
}

/** The error an insert fails with. */
async function insertError(dataSource: DataSource, entity: 'member' | 'session', row: object) {
  const target = entity === 'member' ? Member : MemberSession;
  return dataSource.manager.insert(target, row).then(
    () => {
      throw new Error('the insert was accepted');
    },
    (error: unknown) => error,
  );
}

async function hasAnyOtpTable(queryRunner: QueryRunner): Promise<boolean> {
  for (const table of OTP_TABLES) if (await queryRunner.hasTable(table)) return true;
  return false;
}

describe('Migrations', () => {
  let db: EmptyTestDatabase;
  let dataSource: DataSource;
  let queryRunner: QueryRunner;

  beforeEach(async () => {
    db = await emptyTestDatabase();
    dataSource = await new DataSource({
      ...db.options,
      entities: OTP_ENTITIES,
      migrations: OTP_MIGRATIONS,
    }).initialize();
    queryRunner = dataSource.createQueryRunner();
  });
  afterEach(async () => {
    await queryRunner.release();
    await dataSource.destroy();
    await db.drop();
  });

  it('migrate up on an empty database to a schema that matches the entities', async () => {
    expect(await hasAnyOtpTable(queryRunner)).toBe(false);
    expect(await dataSource.showMigrations()).toBe(true);

    const ran = await dataSource.runMigrations({ transaction: 'all' });

    expect(ran.map((migration) => migration.name)).toEqual([
      'OtpInitialSchema1795435481983',
      'OtpAccountLifecycle1796300000000',
      'OtpAuthenticatorApps1796400000000',
      'OtpTrustedDevices1796500000000',
      'OtpSessionAssurance1796600000000',
      'OtpPasskeys1796700000000',
    ]);
    expect(await dataSource.showMigrations()).toBe(false);
    // What `typeorm migration:generate` would write: nothing.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('create the named constraints and the indexes of the lookups', async () => {
    await dataSource.runMigrations();

    const members = (await queryRunner.getTable('otp_members'))!;
    expect(members.uniques.map((u) => [u.name, u.columnNames]).sort()).toEqual([
      ['uq_otp_members_email', ['email']],
      ['uq_otp_members_phone_number', ['phone_number']],
    ]);
    expect(
      members.indices
        // PostgreSQL's catalogue gives the columns in table order; the query plans test their order.
        .map((i) => [i.name, [...i.columnNames].sort(), i.isUnique])
        .sort(),
    ).toEqual(
      [
        ['idx_otp_members_created_at_id', ['created_at', 'id'], false],
        ['idx_otp_members_status_created_at_id', ['created_at', 'id', 'status'], false],
        // PostgreSQL's prefix searches; SQLite's GLOB uses the unique indexes.
        ...(db.kind === 'postgres'
          ? [
              ['idx_otp_members_email_prefix', ['email'], false],
              ['idx_otp_members_phone_number_prefix', ['phone_number'], false],
            ]
          : []),
      ].sort(),
    );
    expect(members.checks.map((check) => check.name).sort()).toEqual([
      'chk_otp_members_email_lower_case',
      'chk_otp_members_phone_number_e164',
    ]);
    const sessions = (await queryRunner.getTable('otp_member_sessions'))!;
    expect(sessions.uniques.map((u) => [u.name, u.columnNames])).toEqual([
      ['uq_otp_member_sessions_token_hash', ['token_hash']],
    ]);
    expect(sessions.indices.map((i) => [i.name, i.columnNames, i.isUnique])).toEqual([
      ['idx_otp_member_sessions_member_id', ['member_id'], false],
    ]);
    expect(
      sessions.foreignKeys.map((fk) => [
        fk.columnNames,
        fk.referencedTableName.split('.').pop(),
        fk.referencedColumnNames,
        fk.onDelete,
      ]),
    ).toEqual([[['member_id'], 'otp_members', ['id'], 'CASCADE']]);
    const codes = (await queryRunner.getTable('otp_recovery_codes'))!;
    expect(codes.indices.map((i) => [i.name, i.columnNames, i.isUnique])).toEqual([
      ['idx_otp_recovery_codes_member_id', ['member_id'], false],
    ]);
    expect(
      codes.foreignKeys.map((fk) => [
        fk.columnNames,
        fk.referencedTableName.split('.').pop(),
        fk.onDelete,
      ]),
    ).toEqual([[['member_id'], 'otp_members', 'CASCADE']]);
  });

  it('migrate down cleanly, one at a time, and up again', async () => {
    await dataSource.runMigrations();
    await dataSource.manager.insert(Member, member());

    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await queryRunner.hasTable('otp_passkeys')).toBe(false);
    expect(await queryRunner.hasTable('otp_passkey_challenges')).toBe(false);
    expect(await queryRunner.hasColumn('otp_member_sessions', 'amr')).toBe(true);
    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await queryRunner.hasColumn('otp_member_sessions', 'amr')).toBe(false);
    expect(await queryRunner.hasColumn('otp_member_sessions', 'aal')).toBe(false);
    expect(await queryRunner.hasTable('otp_trusted_devices')).toBe(true);
    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await queryRunner.hasTable('otp_trusted_devices')).toBe(false);
    expect(await queryRunner.hasTable('otp_totp_authenticators')).toBe(true);
    await dataSource.undoLastMigration({ transaction: 'all' });
    expect(await queryRunner.hasTable('otp_totp_authenticators')).toBe(false);
    expect(await queryRunner.hasTable('otp_recovery_codes')).toBe(true);
    await dataSource.undoLastMigration({ transaction: 'all' });
    // Down to the first schema: no recovery codes, no verified_at, the members kept.
    expect(await queryRunner.hasTable('otp_recovery_codes')).toBe(false);
    expect(await queryRunner.hasColumn('otp_member_sessions', 'verified_at')).toBe(false);
    expect(await dataSource.manager.count(Member)).toBe(1);
    await dataSource.undoLastMigration({ transaction: 'all' });

    expect(await hasAnyOtpTable(queryRunner)).toBe(false);
    expect(await dataSource.showMigrations()).toBe(true);
    const executed = await queryRunner.query('SELECT * FROM migrations');
    expect(executed).toEqual([]);

    await dataSource.runMigrations();
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('refuse a second member with the same email or phone, and a second session with the same token hash, with the driver’s unique violation', async () => {
    await dataSource.runMigrations();
    const first = member({ email: 'alice@example.com', phoneNumber: '+12015550123' });
    await dataSource.manager.insert(Member, first);
    await dataSource.manager.insert(MemberSession, session(first.id));

    const duplicates = [
      await insertError(
        dataSource,
        'member',
        member({ email: 'alice@example.com', phoneNumber: '+12015550199' }),
      ),
      await insertError(
        dataSource,
        'member',
        member({ email: 'bob@example.com', phoneNumber: '+12015550123' }),
      ),
      await insertError(dataSource, 'session', session(first.id)),
    ];
    const expectedCode = db.kind === 'postgres' ? '23505' : 'SQLITE_CONSTRAINT_UNIQUE';
    for (const error of duplicates) {
      expect((error as { driverError: { code: string } }).driverError.code).toBe(expectedCode);
      expect(isUniqueViolation(error)).toBe(true);
    }
  });

  it('refuse an email that is not lower-cased and a phone that is not in E.164 form, which are no duplicates', async () => {
    await dataSource.runMigrations();
    await dataSource.manager.insert(Member, member({ email: 'alice@example.com' }));

    const refused = [
      await insertError(
        dataSource,
        'member',
        member({ email: 'Alice@example.com', phoneNumber: '+12015550199' }),
      ),
      await insertError(dataSource, 'member', member({ phoneNumber: '2015550199' })),
    ];
    for (const error of refused) {
      expect(String(error)).toMatch(/chk_otp_members|CHECK constraint/i);
      expect(isUniqueViolation(error)).toBe(false);
    }
    expect(await dataSource.manager.count(Member)).toBe(1);
  });

  it('delete a member’s sessions and recovery codes with the member', async () => {
    await dataSource.runMigrations();
    const alice = member();
    await dataSource.manager.insert(Member, alice);
    await dataSource.manager.insert(MemberSession, session(alice.id));
    await dataSource.manager.insert(RecoveryCode, {
      id: crypto.randomUUID(),
      memberId: alice.id,
      codeHash: 'b'.repeat(64),
      createdAt: new Date(),
      usedAt: null,
    });

    await dataSource.manager.insert(TotpAuthenticator, {
      memberId: alice.id,
      secret: 'v1.00000000.a.b.c',
      createdAt: new Date(),
      confirmedAt: null,
      lastTimeStep: null,
    });

    await dataSource.manager.insert(TrustedDevice, {
      id: crypto.randomUUID(),
      memberId: alice.id,
      tokenHash: 'c'.repeat(64),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
      lastUsedAt: new Date(),
      userAgent: null,
    });

    await dataSource.manager.delete(Member, { id: alice.id });

    expect(await dataSource.manager.count(TrustedDevice)).toBe(0);
    expect(await dataSource.manager.count(MemberSession)).toBe(0);
    expect(await dataSource.manager.count(RecoveryCode)).toBe(0);
    expect(await dataSource.manager.count(TotpAuthenticator)).toBe(0);
  });
});

describe('An app on a database made by the migrations alone', () => {
  let db: EmptyTestDatabase;
  let emulator: TwilioVerifyEmulator;
  beforeAll(async () => {
    emulator = await new TwilioVerifyEmulator().start();
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    db = await emptyTestDatabase();
  });
  afterEach(() => db.drop());

  async function startApp() {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          ...db.options,
          retryAttempts: 0,
          autoLoadEntities: true,
          synchronize: false,
          migrations: OTP_MIGRATIONS,
          migrationsRun: true,
        }),
        OtpModule.forRoot(emulatorOptions(emulator)),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }

  it('signs in, and answers a duplicate email or phone with 409 ALREADY_REGISTERED from the database', async () => {
    const app = await startApp();
    try {
      const http = request(app.getHttpServer());
      await http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0123' })
        .expect(200);
      const signedIn = await http
        .post('/auth/otp/login')
        .send({
          confirmationCode: emulator.lastCode('+12015550123'),
          countryCode: 'US',
          phoneNumber: '(201) 555-0123',
        })
        .expect(200);
      await http
        .get('/auth/me')
        .set('Authorization', `Bearer ${signedIn.body.sessionToken}`)
        .expect(200, signedIn.body.member);

      // Straight to the insert, past the checks in code: only the constraints can refuse these.
      const members = app.get(MemberAccountsService);
      const fields = { passwordHash: 'x', status: 'approved' as const };
      for (const taken of [
        { email: '12015550123@phone.example.org', phoneNumber: '+12015550199' },
        { email: 'bob@example.com', phoneNumber: '+12015550123' },
      ]) {
        const error = await members
          .createWithSession({ ...taken, ...fields }, 'two-factor', [
            { method: 'pwd' },
            { method: 'sms' },
          ])
          .catch((e) => e);
        expect(error).toBeInstanceOf(OtpException);
        expect(error).toMatchObject({ code: OtpErrorCode.ALREADY_REGISTERED });
        expect((error as OtpException).getStatus()).toBe(HttpStatus.CONFLICT);
      }
      const dataSource = app.get(DataSource);
      expect(await dataSource.manager.count(Member)).toBe(1);
    } finally {
      await app.close();
    }
  });
});
