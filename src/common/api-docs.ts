import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from './swagger.js';
import { OtpErrorCode } from './otp-error-code.js';

/** OpenAPI schema of a member. */
export class MemberResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ example: 'alice@example.com' })
  email: string;
  @ApiProperty({ example: '+12015550123', description: 'E.164' })
  phoneNumber: string;
  @ApiProperty({ enum: ['approved', 'pending', 'blocked'] })
  status: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

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

/** `{ registerUser: true }` */
export class RegisterUserResponse {
  @ApiProperty({ enum: [true] })
  registerUser: true;
}

/** A session token and the member. */
export class SessionResponse {
  @ApiProperty({ description: 'Opaque session token (43 characters), shown once.' })
  sessionToken: string;
  @ApiProperty({ type: MemberResponse })
  member: MemberResponse;
}

/** A passwordless sign-in. */
export class PhoneLoginResponse extends SessionResponse {
  @ApiProperty({ enum: [true] })
  results: true;
  @ApiProperty()
  isNewMember: boolean;
}

/** A registration waiting for approval. */
export class PendingRegistrationResponse {
  @ApiProperty({ type: 'null', nullable: true, example: null })
  sessionToken: null;
  @ApiProperty({ type: MemberResponse })
  member: MemberResponse;
}

/** A session as listed to its member. */
export class SessionListItem {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time' })
  lastSeenAt: string;
  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
  @ApiProperty({ nullable: true, type: String })
  userAgent: string | null;
  @ApiProperty({ description: 'Whether this is the session of the request.' })
  current: boolean;
}

/** A country of the dropdown. */
export class CountryResponse {
  @ApiProperty({ example: 'US' })
  code: string;
  @ApiProperty({ example: 'United States' })
  name: string;
  @ApiProperty({ example: '+1' })
  dialCode: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED, INVALID_PHONE_NUMBER, COUNTRY_NOT_ALLOWED or CHANNEL_NOT_ALLOWED',
  401: 'INVALID_CODE, CODE_EXPIRED, INVALID_CREDENTIALS or UNAUTHENTICATED',
  403: 'APPROVAL_PENDING, MEMBER_BLOCKED, PASSWORD_REQUIRED or CSRF_CHECK_FAILED',
  404: 'NOT_FOUND',
  409: 'ALREADY_REGISTERED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'DELIVERY_REFUSED (Twilio refused delivery)',
  429: 'TOO_MANY_REQUESTS, with Retry-After',
  500: 'PROVIDER_MISCONFIGURED',
  503: 'PROVIDER_UNAVAILABLE, with Retry-After',
};

/** Documents the error responses of a route, all with the `ErrorResponse` body. */
export function ApiOtpErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponse }),
    ),
  );
}
