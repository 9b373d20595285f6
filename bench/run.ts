/**
 * `npm run bench`: every benchmark scenario in one run, on 127.0.0.1 only.
 *
 * - `BENCH_QUICK=1`: a short run, to check that everything works (numbers not for the report).
 * - `BENCH_ONLY=guard,sessions,signin,twofactor,growth,memory,passkey`: some scenarios only.
 *   `sessions` measures better-auth beside the module: it installs bench/peers when missing.
 * - `BENCH_POSTGRES=0`: SQLite only. Otherwise PostgreSQL scenarios run against `DATABASE_URL`,
 *   or against a throwaway server started by `scripts/with-postgres.sh` when it is unset.
 * - `BENCH_SQLITE_WAL=0`: SQLite in rollback-journal mode instead of WAL.
 * - `BENCH_QUIET=0`: do not wait for other processes on the machine to go quiet between runs.
 *
 * Progress goes to stderr; the report (Markdown) to stdout and, with the raw numbers, to
 * `bench/dist/results.{md,json}`.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BenchEnv, sqliteWal } from './env.js';
import { machineDescription, quietStats } from './machine.js';
import { type BenchResults, markdown } from './report.js';
import { growth } from './scenario-growth.js';
import { guardOverhead } from './scenario-guard.js';
import { crossInstanceRevocation, sessionsAtScale } from './scenario-sessions.js';
import { installPeers } from './peers.js';
import { memory } from './scenario-memory.js';
import { passkeySignIn } from './scenario-passkey.js';
import { passwordlessSignIn } from './scenario-signin.js';
import { twoFactorSignIn } from './scenario-two-factor.js';
import { loadSettings } from './settings.js';

const SCENARIOS = [
  'guard',
  'sessions',
  'signin',
  'twofactor',
  'growth',
  'memory',
  'passkey',
] as const;
type Scenario = (typeof SCENARIOS)[number];

function selected(): Set<Scenario> {
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!only) return new Set(SCENARIOS);
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return new Set(only as Scenario[]);
}

/** Runs this same command again inside scripts/with-postgres.sh; false when there is none. */
function rerunWithPostgres(): boolean {
  const script = fileURLToPath(new URL('../../scripts/with-postgres.sh', import.meta.url));
  if (!existsSync(script)) return false;
  const child = spawn(
    'bash',
    [script, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
    },
  );
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0].server_version;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const scenarios = selected();
  const wantPostgres = process.env.BENCH_POSTGRES !== '0';
  if (wantPostgres && !process.env.DATABASE_URL && rerunWithPostgres()) return;
  const postgresUrl = wantPostgres ? process.env.DATABASE_URL || undefined : undefined;

  const settings = loadSettings();
  const started = Date.now();
  const env = await new BenchEnv(settings, postgresUrl).start();
  if (wantPostgres && !postgresUrl) {
    env.log('no PostgreSQL (DATABASE_URL unset, scripts/with-postgres.sh missing): SQLite only');
  }
  const results: BenchResults = {
    mode: settings.quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    minutes: 0,
    machine: machineDescription(),
    postgres: postgresUrl ? await postgresVersion(postgresUrl) : undefined,
    sqliteJournal: sqliteWal() ? 'wal' : 'rollback',
    quiet: quietStats(),
    guard: [],
    sessions: [],
    signIn: [],
    growth: [],
    passkey: [],
    errors: [],
  };
  const outDir = new URL('./', import.meta.url);
  const save = () => {
    results.minutes = (Date.now() - started) / 60_000;
    results.quiet = quietStats();
    writeFileSync(new URL('results.json', outDir), `${JSON.stringify(results, null, 2)}\n`);
  };
  const attempt = async (name: string, work: () => Promise<void>) => {
    env.log(name);
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.errors.push(`${name}: ${message}`);
      env.log(`${name} failed: ${error instanceof Error ? error.stack : message}`);
    }
    save();
  };

  try {
    if (scenarios.has('guard')) {
      for (const kind of env.databaseKinds) {
        for (const adapter of ['express', 'fastify'] as const) {
          await attempt(`guard overhead (${adapter}, ${kind})`, async () => {
            results.guard.push(await guardOverhead(env, adapter, kind));
          });
        }
      }
    }
    if (scenarios.has('sessions')) {
      installPeers((message) => env.log(message));
      for (const adapter of ['express', 'fastify'] as const) {
        await attempt(`sessions at scale (${adapter})`, async () => {
          results.sessions.push(await sessionsAtScale(env, adapter));
        });
      }
      if (postgresUrl) {
        await attempt('revocation seen by a second instance (postgres)', async () => {
          results.revocation = await crossInstanceRevocation(env);
        });
      }
    }
    if (scenarios.has('signin')) {
      for (const kind of env.databaseKinds) {
        await attempt(`passwordless sign-in (${kind})`, async () => {
          results.signIn.push(await passwordlessSignIn(env, kind));
        });
      }
    }
    if (scenarios.has('twofactor')) {
      await attempt('two-factor sign-in', async () => {
        results.twoFactor = await twoFactorSignIn(env);
      });
    }
    if (scenarios.has('memory')) {
      await attempt('memory', async () => {
        results.memory = await memory(env);
      });
    }
    if (scenarios.has('passkey')) {
      for (const kind of env.databaseKinds) {
        await attempt(`passkey sign-in beside phone sign-in (${kind})`, async () => {
          results.passkey.push(await passkeySignIn(env, kind));
        });
      }
    }
    if (scenarios.has('growth')) {
      for (const kind of env.databaseKinds) {
        await attempt(`growth (${kind})`, async () => {
          results.growth.push(await growth(env, kind));
        });
      }
    }
  } finally {
    await env.close();
  }
  save();
  const report = markdown(results);
  writeFileSync(new URL('results.md', outDir), report);
  process.stdout.write(report);
  if (results.errors.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
