import {
  applyDecorators,
  type CanActivate,
  SetMetadata,
  type Type,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { OTP_ERROR_FLAG, type OtpErrorFlag } from './error-flag.js';
import { JsonRequestGuard } from '../body-checks/json-request.guard.js';
import { OtpExceptionFilter, OtpRegistrationExceptionFilter } from './otp-exception.filter.js';
import { createOtpValidationPipe } from './otp-validation.pipe.js';

/** How a controller of the module takes requests and answers errors. */
export interface OtpRoutesOptions {
  /** The seed's flag in error bodies: `registerUser` on the registration routes. */
  flag?: OtpErrorFlag;
  /** Validate bodies and queries with the module's pipe. Default `true`. */
  validate?: boolean;
  /** Guards that run after the JSON check (e.g. `SessionGuard`). */
  guards?: Type<CanActivate>[];
}

/**
 * The plumbing every controller of the module shares: the contract's error body, JSON objects
 * only, then the given guards, and the validation pipe.
 */
export function OtpRoutes(options: OtpRoutesOptions = {}): ClassDecorator & MethodDecorator {
  const { flag = 'results', validate = true, guards = [] } = options;
  return applyDecorators(
    SetMetadata(OTP_ERROR_FLAG, flag),
    UseFilters(flag === 'registerUser' ? OtpRegistrationExceptionFilter : OtpExceptionFilter),
    UseGuards(JsonRequestGuard, ...guards),
    ...(validate ? [UsePipes(createOtpValidationPipe())] : []),
  );
}
