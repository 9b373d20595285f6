import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Bytes of an AES-256 key. */
export const TOTP_KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';

/** The short id of a key stored beside what it encrypted, to pick the key when decrypting. */
function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * A key as given in the options: 32 bytes, written in base64, base64url or hex; `null` when it
 * is not one.
 */
export function parseTotpKey(value: unknown): Buffer | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : null;
  return bytes?.length === TOTP_KEY_BYTES ? bytes : null;
}

/**
 * Encrypts TOTP secrets at rest with AES-256-GCM: `v1.<key id>.<iv>.<tag>.<ciphertext>`, each
 * part base64url. The first key encrypts; every key decrypts what it encrypted, so that keys
 * rotate by putting the new key first and keeping the old ones until nothing uses them
 * (`needsRotation()` tells, and the module re-encrypts a secret under the first key when it is
 * next used). The member id is bound in as associated data: a stored value copied onto another
 * member does not decrypt.
 */
export class TotpSecretCipher {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('TotpSecretCipher needs a key');
    this.keys = keys.map((key) => ({ id: keyId(key), key }));
  }

  encrypt(secret: string, memberId: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(memberId));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
    return [VERSION, id, ...parts].join('.');
  }

  /** The secret, or `null` when no key opens it (an unknown key, or the value was altered). */
  decrypt(stored: string, memberId: string): string | null {
    const [version, id, iv, tag, ciphertext] = stored.split('.');
    const key = this.keys.find((candidate) => candidate.id === id)?.key;
    if (version !== VERSION || !key || ciphertext === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(memberId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** Whether a stored value was encrypted under another key than the first. */
  needsRotation(stored: string): boolean {
    return stored.split('.')[1] !== this.keys[0].id;
  }
}
