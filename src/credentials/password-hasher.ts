import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * argon2id (the binding's default algorithm) with OWASP's first recommended parameters:
 * 19 MiB, 2 iterations, 1 lane.
 */
export const ARGON2_PARAMS = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Hashes and verifies passwords with argon2id. Hashing runs on libuv's thread pool, so the event
 * loop keeps serving requests meanwhile.
 */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, verified when there is no member so that timing is the same. */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_PARAMS);
  }

  /** Whether `password` matches `encoded`; a missing hash costs the same time and fails. */
  async verify(encoded: string | null | undefined, password: string): Promise<boolean> {
    if (!encoded) {
      this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
      await verify(await this.dummyHash, password).catch(() => false);
      return false;
    }
    try {
      return await verify(encoded, password);
    } catch {
      return false;
    }
  }
}
