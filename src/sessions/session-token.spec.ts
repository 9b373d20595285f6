import { createHash } from 'node:crypto';
import {
  cacheKeyOfHash,
  hashOfCacheKey,
  hashSessionToken,
  hasSessionTokenLength,
  isSessionTokenShape,
  newSessionToken,
  sessionCacheKey,
} from './session-token.js';

describe('session tokens', () => {
  describe('newSessionToken', () => {
    it('is 43 base64url characters', () => {
      expect(newSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('carries 256 random bits, unpadded', () => {
      const token = newSessionToken();
      const bytes = Buffer.from(token, 'base64url');
      expect(bytes).toHaveLength(32);
      expect(bytes.toString('base64url')).toBe(token);
    });

    it('never repeats', () => {
      const tokens = new Set(Array.from({ length: 1_000 }, () => newSessionToken()));
      expect(tokens.size).toBe(1_000);
    });
  });

  describe('isSessionTokenShape', () => {
    it('accepts what newSessionToken issues', () => {
      for (let i = 0; i < 100; i += 1) expect(isSessionTokenShape(newSessionToken())).toBe(true);
    });

    it.each([
      ['one character short', 'a'.repeat(42)],
      ['one character long', 'a'.repeat(44)],
      ['padded', `${'a'.repeat(42)}=`],
      ['standard base64', `${'a'.repeat(41)}+/`],
      ['followed by a newline', `${'a'.repeat(43)}\n`],
      ['preceded by a space', ` ${'a'.repeat(42)}`],
      ['empty', ''],
    ])('refuses a string %s', (_what, token) => {
      expect(isSessionTokenShape(token)).toBe(false);
    });

    it.each([undefined, null, 43, ['a'.repeat(43)], Buffer.from('a'.repeat(43))])(
      'refuses %p, which is not a string',
      (token) => {
        expect(isSessionTokenShape(token)).toBe(false);
      },
    );
  });

  describe('hashSessionToken', () => {
    it('is the hex SHA-256 of the token', () => {
      expect(hashSessionToken('abc')).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      const token = newSessionToken();
      expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashSessionToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    });

    it('is stable for one token and differs between tokens', () => {
      const token = newSessionToken();
      expect(hashSessionToken(token)).toBe(hashSessionToken(token));
      expect(hashSessionToken(token)).not.toBe(hashSessionToken(newSessionToken()));
    });
  });

  describe('sessionCacheKey', () => {
    it('is the same SHA-256 as the stored hash, as 32 one-byte characters', () => {
      const token = newSessionToken();
      const key = sessionCacheKey(token);
      expect(key).toHaveLength(32);
      expect(Buffer.from(key, 'latin1')).toEqual(createHash('sha256').update(token).digest());
      expect(hashOfCacheKey(key)).toBe(hashSessionToken(token));
      expect(cacheKeyOfHash(hashSessionToken(token))).toBe(key);
    });

    it('differs between tokens', () => {
      expect(sessionCacheKey(newSessionToken())).not.toBe(sessionCacheKey(newSessionToken()));
    });
  });

  describe('hasSessionTokenLength', () => {
    it('accepts strings of 43 characters only', () => {
      expect(hasSessionTokenLength(newSessionToken())).toBe(true);
      expect(hasSessionTokenLength(' '.repeat(43))).toBe(true);
      expect(hasSessionTokenLength('a'.repeat(42))).toBe(false);
      expect(hasSessionTokenLength('a'.repeat(44))).toBe(false);
      expect(hasSessionTokenLength(['a'.repeat(43)])).toBe(false);
      expect(hasSessionTokenLength(undefined)).toBe(false);
    });
  });
});
