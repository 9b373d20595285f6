import type { OtpErrorCode } from './otp-error-code.js';
import { HttpException, HttpStatus } from '@nestjs/common';
import { OTP_ERRORS } from './otp-errors.js';

/** What an `OtpException` may say besides its code. */
export interface OtpExceptionOptions {
  /** The message people read, instead of the code's own (`OTP_ERRORS`). */
  message?: string;
  /** Seconds to wait before retrying (429, 503); sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** The error that caused this one; kept for logs, never sent. */
  cause?: unknown;
}

/**
 * The reason phrase of an HTTP status, as error bodies carry it in `error`: `401` ->
 * `'Unauthorized'`, `503` -> `'Service Unavailable'` (`'Error'` for a status without a name).
 */
export function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (typeof name !== 'string') return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * The one exception family of the module: an `HttpException` carrying a stable `code`, with the
 * status and message the error catalogue (`OTP_ERRORS`) gives that code. Its response is the
 * contract's error body, `{ statusCode, error, code, message }`, which Nest's own exception filter
 * sends as it is on a host's routes (the module's filter adds the route's flag).
 *
 * ```ts
 * throw new OtpException(OtpErrorCode.INVALID_CODE);
 * throw new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'email must be an email' });
 * ```
 */
export class OtpException extends HttpException {
  /** Seconds to wait before retrying; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: OtpErrorCode,
    options: OtpExceptionOptions = {},
  ) {
    const { status, message: standard } = OTP_ERRORS[code];
    const message = options.message ?? standard;
    super({ statusCode: status, error: reasonPhrase(status), code, message }, status, {
      cause: options.cause,
    });
    this.name = 'OtpException';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
