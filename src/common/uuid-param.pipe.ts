import { ParseUUIDPipe } from '@nestjs/common';
import { OtpErrorCode } from './otp-error-code.js';
import { OtpException } from './otp.exception.js';

/** The pipe of an `:id` route parameter: a UUID, or 400 `VALIDATION_FAILED`. */
export function uuidParam(): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: 'id must be a UUID' }),
  });
}
