import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches, MaxLength } from 'class-validator';
import { ApiProperty } from './swagger.js';
import { OTP_CHANNELS } from '../otp.constants.js';

/**
 * Fields that several request bodies share, each declared once with its OpenAPI schema and its
 * validation. class-validator checks a property's constraints in the order they were applied,
 * and the module's pipe reports the first failure; `applyDecorators` applies its list from the
 * first, so each list below names the bound before the type check (a `@IsString()` written above
 * `@MaxLength()` on a field is applied after it).
 */

/** Confirmation codes as Twilio Verify sends them: 4 to 10 digits. */
const CONFIRMATION_CODE = /^\d{4,10}$/;

/** The code received by SMS or call. */
export function ConfirmationCodeField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: '123456', pattern: CONFIRMATION_CODE.source }),
    Matches(CONFIRMATION_CODE, { message: 'confirmationCode must be 4 to 10 digits' }),
    IsString(),
  );
}

/** A phone number as typed, parsed for the body's `countryCode`. */
export function PhoneNumberField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: '(201) 555-0123', description: 'As typed; parsed for countryCode' }),
    MaxLength(32),
    IsString(),
  );
}

/** The ISO 3166-1 alpha-2 code of the country chosen in the form. */
export function CountryCodeField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the chosen country' }),
    Length(2, 2),
    IsString(),
  );
}

/**
 * The channel a code is sent over, `sms`, `call` or `whatsapp` (the `channels` option decides
 * which are allowed; the others answer 400 `CHANNEL_NOT_ALLOWED`).
 */
export function ChannelField(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      enum: OTP_CHANNELS,
      example: 'sms',
      description: 'As the `channels` option allows (default sms and call)',
    }),
    MaxLength(16),
    IsString(),
  );
}
