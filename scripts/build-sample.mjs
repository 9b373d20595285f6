// Builds the package and the sample app unless their build is newer than every input, so that
// `npm run sample` starts at once when nothing changed. `--force` always builds.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'sample-app/dist/.build-stamp';
const INPUTS = [
  'src',
  'sample-app/src',
  'tsconfig.json',
  'tsconfig.build.json',
  'sample-app/tsconfig.json',
  'package-lock.json',
];

/**
 * The newest modification time under `path`, in milliseconds. A directory's own time counts: it
 * changes when a file in it is removed or renamed.
 */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (max, name) => Math.max(max, newest(join(path, name))),
    stat.mtimeMs,
  );
}

const inputs = Math.max(...INPUTS.map(newest));
const built =
  existsSync(STAMP) && existsSync('dist/index.js') && existsSync('sample-app/dist/main.js')
    ? Number(readFileSync(STAMP, 'utf8'))
    : 0;

if (!process.argv.includes('--force') && built >= inputs) {
  console.log('[sample] the build is up to date');
} else {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', 'build'], { stdio: 'inherit' });
  execFileSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'sample-app/tsconfig.json'],
    {
      stdio: 'inherit',
    },
  );
  writeFileSync(STAMP, String(inputs));
}
