import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so that a code read aloud or copied by hand survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 15 random bytes: 120 bits, 24 characters. */
const RANDOM_BYTES = 15;
const LENGTH = 24;
const GROUP = 4;

/**
 * A new recovery code, `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`: 120 random bits, above the 112 bits from
 * which NIST SP 800-63B lets a look-up secret be stored under a plain hash.
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(RANDOM_BYTES);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/**
 * A code as typed, in canonical form (upper case, no spaces or dashes; `I` and `L` read as 1,
 * `O` as 0, as Crockford's base32 decodes them), or `null` when it cannot be a recovery code.
 */
export function canonicalRecoveryCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

/** Hex SHA-256 of a canonical code: what is stored. */
export function hashRecoveryCode(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}
