import { ApiProperty } from '../../common/swagger.js';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

const CODE = /^\d{4,10}$/;
const CODE_MESSAGE = 'confirmationCode must be 4 to 10 digits';

/**
 * Passwords are only checked for type and an outer bound here; the policy (8 to 128 characters
 * after normalisation, not a common password) is applied by the service, so that services called
 * directly get the same rules.
 */
const PASSWORD_OUTER_BOUND = 512;

/** Body of `POST /auth/2fa/register/send`. */
export class SendRegistrationCodeDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: '(201) 555-0123', description: 'As typed; parsed for countryCode' })
  @IsString()
  @MaxLength(32)
  phoneNumber: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the chosen country' })
  @IsString()
  @Length(2, 2)
  countryCode: string;

  @ApiProperty({ enum: ['sms', 'call'], example: 'sms' })
  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/register`. */
export class RegisterDto {
  @ApiProperty({ example: '(201) 555-0123', description: 'As typed; parsed for countryCode' })
  @IsString()
  @MaxLength(32)
  phoneNumber: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 code of the chosen country' })
  @IsString()
  @Length(2, 2)
  countryCode: string;

  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @ApiProperty({ example: '123456', pattern: '^\\d{4,10}$' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}

/** Body of `POST /auth/2fa/login/send`. */
export class SendTwoFactorLoginCodeDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @ApiProperty({ enum: ['sms', 'call'], example: 'sms' })
  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/login`. */
export class TwoFactorLoginDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'password must be at most 128 characters' })
  password: string;

  @ApiProperty({ example: '123456', pattern: '^\\d{4,10}$' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}

/** Body of `POST /auth/2fa/password/send`. */
export class SendPasswordResetCodeDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: ['sms', 'call'], example: 'sms' })
  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/password/reset`. */
export class ResetPasswordDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: '123456', pattern: '^\\d{4,10}$' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'newPassword must be at most 128 characters' })
  newPassword: string;
}

/** Body of `POST /auth/2fa/password/change/send`. */
export class SendPasswordChangeCodeDto {
  @ApiProperty({ enum: ['sms', 'call'], example: 'sms' })
  @IsString()
  @MaxLength(16)
  channel: string;
}

/** Body of `POST /auth/2fa/password/change`. */
export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'currentPassword must be at most 128 characters' })
  currentPassword: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(PASSWORD_OUTER_BOUND, { message: 'newPassword must be at most 128 characters' })
  newPassword: string;

  @ApiProperty({ example: '123456', pattern: '^\\d{4,10}$' })
  @IsString()
  @Matches(CODE, { message: CODE_MESSAGE })
  confirmationCode: string;
}
