import { performance } from 'node:perf_hooks';
import { SessionsRepository } from '../../src/sessions/sessions.repository.js';
import type { TestApp } from './test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Polls `condition` every 10 ms until it holds; resolves to the milliseconds it took. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await condition()) return performance.now() - start;
    if (performance.now() - start > timeoutMs)
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The status of a guarded route of `t` for `token`. */
export async function guardedStatus(t: TestApp, token: string): Promise<number> {
  return (await t.http.get('/members-only').set(bearer(token))).status;
}

/** Log lines of `t` that contain `text`. */
export function logged(t: TestApp, text: string): string[] {
  return t.logs.lines.filter((line) => line.includes(text));
}

/**
 * Holds the next session lookup of `t` open after it has read its row from the database, until
 * `release()`: a lookup still on its way back when a revocation arrives.
 */
export function holdNextLookup(t: TestApp): { read: Promise<void>; release: () => void } {
  const repository = t.app.get(SessionsRepository);
  const original = repository.findByTokenHash;
  let release!: () => void;
  let readDone!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const read = new Promise<void>((resolve) => (readDone = resolve));
  repository.findByTokenHash = async function (this: SessionsRepository, hash: string) {
    repository.findByTokenHash = original;
    const row = await original.call(this, hash);
    readDone();
    await gate;
    return row;
  };
  return { read, release };
}
