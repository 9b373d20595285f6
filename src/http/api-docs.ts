import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from './swagger.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OTP_CHANNELS, type OtpChannel } from '../otp.constants.js';

/** OpenAPI schema of every error body. */
export class ErrorResponse {
  @ApiProperty({ example: 400 })
  statusCode: number;
  @ApiProperty({ example: 'Bad Request' })
  error: string;
  @ApiProperty({ enum: Object.values(OtpErrorCode) })
  code: string;
  @ApiProperty({
    example: 'This phone number is not a valid mobile number for the selected country.',
  })
  message: string;
  @ApiPropertyOptional({ enum: [false], description: 'The seed flag of the route, set to false.' })
  results?: false;
  @ApiPropertyOptional({ enum: [false], description: 'On registration routes.' })
  registerUser?: false;
}

/** `{ results: true }` */
export class ResultsResponse {
  @ApiProperty({ enum: [true] })
  results: true;
}

/** What every send answers beside its flag: enough for a page's resend timer. */
class CodeSentFields {
  @ApiProperty({
    enum: OTP_CHANNELS,
    example: 'sms',
    description: 'The channel the code went out over',
  })
  channel: OtpChannel;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 30,
    description: 'Seconds before another code can be asked for (the send cooldown); 0 when none',
  })
  resendAfterSeconds: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 600,
    description: 'Seconds the code stays valid',
  })
  expiresInSeconds: number;
}

/** `{ results: true, channel, resendAfterSeconds, expiresInSeconds }` */
export class CodeSentResponse extends CodeSentFields {
  @ApiProperty({ enum: [true] })
  results: true;
}

/** `{ registerUser: true, channel, resendAfterSeconds, expiresInSeconds }` */
export class RegistrationCodeSentResponse extends CodeSentFields {
  @ApiProperty({ enum: [true] })
  registerUser: true;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED, INVALID_PHONE_NUMBER, COUNTRY_NOT_ALLOWED or CHANNEL_NOT_ALLOWED',
  401: 'INVALID_CODE, CODE_EXPIRED, INVALID_CREDENTIALS or UNAUTHENTICATED',
  403: 'APPROVAL_PENDING, MEMBER_BLOCKED, PASSWORD_REQUIRED, REVERIFICATION_REQUIRED, FORBIDDEN or CSRF_CHECK_FAILED',
  404: 'NOT_FOUND',
  409: 'ALREADY_REGISTERED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'DELIVERY_REFUSED (Twilio refused delivery, or the Lookup line check refused the number)',
  429: 'TOO_MANY_REQUESTS, with Retry-After',
  500: 'PROVIDER_MISCONFIGURED',
  503: 'PROVIDER_UNAVAILABLE (Twilio) or SERVICE_UNAVAILABLE (the database or the shared rate-limit storage), with Retry-After',
};

/** Documents the error responses of a route, all with the `ErrorResponse` body. */
export function ApiOtpErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponse }),
    ),
  );
}
