import { applyDecorators } from '@nestjs/common';
import {
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  MaxLength,
  type ValidationArguments,
} from 'class-validator';
import { RecoveryCodeField } from '../../credentials/recovery-code-field.decorator.js';
import {
  ChannelField,
  ConfirmationCodeField,
  CountryCodeField,
  PhoneNumberField,
} from '../../http/body-fields.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '../../http/swagger.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../credentials/password-policy.js';

/**
 * Passwords are only checked for type and an outer bound here; the policy (8 to 128 characters
 * after normalisation, not a common password) is applied by the service, so that services called
 * directly get the same rules.
 */
const PASSWORD_OUTER_BOUND = 512;

/** The email of a new member or of a password reset, checked for its form. */
function EmailField(): PropertyDecorator {
  return applyDecorators(ApiProperty({ example: 'alice@example.com' }), MaxLength(254), IsEmail());
}

/** The email a member signs in with: any string, a malformed one is checked like an unknown one. */
function SignInEmailField(): PropertyDecorator {
  return applyDecorators(ApiProperty({ example: 'alice@example.com' }), MaxLength(254), IsString());
}

const tooLong = ({ property }: ValidationArguments) =>
  `${property} must be at most ${PASSWORD_MAX_LENGTH} characters`;

/** How a password the policy applies to is documented. */
const POLICY_PASSWORD = {
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  format: 'password',
} as const;

/** What the body checks of any password: a string within the outer bound. */
function PasswordString(): PropertyDecorator {
  return applyDecorators(MaxLength(PASSWORD_OUTER_BOUND, { message: tooLong }), IsString());
}

/** A password the policy applies to (`password`, `newPassword`). */
function PasswordField(): PropertyDecorator {
  return applyDecorators(ApiProperty(POLICY_PASSWORD), PasswordString());
}

/**
 * The password a send route may carry ahead of the code's route, so that the policy refuses it
 * before a code is spent on it. Nothing is stored.
 */
function PasswordPreviewField(name: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      ...POLICY_PASSWORD,
      description: `Checked against the password policy before the code is sent; ${name} still needs it`,
    }),
    IsOptional(),
    PasswordString(),
  );
}

/** The member's current password, checked against its hash only. */
function CurrentPasswordField(): PropertyDecorator {
  return applyDecorators(ApiProperty({ format: 'password' }), PasswordString());
}

/** Body of `POST /auth/2fa/register/send`. */
export class SendRegistrationCodeDto {
  @EmailField()
  email: string;

  @PhoneNumberField()
  phoneNumber: string;

  @CountryCodeField()
  countryCode: string;

  @ChannelField()
  channel: string;

  @PasswordPreviewField('`register`')
  password?: string;
}

/** Body of `POST /auth/2fa/register`. */
export class RegisterDto {
  @PhoneNumberField()
  phoneNumber: string;

  @CountryCodeField()
  countryCode: string;

  @EmailField()
  email: string;

  @PasswordField()
  password: string;

  @ConfirmationCodeField()
  confirmationCode: string;
}

/** A trusted device's token, from an earlier sign-in with `rememberDevice` (bearer mode). */
function DeviceTokenField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: 'A trusted device token (cookie mode: the device cookie)' }),
    IsOptional(),
    MaxLength(64),
    IsString(),
  );
}

/** Body of `POST /auth/2fa/login/send`. */
export class SendTwoFactorLoginCodeDto {
  @SignInEmailField()
  email: string;

  @PasswordField()
  password: string;

  @ChannelField()
  channel: string;

  @DeviceTokenField()
  deviceToken?: string;
}

/**
 * Body of `POST /auth/2fa/login`: the code sent to the phone (or of the app), or a recovery
 * code, or neither from a trusted device.
 */
export class TwoFactorLoginDto {
  @SignInEmailField()
  email: string;

  @PasswordField()
  password: string;

  @IsOptional()
  @ConfirmationCodeField()
  confirmationCode?: string;

  @IsOptional()
  @RecoveryCodeField()
  recoveryCode?: string;

  @ApiPropertyOptional({ description: 'Trust this device: later sign-ins from it need no code' })
  @IsOptional()
  @IsBoolean()
  rememberDevice?: boolean;

  @DeviceTokenField()
  deviceToken?: string;
}

/** Body of `POST /auth/2fa/password/send`. */
export class SendPasswordResetCodeDto {
  @EmailField()
  email: string;

  @ChannelField()
  channel: string;

  @PasswordPreviewField('`password/reset`')
  newPassword?: string;
}

/** Body of `POST /auth/2fa/password/reset`. */
export class ResetPasswordDto {
  @EmailField()
  email: string;

  @ConfirmationCodeField()
  confirmationCode: string;

  @PasswordField()
  newPassword: string;
}

/** Body of `POST /auth/2fa/password/change/send`. */
export class SendPasswordChangeCodeDto {
  @ChannelField()
  channel: string;
}

/** Body of `POST /auth/2fa/password/change`. */
export class ChangePasswordDto {
  @CurrentPasswordField()
  currentPassword: string;

  @PasswordField()
  newPassword: string;

  @ConfirmationCodeField()
  confirmationCode: string;
}
