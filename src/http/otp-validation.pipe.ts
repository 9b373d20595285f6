import { type ValidationError, ValidationPipe } from '@nestjs/common';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';

function firstProblem(errors: ValidationError[]): string {
  for (const error of errors) {
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) return messages[0];
    const nested = error.children?.length ? firstProblem(error.children) : '';
    if (nested) return nested;
  }
  return 'The request is malformed.';
}

/**
 * Validation of the module's request bodies: unknown fields are refused, types are not coerced,
 * and a failure is a 400 `VALIDATION_FAILED` naming the first problem.
 */
export function createOtpValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: true,
    exceptionFactory: (errors) =>
      new OtpException(OtpErrorCode.VALIDATION_FAILED, { message: firstProblem(errors) }),
  });
}
