import { dictionary } from '@zxcvbn-ts/language-common';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';

/** Length bounds of a password, in Unicode code points after NFKC normalisation. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The most common passwords (the ranked list of zxcvbn-ts, about 49,000 entries), compared
 * case-insensitively. Built once, on first use.
 */
let commonPasswords: ReadonlySet<string> | undefined;
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(
    (dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()),
  );
  return commonPasswords.has(password.toLowerCase());
}

/**
 * Applies the password policy of NIST SP 800-63B 5.1.1.2: 8 to 128 characters, any Unicode
 * (normalised with NFKC), no composition rules, and not one of the most common passwords.
 * Returns the normalised password to hash; throws 400 `VALIDATION_FAILED` otherwise. The length
 * check comes first, so an oversized password is refused before any hashing.
 */
export function checkPasswordPolicy(password: unknown, field = 'password'): string {
  if (typeof password !== 'string')
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: `${field} must be a string`,
    });
  // Bound the work before normalising: 128 code points are at most 512 UTF-16 units.
  if (password.length > PASSWORD_MAX_LENGTH * 4) {
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: `${field} must be at most ${PASSWORD_MAX_LENGTH} characters`,
    });
  }
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  if (length > PASSWORD_MAX_LENGTH) {
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: `${field} must be at most ${PASSWORD_MAX_LENGTH} characters`,
    });
  }
  if (length < PASSWORD_MIN_LENGTH) {
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: `${field} must be at least ${PASSWORD_MIN_LENGTH} characters`,
    });
  }
  if (isCommon(normalised)) {
    throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
      message: `${field} is too common; choose a less predictable password`,
    });
  }
  return normalised;
}
