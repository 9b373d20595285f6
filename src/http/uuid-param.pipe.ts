import { ParseUUIDPipe } from '@nestjs/common';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';

/** The pipe of an `:id` route parameter: a UUID, or 400 `VALIDATION_FAILED`. */
export function uuidParam(): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'id must be a UUID' }),
  });
}
