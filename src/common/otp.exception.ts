import { HttpException, HttpStatus } from '@nestjs/common';
import { OtpErrorCode } from './otp-error-code.js';

/**
 * The one exception family of the module: an `HttpException` carrying a stable `code` and,
 * for 429 and 503, the number of seconds after which a retry may succeed.
 */
export class OtpException extends HttpException {
  constructor(
    readonly code: OtpErrorCode,
    status: HttpStatus,
    message: string,
    /** Seconds to wait before retrying; sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super({ statusCode: status, code, message }, status);
    this.name = 'OtpException';
  }

  static validation(message: string): OtpException {
    return new OtpException(OtpErrorCode.VALIDATION_FAILED, HttpStatus.BAD_REQUEST, message);
  }

  static invalidPhoneNumber(): OtpException {
    return new OtpException(
      OtpErrorCode.INVALID_PHONE_NUMBER,
      HttpStatus.BAD_REQUEST,
      'This phone number is not a valid mobile number for the selected country.',
    );
  }

  static countryNotAllowed(): OtpException {
    return new OtpException(
      OtpErrorCode.COUNTRY_NOT_ALLOWED,
      HttpStatus.BAD_REQUEST,
      'Codes cannot be sent to this country.',
    );
  }

  static channelNotAllowed(): OtpException {
    return new OtpException(
      OtpErrorCode.CHANNEL_NOT_ALLOWED,
      HttpStatus.BAD_REQUEST,
      'This delivery channel is not available.',
    );
  }

  static invalidCode(): OtpException {
    return new OtpException(
      OtpErrorCode.INVALID_CODE,
      HttpStatus.UNAUTHORIZED,
      'The confirmation code is incorrect.',
    );
  }

  static codeExpired(): OtpException {
    return new OtpException(
      OtpErrorCode.CODE_EXPIRED,
      HttpStatus.UNAUTHORIZED,
      'The confirmation code has expired or was already used. Request a new code.',
    );
  }

  static invalidCredentials(): OtpException {
    return new OtpException(
      OtpErrorCode.INVALID_CREDENTIALS,
      HttpStatus.UNAUTHORIZED,
      'The email or password is incorrect.',
    );
  }

  static alreadyRegistered(): OtpException {
    return new OtpException(
      OtpErrorCode.ALREADY_REGISTERED,
      HttpStatus.CONFLICT,
      'This email or phone number is already registered.',
    );
  }

  static emailNotAllowed(): OtpException {
    return new OtpException(
      OtpErrorCode.EMAIL_NOT_ALLOWED,
      HttpStatus.BAD_REQUEST,
      'This email address cannot be used. Enter another one.',
    );
  }

  static approvalPending(): OtpException {
    return new OtpException(
      OtpErrorCode.APPROVAL_PENDING,
      HttpStatus.FORBIDDEN,
      'Your membership is waiting for approval.',
    );
  }

  static memberBlocked(): OtpException {
    return new OtpException(
      OtpErrorCode.MEMBER_BLOCKED,
      HttpStatus.FORBIDDEN,
      'This account is blocked.',
    );
  }

  static passwordRequired(): OtpException {
    return new OtpException(
      OtpErrorCode.PASSWORD_REQUIRED,
      HttpStatus.FORBIDDEN,
      'This account signs in with email, password and code. Use that sign-in instead.',
    );
  }

  static tooManyRequests(retryAfterSeconds: number): OtpException {
    return new OtpException(
      OtpErrorCode.TOO_MANY_REQUESTS,
      HttpStatus.TOO_MANY_REQUESTS,
      'Too many attempts. Try again later.',
      retryAfterSeconds,
    );
  }

  static deliveryRefused(): OtpException {
    return new OtpException(
      OtpErrorCode.DELIVERY_REFUSED,
      HttpStatus.UNPROCESSABLE_ENTITY,
      'A code cannot be delivered to this number. Try another number or channel.',
    );
  }

  static providerUnavailable(retryAfterSeconds = 30): OtpException {
    return new OtpException(
      OtpErrorCode.PROVIDER_UNAVAILABLE,
      HttpStatus.SERVICE_UNAVAILABLE,
      'The verification service is unavailable. Try again shortly.',
      retryAfterSeconds,
    );
  }

  static providerMisconfigured(): OtpException {
    return new OtpException(
      OtpErrorCode.PROVIDER_MISCONFIGURED,
      HttpStatus.INTERNAL_SERVER_ERROR,
      'The verification service is not configured correctly.',
    );
  }

  static unauthenticated(): OtpException {
    return new OtpException(
      OtpErrorCode.UNAUTHENTICATED,
      HttpStatus.UNAUTHORIZED,
      'Sign in to continue.',
    );
  }

  static csrfCheckFailed(header: string): OtpException {
    return new OtpException(
      OtpErrorCode.CSRF_CHECK_FAILED,
      HttpStatus.FORBIDDEN,
      `A request signed in by cookie must carry the ${header} header.`,
    );
  }

  static unsupportedMediaType(
    message = 'Send the request body as application/json.',
  ): OtpException {
    return new OtpException(
      OtpErrorCode.UNSUPPORTED_MEDIA_TYPE,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      message,
    );
  }

  static payloadTooLarge(): OtpException {
    return new OtpException(
      OtpErrorCode.PAYLOAD_TOO_LARGE,
      HttpStatus.PAYLOAD_TOO_LARGE,
      'The request body is too large.',
    );
  }

  static notFound(what = 'resource'): OtpException {
    return new OtpException(OtpErrorCode.NOT_FOUND, HttpStatus.NOT_FOUND, `No such ${what}.`);
  }
}
