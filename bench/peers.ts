import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Libraries measured beside the module that the project itself does not depend on (their peer
 * dependencies would clash with its own): they live in bench/peers, with their own lockfile.
 */
const PEERS_DIR = new URL('../peers/', import.meta.url);

/** better-auth's session check, as bench/peers/better-auth-peer.mjs exports it. */
export interface BetterAuthPeer {
  seed(count: number): Promise<{ plain: string[]; cached: string[] }>;
  /** The user id of a request with these (Node) headers, or null. */
  check(
    cache: boolean,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<string | null>;
  close(): void;
}

/** Installs bench/peers (`npm ci`, its pinned versions) when it is not installed yet. */
export function installPeers(log: (message: string) => void): void {
  if (existsSync(new URL('node_modules/better-auth/package.json', PEERS_DIR))) return;
  log('installing bench/peers (better-auth, better-sqlite3) from its lockfile');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', fileURLToPath(PEERS_DIR)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Opens better-auth on the SQLite file `file` (its tables created when missing). */
export async function openBetterAuth(file: string): Promise<BetterAuthPeer> {
  const module = (await import(new URL('better-auth-peer.mjs', PEERS_DIR).href)) as {
    createBetterAuthPeer(file: string): Promise<BetterAuthPeer>;
  };
  return module.createBetterAuthPeer(file);
}
