import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BenchAppProcess } from './app-process.js';
import { waitForQuietMachine } from './machine.js';
import { benchPhones, PhonePool } from './phones.js';
import type { BenchAppConfig, DatabaseKind, HttpAdapterKind } from './protocol.js';
import type { Settings } from './settings.js';
import { World } from './world.js';

/** Where a bench app keeps its data; several apps may share one. */
export interface BenchDatabase {
  kind: DatabaseKind;
  sqliteFile?: string;
  postgresSchema?: string;
}

/** What every scenario uses: settings, the emulator, databases, numbers, and a log. */
export class BenchEnv {
  readonly world = new World();
  /** Numbers for passwordless sign-ins (first sign-ins create members). */
  readonly signInPhones: PhonePool;
  /** Numbers of the two-factor members. */
  readonly twoFactorPhones: PhonePool;
  private readonly tmp = mkdtempSync(join(tmpdir(), 'nestjs-otp-bench-'));
  private readonly schemas: string[] = [];
  private readonly apps = new Set<BenchAppProcess>();
  private readonly jwtSecret = randomBytes(32).toString('hex');
  private databases = 0;

  constructor(
    readonly settings: Settings,
    readonly postgresUrl: string | undefined,
  ) {
    const all = benchPhones().length;
    this.twoFactorPhones = new PhonePool(0, 2_000);
    this.signInPhones = new PhonePool(2_000, all);
  }

  async start(): Promise<this> {
    await this.world.start();
    return this;
  }

  /** The databases the scenarios run on: SQLite, and PostgreSQL when there is a server. */
  get databaseKinds(): DatabaseKind[] {
    return this.postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  }

  /** A new, empty database (a SQLite file, or a PostgreSQL schema). */
  async newDatabase(kind: DatabaseKind): Promise<BenchDatabase> {
    this.databases += 1;
    if (kind === 'sqlite') {
      return { kind, sqliteFile: join(this.tmp, `bench-${this.databases}.sqlite`) };
    }
    const schema = `bench_${process.pid}_${this.databases}`;
    await this.sql(`CREATE SCHEMA "${schema}"`);
    this.schemas.push(schema);
    return { kind, postgresSchema: schema };
  }

  /** Starts a bench app on `database` (a new one unless given). */
  async startApp(
    adapter: HttpAdapterKind,
    database: BenchDatabase,
    options: Pick<BenchAppConfig, 'cacheTtlMs' | 'revocation' | 'betterAuthFile'> = {},
  ): Promise<BenchAppProcess> {
    const config: BenchAppConfig = {
      adapter,
      database: database.kind,
      sqliteFile: database.sqliteFile,
      postgresUrl: database.kind === 'postgres' ? this.postgresUrl : undefined,
      postgresSchema: database.postgresSchema,
      twilio: this.world.twilio,
      cacheTtlMs: options.cacheTtlMs,
      revocation: options.revocation,
      betterAuthFile: options.betterAuthFile,
      sqliteWal: sqliteWal(),
      sessionDeleteDelayMs: Number(process.env.BENCH_SESSION_DELETE_DELAY_MS) || undefined,
      jwtSecret: this.jwtSecret,
    };
    const app = await BenchAppProcess.start(config);
    this.apps.add(app);
    return app;
  }

  async stopApp(app: BenchAppProcess): Promise<void> {
    this.apps.delete(app);
    // Let requests the load generator gave up on (it closes its connections at the end of a
    // run, not the app's work) finish before the database closes under them.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await app.stop();
  }

  /** Waits, boundedly, for other processes on the machine to go quiet before a run. */
  quiet(): Promise<void> {
    return waitForQuietMachine(this.settings.quiet);
  }

  /** Progress, on stderr (the report goes to stdout). */
  log(message: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }

  /** A path for a file of the run (removed with the rest at the end). */
  file(name: string): string {
    return join(this.tmp, name);
  }

  /** Stops every app and the emulator, drops the schemas and removes the SQLite files. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.apps].map((app) => app.stop()));
    this.apps.clear();
    await this.world.stop();
    for (const schema of this.schemas.splice(0)) {
      await this.sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private async sql(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }
}

/** SQLite runs in WAL mode, as a server would open it; `BENCH_SQLITE_WAL=0` for rollback journal. */
export function sqliteWal(): boolean {
  return process.env.BENCH_SQLITE_WAL !== '0';
}
