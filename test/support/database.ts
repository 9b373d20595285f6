import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { OTP_MIGRATIONS } from 'nestjs-otp/migrations';

/**
 * The PostgreSQL server of the tests (`DATABASE_URL`, set by `scripts/with-postgres.sh`), or
 * `undefined` when the tests run on SQLite.
 */
export function postgresUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

/** The PostgreSQL server, for suites that only make sense there: throws without one. */
export function requirePostgresUrl(): string {
  const url = postgresUrl();
  if (!url) {
    throw new Error(
      'This suite runs on PostgreSQL only: run it through scripts/with-postgres.sh ' +
        '(npm run test:postgres), which starts a server and sets DATABASE_URL.',
    );
  }
  return url;
}

let schemaCount = 0;

/** A schema name of its own for each app of each jest worker. */
function newSchemaName(): string {
  schemaCount += 1;
  return `otp_test_${process.pid}_${schemaCount}_${randomBytes(3).toString('hex')}`;
}

/** Connection options whose unqualified names resolve in `schema` only, as in a host's own. */
function postgresOptions(url: string, schema: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    // Let a jest worker exit even if a test leaves a pool open.
    extra: { options: `-c search_path=${schema}`, allowExitOnIdle: true },
  };
}

/** Runs one statement on a connection of its own. */
async function runSql(url: string, schema: string, sql: string): Promise<void> {
  const dataSource = await new DataSource(postgresOptions(url, schema)).initialize();
  try {
    await dataSource.query(sql);
  } finally {
    await dataSource.destroy();
  }
}

/** PostgreSQL data sources being opened, and those open, in this test file. */
const opening = new Set<Promise<DataSource>>();
const open = new Set<DataSource>();

/**
 * A data source on a schema of its own: created empty, then filled by `synchronize` or by the
 * module's migrations. `dropOnDestroy` drops the schema when the app closes.
 */
async function openSchema(
  options: DataSourceOptions,
  schema: string,
  how: { migrations: boolean; dropOnDestroy: boolean },
): Promise<DataSource> {
  const dataSource = await new DataSource({
    ...options,
    synchronize: false,
    migrationsRun: false,
  }).initialize();
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    open.delete(dataSource);
    try {
      if (how.dropOnDestroy) await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await destroy();
    }
  };
  open.add(dataSource);
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  if (how.migrations) await dataSource.runMigrations({ transaction: 'all' });
  else await dataSource.synchronize();
  return dataSource;
}

function track(promise: Promise<DataSource>): Promise<DataSource> {
  opening.add(promise);
  const settled = () => opening.delete(promise);
  promise.then(settled, settled);
  return promise;
}

// An app whose module fails to start (a test of bad options) is never closed, while its data
// source may still be connecting: at the end of each test file, wait for those and close them, so
// that nothing outlives the file.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.allSettled([...opening]);
    await Promise.allSettled([...open].map((dataSource) => dataSource.destroy()));
    // Closing a few PostgreSQL pools takes seconds on a loaded machine.
  }, 30_000);
}

let shared: { schema: string } | undefined;

/** Several apps on one database, as the instances of one site are. */
export interface SharedTestDatabase {
  schema: string;
  /** Apps created after this get databases of their own again. */
  stopSharing(): void;
  /** Drops the shared schema; call it once every app on it is closed. */
  drop(): Promise<void>;
}

/**
 * Makes the apps created from now on (until `stopSharing()`) share one fresh PostgreSQL schema,
 * whose tables the module's migrations create (the first app runs them, the others find them
 * applied), as the instances of one site do. PostgreSQL only.
 */
export function shareTestDatabase(): SharedTestDatabase {
  const url = requirePostgresUrl();
  const schema = newSchemaName();
  shared = { schema };
  return {
    schema,
    stopSharing() {
      if (shared?.schema === schema) shared = undefined;
    },
    drop: () => runSql(url, schema, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}

/** Connection options of a new, empty database, and how to drop it. */
export interface EmptyTestDatabase {
  /** `'sqlite'` or `'postgres'`. */
  kind: 'sqlite' | 'postgres';
  options: DataSourceOptions;
  drop(): Promise<void>;
}

/**
 * A new, empty database of the kind the tests run on (SQLite in memory, or a fresh PostgreSQL
 * schema), for tests that build their tables themselves (migrations).
 */
export async function emptyTestDatabase(): Promise<EmptyTestDatabase> {
  const url = postgresUrl();
  if (!url) {
    return {
      kind: 'sqlite',
      options: { type: 'better-sqlite3', database: ':memory:' },
      drop: async () => undefined,
    };
  }
  const schema = newSchemaName();
  await runSql(url, schema, `CREATE SCHEMA "${schema}"`);
  return {
    kind: 'postgres',
    options: postgresOptions(url, schema),
    drop: () => runSql(url, schema, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}

/**
 * The TypeORM connection of the tests: real SQLite in memory, or, when `DATABASE_URL` is set, a
 * real PostgreSQL server. Every app gets an empty database of its own (on PostgreSQL a schema of
 * its own, since jest runs test files in parallel against one server), unless apps share one
 * through `shareTestDatabase()`.
 */
export function testDatabase(): DynamicModule {
  const url = postgresUrl();
  if (!url) {
    return TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: ':memory:',
      autoLoadEntities: true,
      synchronize: true,
    });
  }
  const sharedSchema = shared?.schema;
  const schema = sharedSchema ?? newSchemaName();
  return TypeOrmModule.forRootAsync({
    useFactory: () => ({
      ...postgresOptions(url, schema),
      // No retries: a test fails at once when the server is not there.
      retryAttempts: 0,
      autoLoadEntities: true,
      migrations: OTP_MIGRATIONS,
    }),
    dataSourceFactory: (options) =>
      track(
        openSchema(options as DataSourceOptions, schema, {
          migrations: sharedSchema !== undefined,
          dropOnDestroy: sharedSchema === undefined,
        }),
      ),
  });
}

/**
 * Deletes every row of the tables of the data source's entities (the module's, and a host's
 * own): on PostgreSQL in one `TRUNCATE`, on SQLite table by table, each before the tables its
 * rows point to. Between two tests of one app.
 */
export async function emptyTables(dataSource: DataSource): Promise<void> {
  const tables = dataSource.entityMetadatas.filter((metadata) => metadata.tableType !== 'view');
  if (tables.length === 0) return;
  if (dataSource.options.type === 'postgres') {
    const names = tables.map((metadata) => `"${metadata.tablePath.split('.').join('"."')}"`);
    await dataSource.query(`TRUNCATE ${[...new Set(names)].join(', ')} RESTART IDENTITY CASCADE`);
    return;
  }
  // Children first: a table is emptied once every table pointing to it is.
  const pending = new Set(tables);
  while (pending.size > 0) {
    const ready = [...pending].filter(
      (table) =>
        ![...pending].some(
          (other) =>
            other !== table &&
            other.foreignKeys.some((key) => key.referencedEntityMetadata === table),
        ),
    );
    if (ready.length === 0) throw new Error('emptyTables: the tables point to each other');
    for (const table of ready) {
      await dataSource.query(`DELETE FROM "${table.tablePath}"`);
      pending.delete(table);
    }
  }
}
