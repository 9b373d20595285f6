import { randomBytes } from 'node:crypto';
import { parseTotpKey, TotpSecretCipher } from './totp-secret-cipher.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('TotpSecretCipher', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('round-trips a secret, with a new IV every time', () => {
    const cipher = new TotpSecretCipher([newKey]);
    const a = cipher.encrypt(SECRET, 'member-1');
    const b = cipher.encrypt(SECRET, 'member-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain(SECRET);
    expect(cipher.decrypt(a, 'member-1')).toBe(SECRET);
    expect(cipher.decrypt(b, 'member-1')).toBe(SECRET);
  });

  it('opens nothing that was altered, bound to another member, or under an unknown key', () => {
    const cipher = new TotpSecretCipher([newKey]);
    const stored = cipher.encrypt(SECRET, 'member-1');
    const parts = stored.split('.');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    const altered = [...parts.slice(0, 4), flipped.toString('base64url')].join('.');
    expect(cipher.decrypt(altered, 'member-1')).toBeNull();
    expect(cipher.decrypt(stored, 'member-2')).toBeNull();
    expect(new TotpSecretCipher([oldKey]).decrypt(stored, 'member-1')).toBeNull();
    expect(cipher.decrypt('v2.nonsense', 'member-1')).toBeNull();
  });

  it('rotates keys: the first encrypts, the others still decrypt, and say they need rotating', () => {
    const before = new TotpSecretCipher([oldKey]).encrypt(SECRET, 'member-1');
    const rotated = new TotpSecretCipher([newKey, oldKey]);
    expect(rotated.decrypt(before, 'member-1')).toBe(SECRET);
    expect(rotated.needsRotation(before)).toBe(true);
    const after = rotated.encrypt(SECRET, 'member-1');
    expect(rotated.needsRotation(after)).toBe(false);
    expect(new TotpSecretCipher([newKey]).decrypt(after, 'member-1')).toBe(SECRET);
  });
});

describe('parseTotpKey', () => {
  it('takes 32 bytes in base64, base64url or hex, and nothing else', () => {
    const key = randomBytes(32);
    expect(parseTotpKey(key.toString('base64'))).toEqual(key);
    expect(parseTotpKey(key.toString('base64url'))).toEqual(key);
    expect(parseTotpKey(key.toString('hex'))).toEqual(key);
    expect(parseTotpKey(randomBytes(16).toString('base64'))).toBeNull();
    expect(parseTotpKey('correct horse battery staple')).toBeNull();
    expect(parseTotpKey(undefined)).toBeNull();
  });
});
