/**
 * Host apps built from the packed package, as a user installs it: the `npm pack` tarball unpacked
 * into a host's node_modules in a temporary folder, the host compiled by the TypeScript compiler
 * and run by Node, outside jest. The hosts themselves are listed in test/packaging/hosts.ts; this
 * file is the machinery.
 *
 * Nothing is downloaded: a host's node_modules links every package it needs to this
 * repository's node_modules (installed by `npm install`), and holds nestjs-otp unpacked from the
 * tarball. A package that is not linked (an optional peer left out) cannot be resolved from the
 * host nor from nestjs-otp, because the host's folder is outside this repository.
 *
 * Building is shared: the tarball is packed once per version of the sources, and all the hosts
 * are compiled together by one `tsc -b` (which parses the common declaration files once), once
 * per version of the sources and of the hosts. Both are kept in the system's temporary folder, so
 * the suites of every jest worker, the second (PostgreSQL) pass of `npm test` and later runs reuse
 * them; a lock folder lets one process build while the others wait.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPO_MODULES = path.join(REPO_ROOT, 'node_modules');
const TSC = path.join(REPO_MODULES, 'typescript', 'bin', 'tsc');
const CACHE = path.join(tmpdir(), 'nestjs-otp-packed');

export interface PackedHostOptions {
  /** The host's package.json `type`: `module` (ESM) or `commonjs`; tsc compiles `src` to match. */
  type: 'module' | 'commonjs';
  /**
   * The host's packages besides nestjs-otp, linked from this repository's node_modules.
   * nestjs-otp's dependencies and required peers are added, as npm installs them; optional peers
   * (`@nestjs/swagger`, `@nestjs/event-emitter`) only when listed here.
   */
  packages: readonly string[];
  /** The host's files by path (`src/main.ts`, ...); see `hostFixtures`. */
  files: Record<string, string>;
  /** Compiler options over those of a Nest 12 app (see `hostTsconfig`). */
  compilerOptions?: Record<string, unknown>;
}

export interface RunningHost {
  /** `http://127.0.0.1:<port>`, from the host's `HOST_READY` line. */
  url: string;
  /** Everything the process wrote so far. */
  output(): string;
  stop(): Promise<void>;
}

export interface PackedHost {
  name: string;
  dir: string;
  /** The compiler's messages about this host (paths relative to its folder); '' when clean. */
  diagnostics: string;
  /** Runs `node <args>` in the host's folder, to completion. */
  node(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /**
   * Starts `node <entry>` (e.g. `dist/main.js`) and waits for it to print
   * `HOST_READY {"url": ...}`. The process gets no DATABASE_URL, NODE_OPTIONS or NODE_PATH.
   */
  start(entry: string, env?: Record<string, string>): Promise<RunningHost>;
  /** Stops the processes this object started (the compiled host stays, for other suites). */
  stop(): Promise<void>;
}

interface PackageJson {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** Every file under `dir`, relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function digest(parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes `target` (a file or folder in the cache) once across processes: the first takes the lock
 * and calls `build(partial)`, which writes `partial`; it is then renamed to `target`. The others
 * wait for `target`. A lock left by a killed run is taken over after two minutes.
 */
async function buildOnce(target: string, build: (partial: string) => Promise<void>): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  const lock = `${target}.lock`;
  for (const deadline = Date.now() + 240_000; !existsSync(target);) {
    try {
      await mkdir(lock);
    } catch {
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}`);
      await sleep(200);
      continue;
    }
    try {
      if (!existsSync(target)) {
        const partial = `${target}.part`;
        await rm(partial, { recursive: true, force: true });
        await build(partial);
        await rename(partial, target);
      }
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  const now = new Date();
  await utimes(target, now, now); // in use: kept by pruneCache
}

/** Removes what earlier versions of the sources left in the cache, unused for an hour. */
async function pruneCache(keep: string[]): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of await readdir(CACHE)) {
    const file = path.join(CACHE, entry);
    if (keep.includes(file) || entry.endsWith('.lock')) continue;
    const mtime = await stat(file).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    if (mtime < hourAgo) await rm(file, { recursive: true, force: true });
  }
}

/** Builds the sources into `stage` (leaving the repository's dist/ alone) and packs them. */
async function packInto(tarball: string): Promise<void> {
  const stage = await mkdtemp(path.join(CACHE, 'stage-'));
  try {
    await run(
      process.execPath,
      [TSC, '-p', 'tsconfig.build.json', '--outDir', path.join(stage, 'dist')],
      { cwd: REPO_ROOT },
    ).catch((error: { stdout?: string }) => {
      throw new Error(`Building the package failed:\n${error.stdout ?? String(error)}`);
    });
    const manifest = await readJson<PackageJson>(path.join(REPO_ROOT, 'package.json'));
    const extras = [...(manifest.files ?? []), 'package.json', 'LICENSE', 'README.md'].filter(
      (file) => file !== 'dist' && existsSync(path.join(REPO_ROOT, file)),
    );
    for (const file of new Set(extras)) {
      await copyFile(path.join(REPO_ROOT, file), path.join(stage, file));
    }
    // dist/ is built above, as `npm run build` does; the tarball holds what `files` names.
    const { stdout } = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', stage],
      {
        cwd: stage,
        env: { ...process.env, npm_config_offline: 'true', npm_config_loglevel: 'error' },
      },
    );
    const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
    await rename(path.join(stage, filename), tarball);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

let tarball: Promise<string> | undefined;

/** The `npm pack` tarball of the current sources, packed once per version of them. */
export function packedTarball(): Promise<string> {
  tarball ??= (async () => {
    const sources = (await listFiles(path.join(REPO_ROOT, 'src')))
      .filter((file) => !file.endsWith('.spec.ts'))
      .map((file) => path.join('src', file));
    const inputs = [
      ...sources,
      'package.json',
      'README.md',
      'tsconfig.json',
      'tsconfig.build.json',
    ];
    const contents = await Promise.all(inputs.map((file) => readFile(path.join(REPO_ROOT, file))));
    const target = path.join(CACHE, `nestjs-otp-${digest([...inputs, ...contents])}.tgz`);
    await buildOnce(target, packInto);
    return target;
  })();
  return tarball;
}

/** The TypeScript settings of a Nest 12 app (as its CLI generates them) over `overrides`. */
export function hostTsconfig(overrides: Record<string, unknown> = {}): object {
  return {
    compilerOptions: {
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      isolatedModules: true,
      esModuleInterop: true,
      skipLibCheck: true,
      outDir: 'dist',
      rootDir: 'src',
      types: ['node'],
      ...overrides,
    },
    include: ['src'],
  };
}

async function link(modules: string, name: string): Promise<void> {
  const source = path.join(REPO_MODULES, name);
  if (!existsSync(source)) throw new Error(`${name} is not installed in ${REPO_MODULES}`);
  const target = path.join(modules, name);
  await mkdir(path.dirname(target), { recursive: true });
  await symlink(source, target, 'dir');
}

/** Writes a host's folder: package.json, tsconfig.json, its files, and node_modules. */
async function installHost(dir: string, tgz: string, options: PackedHostOptions): Promise<void> {
  const modules = path.join(dir, 'node_modules');
  const own = path.join(modules, 'nestjs-otp');
  await mkdir(own, { recursive: true });
  await run('tar', ['-xzf', tgz, '-C', own, '--strip-components=1']);

  const manifest = await readJson<PackageJson>(path.join(own, 'package.json'));
  const meta = manifest.peerDependenciesMeta ?? {};
  const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (name) => !meta[name]?.optional,
  );
  const packages = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...requiredPeers,
    ...options.packages,
  ]);
  for (const name of packages) await link(modules, name);

  const dependencies = { 'nestjs-otp': `file:${tgz}` };
  for (const name of options.packages) Object.assign(dependencies, { [name]: '*' });
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ private: true, type: options.type, dependencies }, null, 2),
    'tsconfig.json': JSON.stringify(hostTsconfig(options.compilerOptions), null, 2),
    ...options.files,
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

/**
 * The compiler's messages of a `tsc -b` run (paths relative to the folder of all the hosts),
 * by host; a message that names no host's file goes to every host.
 */
function diagnosticsByHost(output: string, names: string[]): Record<string, string> {
  const byHost: Record<string, string[]> = Object.fromEntries(names.map((name) => [name, []]));
  let current: string[] = names;
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      const owner = names.find((name) => line.startsWith(`${name}/`));
      current = owner ? [owner] : names;
    }
    for (const name of current) {
      byHost[name].push(current.length === 1 ? line.replace(`${current[0]}/`, '') : line);
    }
  }
  return Object.fromEntries(names.map((name) => [name, byHost[name].join('\n')]));
}

/** The environment of a host process: no test database, loader flags or module paths. */
function hostEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|NODE_OPTIONS|NODE_PATH|TWILIO_.*|OTP_.*)$/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

function startProcess(
  host: string,
  dir: string,
  entry: string,
  env: Record<string, string>,
): Promise<RunningHost> {
  return new Promise<RunningHost>((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { cwd: dir, env: hostEnv(env) });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let output = '';
    let settled = false;
    const running: RunningHost = {
      url: '',
      output: () => output,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The ${host} host (${entry}) ${error.message}\n${output}`));
    };
    const timer = setTimeout(() => fail(new Error('printed no HOST_READY in 30 s')), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^HOST_READY (.+)$/m.exec(output);
      if (ready && !settled) {
        settled = true;
        clearTimeout(timer);
        running.url = (JSON.parse(ready[1]) as { url: string }).url;
        resolve(running);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`exited (${code ?? signal})`)));
  });
}

/**
 * Installs and compiles the hosts `specs` (once per version of the package and of the specs),
 * and returns them by name.
 */
export async function buildPackedHosts<Name extends string>(
  specs: Record<Name, PackedHostOptions>,
): Promise<Record<Name, PackedHost>> {
  const tgz = await packedTarball();
  const names = Object.keys(specs).sort() as Name[];
  const lock = await readFile(path.join(REPO_ROOT, 'package-lock.json'));
  const { version: tscVersion } = await readJson<PackageJson>(
    path.join(REPO_MODULES, 'typescript', 'package.json'),
  );
  const set = path.join(
    CACHE,
    `hosts-${digest([REPO_ROOT, tgz, lock, tscVersion, JSON.stringify(names.map((name) => [name, specs[name]]))])}`,
  );
  await buildOnce(set, async (partial) => {
    for (const name of names) await installHost(path.join(partial, name), tgz, specs[name]);
    const result = await run(
      process.execPath,
      [TSC, '-b', ...names.map((name) => path.join(partial, name)), '--pretty', 'false'],
      { cwd: partial },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    const diagnostics = diagnosticsByHost(result.stdout, names);
    await writeFile(path.join(partial, 'diagnostics.json'), JSON.stringify(diagnostics));
  });
  await pruneCache([tgz, set]);
  const diagnostics = await readJson<Record<string, string>>(path.join(set, 'diagnostics.json'));

  return Object.fromEntries(
    names.map((name) => {
      const dir = path.join(set, name);
      const running = new Set<RunningHost>();
      const host: PackedHost = {
        name,
        dir,
        diagnostics: diagnostics[name],
        node: (args) => run(process.execPath, args, { cwd: dir, env: hostEnv({}) }),
        async start(entry, env = {}) {
          if (host.diagnostics) {
            throw new Error(`The ${name} host did not compile:\n${host.diagnostics}`);
          }
          const child = await startProcess(name, dir, entry, env);
          running.add(child);
          return child;
        },
        async stop() {
          await Promise.all([...running].map((child) => child.stop()));
          running.clear();
        },
      };
      return [name, host];
    }),
  ) as Record<Name, PackedHost>;
}

/**
 * The files of a fixture under test/packaging/hosts/<fixture>, as `src/...` of a host. `only`
 * picks some of them (a host without swagger leaves out the file that imports it).
 */
export async function hostFixtures(
  fixture: string,
  only?: string[],
): Promise<Record<string, string>> {
  const dir = path.join(REPO_ROOT, 'test', 'packaging', 'hosts', fixture);
  const files = only ?? (await listFiles(dir));
  return Object.fromEntries(
    await Promise.all(
      files.map(async (file) => [
        path.join('src', file),
        await readFile(path.join(dir, file), 'utf8'),
      ]),
    ),
  );
}

/** A phone the emulator accepts, as typed and in E.164. */
export const HOST_PHONE = { typed: '(201) 555-0123', e164: '+12015550123' } as const;

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface HostSignIn {
  sessionToken: string;
  member: { id: string; email: string; phoneNumber: string; status: string };
  isNewMember: boolean;
}

/**
 * One passwordless sign-in through a running host of the sign-in fixture: `POST /auth/otp/send`,
 * the code from the host's emulator (`GET /host/last-code`), `POST /auth/otp/login`.
 */
export async function passwordlessSignIn(url: string): Promise<HostSignIn> {
  const send = await postJson(`${url}/auth/otp/send`, {
    channel: 'sms',
    countryCode: 'US',
    phoneNumber: HOST_PHONE.typed,
  });
  if (send.status !== 200) throw new Error(`otp/send: ${send.status} ${await send.text()}`);
  const codeRes = await fetch(`${url}/host/last-code?to=${encodeURIComponent(HOST_PHONE.e164)}`);
  const { code } = (await codeRes.json()) as { code?: string };
  if (!code) throw new Error('the emulator holds no code for the phone');
  const login = await postJson(`${url}/auth/otp/login`, {
    confirmationCode: code,
    countryCode: 'US',
    phoneNumber: HOST_PHONE.typed,
  });
  if (login.status !== 200) throw new Error(`otp/login: ${login.status} ${await login.text()}`);
  return (await login.json()) as HostSignIn;
}
