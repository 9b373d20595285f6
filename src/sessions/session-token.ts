import { hash, randomBytes } from 'node:crypto';

/** 32 random bytes (256 bits), base64url: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque session token. */
export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether a string could be a session token at all (checked before any lookup). */
export function isSessionTokenShape(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

/**
 * The stored form of a token: hex SHA-256. A token carries 256 bits of entropy, so a fast hash
 * is enough; a database leak does not yield usable tokens.
 */
export function hashSessionToken(token: string): string {
  return hash('sha256', token, 'hex');
}
