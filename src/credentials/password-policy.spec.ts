import type { OtpException } from '../errors/otp.exception.js';
import { jest } from '@jest/globals';
import { HttpStatus } from '@nestjs/common';
import { checkPasswordPolicy } from './password-policy.js';

/** What the policy throws for `password`; fails the test when it accepts it. */
function refusal(password: unknown, field?: string): OtpException {
  try {
    checkPasswordPolicy(password, field);
  } catch (error) {
    return error as OtpException;
  }
  throw new Error(`accepted ${JSON.stringify(password)}`);
}

/** Asserts a 400 VALIDATION_FAILED whose message (in the body too) is `message`. */
function expectRefused(password: unknown, message: string, field?: string): void {
  const error = refusal(password, field);
  expect(error.code).toBe('VALIDATION_FAILED');
  expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
  expect(error.message).toBe(message);
  expect(error.getResponse()).toEqual({
    statusCode: 400,
    error: 'Bad Request',
    code: 'VALIDATION_FAILED',
    message,
  });
}

const TOO_SHORT = 'password must be at least 8 characters';
const TOO_LONG = 'password must be at most 128 characters';
const TOO_COMMON = 'password is too common; choose a less predictable password';

describe('checkPasswordPolicy', () => {
  it('returns an acceptable password as it is', () => {
    expect(checkPasswordPolicy('tangerine orbit 42')).toBe('tangerine orbit 42');
  });

  it('has no composition rules: lower case letters and spaces alone will do', () => {
    expect(checkPasswordPolicy('walrus ferry lantern')).toBe('walrus ferry lantern');
  });

  it.each(['пароль для входа', 'كلمة مرور طويلة', '我的密码很长很长的'])(
    'accepts any script (%s)',
    (password) => {
      expect(checkPasswordPolicy(password)).toBe(password);
    },
  );

  describe('length', () => {
    it('refuses 7 characters and accepts 8', () => {
      expectRefused('zq7#mK2', TOO_SHORT);
      expect(checkPasswordPolicy('zq7#mK2p')).toBe('zq7#mK2p');
    });

    it('refuses an empty password as too short', () => {
      expectRefused('', TOO_SHORT);
    });

    it('accepts 128 characters and refuses 129', () => {
      const password = 'Zq7#mK2p'.repeat(16);
      expect(checkPasswordPolicy(password)).toBe(password);
      expectRefused(`${password}x`, TOO_LONG);
    });

    it('counts code points, not UTF-16 units', () => {
      expectRefused('🦊🌵🎲🚲', TOO_SHORT); // 4 code points, 8 units
      expect(checkPasswordPolicy('🦊🌵🎲🚲🦊🌵🎲🚲')).toHaveLength(16);
      expect(checkPasswordPolicy('🦊'.repeat(128))).toHaveLength(256);
      expectRefused('🦊'.repeat(129), TOO_LONG);
    });

    it('refuses a huge input without normalising it', () => {
      const normalize = jest.spyOn(String.prototype, 'normalize');
      try {
        expectRefused('a'.repeat(1_000_000), TOO_LONG);
        expectRefused('a'.repeat(4 * 128 + 1), TOO_LONG);
        expect(normalize).not.toHaveBeenCalled();
      } finally {
        normalize.mockRestore();
      }
    });

    it('measures the password after normalisation', () => {
      // Eight code points as typed (e + combining acute, four times), four once composed.
      expectRefused('e\u0301'.repeat(4), TOO_SHORT);
      // Three ligatures (U+FB03) become nine letters.
      expect(checkPasswordPolicy('\uFB03'.repeat(3))).toBe('ffiffiffi');
      // One character that NFKC writes out as eighteen.
      expectRefused('\uFDFA'.repeat(8), TOO_LONG);
    });
  });

  describe('normalisation (NFKC)', () => {
    it('returns the composed form of decomposed accents', () => {
      expect(checkPasswordPolicy('cre\u0300me brule\u0301e')).toBe('crème brulée');
    });

    it('folds compatibility forms: full-width letters and ligatures', () => {
      expect(checkPasswordPolicy('ｔａｎｇｅｒｉｎｅ４２')).toBe('tangerine42');
      expect(checkPasswordPolicy('\uFB01refly lantern')).toBe('firefly lantern');
    });
  });

  describe('common passwords', () => {
    it.each(['password', '12345678', 'iloveyou', 'trustno1', 'qwertyuiop', 'letmein1'])(
      'refuses %s',
      (password) => {
        expectRefused(password, TOO_COMMON);
      },
    );

    it('compares them case-insensitively', () => {
      expectRefused('PassWord', TOO_COMMON);
      expectRefused('ILOVEYOU', TOO_COMMON);
    });

    it('compares them after normalisation', () => {
      expectRefused('ｐａｓｓｗｏｒｄ', TOO_COMMON);
    });

    it('refuses only the password itself, not one containing it', () => {
      expect(checkPasswordPolicy('password tangerine')).toBe('password tangerine');
    });
  });

  describe('what the client reads', () => {
    it.each([undefined, null, 12345678, ['password1234']])(
      'refuses %p as not a string',
      (value) => {
        expectRefused(value, 'password must be a string');
      },
    );

    it('names the field it checks', () => {
      expectRefused('short', 'newPassword must be at least 8 characters', 'newPassword');
      expectRefused(
        'password',
        'newPassword is too common; choose a less predictable password',
        'newPassword',
      );
      expectRefused(42, 'newPassword must be a string', 'newPassword');
    });
  });
});
