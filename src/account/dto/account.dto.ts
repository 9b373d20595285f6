import { IsEmail, IsObject, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import {
  ChannelField,
  ConfirmationCodeField,
  CountryCodeField,
  PhoneNumberField,
} from '../../http/body-fields.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '../../http/swagger.js';

/** Any password input is bounded before it is hashed and compared. */
const PASSWORD_INPUT = 512;

/** Body of `POST /auth/account/phone/send`. */
export class SendPhoneChangeCodeDto {
  @CountryCodeField()
  countryCode: string;

  @PhoneNumberField()
  phoneNumber: string;

  @ChannelField()
  channel: string;
}

/** Body of `POST /auth/account/phone`. */
export class ChangePhoneDto {
  @CountryCodeField()
  countryCode: string;

  @PhoneNumberField()
  phoneNumber: string;

  @ConfirmationCodeField()
  confirmationCode: string;

  @ApiPropertyOptional({
    format: 'password',
    description: 'Required for members who have a password',
  })
  @IsOptional()
  @MaxLength(PASSWORD_INPUT)
  @IsString()
  currentPassword?: string;
}

/** Body of the routes that send a code to the member's own phone. */
export class SendAccountCodeDto {
  @ChannelField()
  channel: string;
}

/** Body of `POST /auth/account/email`. */
export class ChangeEmailDto {
  @ApiProperty({ example: 'alice@example.net' })
  @MaxLength(254)
  @IsEmail()
  newEmail: string;

  @ApiProperty({ format: 'password' })
  @MaxLength(PASSWORD_INPUT)
  @IsString()
  currentPassword: string;

  @ConfirmationCodeField()
  confirmationCode: string;
}

/** Body of `DELETE /auth/account` and `POST /auth/session/verify`. */
export class ConfirmationCodeDto {
  @ConfirmationCodeField()
  confirmationCode: string;
}

/** Body of `POST /auth/session/verify`: a code, or a passkey's answer (exactly one). */
export class SessionVerifyDto {
  @ApiPropertyOptional({
    example: '123456',
    description: 'A code sent to the phone, or of the authenticator app',
  })
  @ValidateIf((body: SessionVerifyDto) => body.passkeyResponse === undefined)
  @ConfirmationCodeField()
  confirmationCode?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What `startAuthentication()` answered to `session/verify/passkey/options`',
  })
  @IsOptional()
  @IsObject()
  passkeyResponse?: Record<string, unknown>;
}
