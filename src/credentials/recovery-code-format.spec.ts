import {
  canonicalRecoveryCode,
  hashRecoveryCode,
  newRecoveryCode,
} from './recovery-code-format.js';

describe('recovery codes', () => {
  it('are six groups of four base32 characters, never twice the same', () => {
    const codes = Array.from({ length: 2_000 }, newRecoveryCode);
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('carry 120 random bits: every character of the alphabet appears at every position', () => {
    const seen = Array.from({ length: 24 }, () => new Set<string>());
    for (let i = 0; i < 3_000; i++) {
      [...newRecoveryCode().replace(/-/g, '')].forEach((c, position) => seen[position].add(c));
    }
    expect(seen.map((characters) => characters.size)).toEqual(Array(24).fill(32));
  });

  it('read back the same whatever the case, spaces, dashes, and the letters Crockford reads as digits', () => {
    const code = '7KQ2-M9XD-4T1B-HC8R-ZP30-6NVA';
    const canonical = '7KQ2M9XD4T1BHC8RZP306NVA';
    expect(canonicalRecoveryCode(code)).toBe(canonical);
    expect(canonicalRecoveryCode('7kq2 m9xd 4tib hc8r zp3o 6nva')).toBe(canonical);
    expect(canonicalRecoveryCode(' 7KQ2M9XD4T1BHC8RZP306NVA ')).toBe(canonical);
    expect(canonicalRecoveryCode('7KQ2-M9XD-4TLB-HC8R-ZP30-6NVA')).toBe(canonical);
  });

  it('refuse what cannot be a code', () => {
    for (const input of [
      undefined,
      42,
      '',
      '7KQ2-M9XD-4T1B-HC8R-ZP30',
      '7KQ2-M9XD-4T1B-HC8R-ZP30-6NVAA',
      '7KQ2-M9XD-4T1B-HC8R-ZP30-6NVU',
      '7KQ2-M9XD-4T1B-HC8R-ZP30-6NV*',
      'x'.repeat(65),
    ]) {
      expect(canonicalRecoveryCode(input)).toBeNull();
    }
  });

  it('are stored as the hex SHA-256 of the canonical form', () => {
    expect(hashRecoveryCode('7KQ2M9XD4T1BHC8RZP306NVA')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode('7KQ2M9XD4T1BHC8RZP306NVA')).not.toBe(
      hashRecoveryCode('7KQ2M9XD4T1BHC8RZP306NVB'),
    );
  });
});
