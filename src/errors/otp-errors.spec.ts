import { HttpException } from '@nestjs/common';
import { OtpErrorCode } from './otp-error-code.js';
import { OTP_ERRORS } from './otp-errors.js';
import { OtpException, reasonPhrase } from './otp.exception.js';

describe('the error catalogue', () => {
  const codes = Object.values(OtpErrorCode);

  it('words every code, and only codes', () => {
    expect(Object.keys(OTP_ERRORS).sort()).toEqual([...codes].sort());
  });

  it.each(codes)('gives %s an error status and a sentence', (code) => {
    const { status, message } = OTP_ERRORS[code];
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(message).toMatch(/^[A-Z].*\.$/);
  });

  it('keeps a code an attacker could probe with free of what it guards', () => {
    // One answer for a wrong email and a wrong password (no user enumeration).
    expect(OTP_ERRORS.INVALID_CREDENTIALS.message).not.toMatch(/unknown|not found|no such/i);
    expect(OTP_ERRORS.INVALID_CREDENTIALS.status).toBe(401);
  });
});

describe('OtpException', () => {
  it('takes its status and message from the catalogue', () => {
    const error = new OtpException(OtpErrorCode.INVALID_CODE);
    expect(error).toBeInstanceOf(HttpException);
    expect(error.getStatus()).toBe(401);
    expect(error.code).toBe('INVALID_CODE');
    expect(error.message).toBe(OTP_ERRORS.INVALID_CODE.message);
    expect(error.getResponse()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'INVALID_CODE',
      message: OTP_ERRORS.INVALID_CODE.message,
    });
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('carries a message of its own and a retry delay when given', () => {
    const error = new OtpException(OtpErrorCode.TOO_MANY_REQUESTS, {
      message: 'Slow down.',
      retryAfterSeconds: 42,
    });
    expect(error.getStatus()).toBe(429);
    expect(error.message).toBe('Slow down.');
    expect(error.retryAfterSeconds).toBe(42);
  });

  it.each(Object.values(OtpErrorCode))(
    'answers %s with the contract body, as Nest sends it on a host route',
    (code) => {
      const error = new OtpException(code);
      const { status, message } = OTP_ERRORS[code];
      expect(error.getResponse()).toEqual({
        statusCode: status,
        error: reasonPhrase(status),
        code,
        message,
      });
    },
  );

  it('says the service is briefly unavailable with 503 and a retry delay', () => {
    const error = new OtpException(OtpErrorCode.SERVICE_UNAVAILABLE, { retryAfterSeconds: 1 });
    expect(error.getStatus()).toBe(503);
    expect(error.getResponse()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
      message: OTP_ERRORS.SERVICE_UNAVAILABLE.message,
    });
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('keeps its cause for logs without putting it in the response', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const error = new OtpException(OtpErrorCode.PROVIDER_UNAVAILABLE, { cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error.getResponse())).not.toContain('ECONNREFUSED');
  });
});

describe('reasonPhrase', () => {
  it.each([
    [400, 'Bad Request'],
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
    [413, 'Payload Too Large'],
    [422, 'Unprocessable Entity'],
    [429, 'Too Many Requests'],
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
  ])('words %i as %s', (status, phrase) => {
    expect(reasonPhrase(status)).toBe(phrase);
  });

  it('words a status without a name as Error', () => {
    expect(reasonPhrase(599)).toBe('Error');
  });
});
