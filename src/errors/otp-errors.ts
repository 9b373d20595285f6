import type { OtpErrorCode } from './otp-error-code.js';
import { HttpStatus } from '@nestjs/common';

/** What a code means to a client: its HTTP status and the message people read. */
export interface OtpErrorDefinition {
  status: HttpStatus;
  message: string;
}

/**
 * Every error the module answers, by code: the one place its statuses and messages are written.
 * An `OtpException` takes its status and message from here unless it is given a message of its
 * own (a validation failure naming the field, say); the filter words the refusals that are not
 * the module's own (the body parser's, a host guard's) from here too.
 */
export const OTP_ERRORS: Readonly<Record<OtpErrorCode, OtpErrorDefinition>> = {
  VALIDATION_FAILED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The request is malformed: send a JSON object with the documented fields.',
  },
  INVALID_PHONE_NUMBER: {
    status: HttpStatus.BAD_REQUEST,
    message: 'This phone number is not a valid mobile number for the selected country.',
  },
  COUNTRY_NOT_ALLOWED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Codes cannot be sent to this country.',
  },
  CHANNEL_NOT_ALLOWED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'This delivery channel is not available.',
  },
  EMAIL_NOT_ALLOWED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'This email address cannot be used. Enter another one.',
  },
  INVALID_CODE: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The confirmation code is incorrect.',
  },
  CODE_EXPIRED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The confirmation code has expired or was already used. Request a new code.',
  },
  PASSKEY_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'This passkey could not be verified. Try again, or sign in another way.',
  },
  CHALLENGE_EXPIRED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'This passkey request has expired or was already used. Start again.',
  },
  INVALID_CREDENTIALS: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The email or password is incorrect.',
  },
  UNAUTHENTICATED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'Sign in to continue.',
  },
  APPROVAL_PENDING: {
    status: HttpStatus.FORBIDDEN,
    message: 'Your membership is waiting for approval.',
  },
  MEMBER_BLOCKED: {
    status: HttpStatus.FORBIDDEN,
    message: 'This account is blocked.',
  },
  PASSWORD_REQUIRED: {
    status: HttpStatus.FORBIDDEN,
    message: 'This account signs in with email, password and code. Use that sign-in instead.',
  },
  CSRF_CHECK_FAILED: {
    status: HttpStatus.FORBIDDEN,
    message: 'A request signed in by cookie must carry the CSRF header.',
  },
  REVERIFICATION_REQUIRED: {
    status: HttpStatus.FORBIDDEN,
    message: 'Confirm it is you: enter a new code sent to your phone, then try again.',
  },
  FORBIDDEN: {
    status: HttpStatus.FORBIDDEN,
    message: 'The request was refused.',
  },
  NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'Not found.',
  },
  ALREADY_REGISTERED: {
    status: HttpStatus.CONFLICT,
    message: 'This email or phone number is already registered.',
  },
  PAYLOAD_TOO_LARGE: {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    message: 'The request body is too large.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    message: 'Send the request body as application/json.',
  },
  DELIVERY_REFUSED: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    message: 'A code cannot be delivered to this number. Try another number or channel.',
  },
  TOO_MANY_REQUESTS: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    message: 'Too many attempts. Try again later.',
  },
  REQUEST_REFUSED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The request was refused.',
  },
  PROVIDER_MISCONFIGURED: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'The verification service is not configured correctly.',
  },
  INTERNAL_ERROR: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'Something went wrong. Try again later.',
  },
  SERVICE_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message: 'The service is briefly unavailable. Try again shortly.',
  },
  PROVIDER_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message: 'The verification service is unavailable. Try again shortly.',
  },
};
