import { hash, randomBytes } from 'node:crypto';

/** 32 random bytes (256 bits), base64url: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_LENGTH = 43;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque session token. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether a string could be a session token at all (checked before any lookup). */
export function isSessionTokenShape(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

/** Whether a string is as long as a session token: enough before the cache, which only holds tokens. */
export function hasSessionTokenLength(token: unknown): token is string {
  return typeof token === 'string' && token.length === TOKEN_LENGTH;
}

/**
 * The stored form of a token: hex SHA-256. A token carries 256 bits of entropy, so a fast hash
 * is enough; a database leak does not yield usable tokens.
 */
export function hashSessionToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * The key of a token in the in-memory session cache: the same SHA-256 as `hashSessionToken()`,
 * as 32 one-byte characters (`'binary'` is latin1), which are quicker to make and to compare than
 * its 64 hex digits.
 */
export function sessionCacheKey(token: string): string {
  return hash('sha256', token, 'binary');
}

/** The cache key of a stored token hash. */
export function cacheKeyOfHash(tokenHash: string): string {
  return Buffer.from(tokenHash, 'hex').toString('latin1');
}

/** The stored token hash of a cache key. */
export function hashOfCacheKey(key: string): string {
  return Buffer.from(key, 'latin1').toString('hex');
}
