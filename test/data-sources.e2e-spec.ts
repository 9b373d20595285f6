import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtpModule } from 'nestjs-otp';
import { bearer, signInByPhone } from './support/flows.js';
import { createTestApp, emulatorOptions, type TestApp, US_E164 } from './support/test-app.js';

/** An entity of the host's own, on its default data source. */
@Entity('host_notes')
class HostNote {
  @PrimaryGeneratedColumn()
  id: number;
}

const TABLES = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`;

/** The table names of a data source. */
/** The module's tables, as `tablesOf()` lists them. */
const OTP_TABLES = [
  'otp_member_sessions',
  'otp_members',
  'otp_passkey_challenges',
  'otp_passkeys',
  'otp_recovery_codes',
  'otp_totp_authenticators',
  'otp_trusted_devices',
];

async function tablesOf(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(TABLES)) as Array<{ name: string }>;
  return rows.map((row) => row.name);
}

describe('Members and sessions on a named data source', () => {
  let folder: string;
  let accountsFile: string;
  let accounts: {
    name: string;
    type: 'better-sqlite3';
    database: string;
    autoLoadEntities: boolean;
    synchronize: boolean;
  };
  let t: TestApp | undefined;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'otp-data-sources-'));
    accountsFile = join(folder, 'accounts.sqlite');
    accounts = {
      name: 'accounts',
      type: 'better-sqlite3',
      database: accountsFile,
      autoLoadEntities: true,
      synchronize: true,
    };
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  /** A host with its default data source (in memory, its own entity) and the `accounts` file. */
  function createHost(otpModule: Parameters<typeof createTestApp>[0] = {}) {
    return createTestApp({
      ...otpModule,
      database: TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        entities: [HostNote],
        synchronize: true,
      }),
      imports: [TypeOrmModule.forRoot(accounts)],
    });
  }

  it.each([
    ['forRoot with the data source name', () => createHost({ extras: { dataSource: 'accounts' } })],
    [
      'forRootAsync with the data source options',
      () =>
        createHost({
          otpModule: (emulator) =>
            OtpModule.forRootAsync({
              useFactory: () => emulatorOptions(emulator),
              dataSource: accounts,
            }),
        }),
    ],
  ])('%s: rows land there, and the guard reads them', async (_label, create) => {
    t = await create();
    const { sessionToken, member } = await signInByPhone(t);

    // Read the file through a connection of its own.
    const file = await new DataSource({
      type: 'better-sqlite3',
      database: accountsFile,
    }).initialize();
    try {
      expect(await tablesOf(file)).toEqual(OTP_TABLES);
      expect(await file.query('SELECT id, phone_number AS phone FROM otp_members')).toEqual([
        { id: member.id, phone: US_E164 },
      ]);
      expect(await file.query('SELECT member_id AS member FROM otp_member_sessions')).toEqual([
        { member: member.id },
      ]);
    } finally {
      await file.destroy();
    }
    // The default data source holds the host's tables only.
    expect(await tablesOf(t.dataSource)).toEqual(['host_notes']);

    const viaGuard = await t.http.get('/members-only').set(bearer(sessionToken)).expect(200);
    expect(viaGuard.body.member).toMatchObject({ id: member.id, phoneNumber: US_E164 });
    await t.http.get('/members-only/passport').set(bearer(sessionToken)).expect(200);
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    const refused = await t.http.get('/members-only').set(bearer(sessionToken)).expect(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
  });

  it('fails at start-up when the named data source does not exist', async () => {
    await expect(createTestApp({ extras: { dataSource: 'nowhere' }, imports: [] })).rejects.toThrow(
      'nowhereDataSource',
    );
  });

  it('refuses a data source option that is neither a name nor options', async () => {
    await expect(createTestApp({ extras: { dataSource: '' } })).rejects.toThrow(
      'OtpModule: option "dataSource" must be',
    );
  });
});
