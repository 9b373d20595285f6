import { Entity, PrimaryGeneratedColumn } from 'typeorm';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import Database from 'better-sqlite3';
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

/** The tables of a SQLite database, read with a connection of its own. */
function tablesOf(db: Database.Database): string[] {
  return (
    db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as Array<{ name: string }>
  ).map((row) => row.name);
}

describe('Members and sessions on a named data source', () => {
  let folder: string;
  let accountsFile: string;
  let accounts: TypeOrmModuleOptions & { name: string };
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

    const db = new Database(accountsFile, { readonly: true });
    try {
      expect(tablesOf(db)).toEqual(expect.arrayContaining(['otp_members', 'otp_member_sessions']));
      expect(db.prepare('SELECT id, phone_number AS phone FROM otp_members').all()).toEqual([
        { id: member.id, phone: US_E164 },
      ]);
      expect(db.prepare('SELECT member_id AS member FROM otp_member_sessions').all()).toEqual([
        { member: member.id },
      ]);
    } finally {
      db.close();
    }
    // The default data source holds the host's tables only.
    const defaults = (await t.dataSource.query(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )) as Array<{ name: string }>;
    expect(defaults.map((row) => row.name)).toEqual(['host_notes']);

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
